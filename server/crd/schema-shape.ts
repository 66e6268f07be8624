import { ObjectMeta } from '../../schema/kinds/meta.ts';
import { required, s, type ObjectShape, type Shape } from '../../schema/shape.ts';
import { preservesUnknown, type JSONSchemaProps } from './json-schema.ts';

/**
 * The shape of a custom resource, from its version's structural schema: what the shape
 * check, pruning, OpenAPI and the GraphQL types derive from, as for every static kind.
 * Nested objects are types named `<Kind><Field>...`; what a shape cannot say (preserved
 * unknown fields, maps of objects, lists of lists) is free-form JSON.
 */
export function customResourceShape(kind: string, schema: JSONSchemaProps, description: string): ObjectShape {
  const fields: Record<string, Shape> = {};
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (key === 'apiVersion' || key === 'kind' || key === 'metadata') continue;
    fields[key] = field(child, `${kind}${pascal(key)}`, schema.required?.includes(key) ?? false);
  }
  return s.object(
    kind,
    { apiVersion: s.string(), kind: s.string(), metadata: ObjectMeta, ...fields },
    description,
  );
}

function field(schema: JSONSchemaProps, name: string, isRequired: boolean): Shape {
  const shape = shapeOf(schema, name);
  return isRequired ? required(shape) : shape;
}

function shapeOf(schema: JSONSchemaProps, name: string): Shape {
  const description = schema.description;
  if (schema['x-kubernetes-int-or-string']) return s.intOrString(description);
  switch (schema.type) {
    case 'string':
      return s.string(description);
    case 'integer':
      return s.int(description);
    case 'number':
      return s.float(description);
    case 'boolean':
      return s.bool(description);
    case 'array': {
      const items = schema.items ? shapeOf(schema.items, name) : s.json();
      return items.t === 'list' ? s.json(description) : s.list(items, description);
    }
    case 'object': {
      const properties = Object.entries(schema.properties ?? {});
      if (preservesUnknown(schema) || properties.length === 0) {
        const values =
          typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
        return values?.type === 'string' && !preservesUnknown(schema)
          ? s.map(description)
          : s.json(description);
      }
      const fields: Record<string, Shape> = {};
      for (const [key, child] of properties)
        fields[key] = field(child, `${name}${pascal(key)}`, schema.required?.includes(key) ?? false);
      return s.object(name, fields, description);
    }
    default:
      return s.json(description);
  }
}

function pascal(key: string): string {
  return key
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}
