import type { KindDefinition } from '../../schema/kind.ts';
import type { ItemShape, ListShape, ObjectShape, ScalarShape, Shape } from '../../schema/shape.ts';
import { groupVersionOf } from './discovery.ts';
import {
  API_VERSION_DESCRIPTION,
  APIMACHINERY_SCHEMAS,
  INT_OR_STRING,
  KIND_DESCRIPTION,
  QUANTITY,
  type Schema,
} from './openapi-meta.ts';
import { META, packageOf, refTo, schemaName } from './openapi-names.ts';
import { METRICS_SCHEMAS } from './openapi-metrics.ts';
import { SCALE_SCHEMAS } from './openapi-scale.ts';

/**
 * The `components.schemas` of one group-version's document, derived from its kinds' shapes:
 * each kind and its List (with `x-kubernetes-group-version-kind`), every object they reach,
 * and the fixed types (apimachinery's, Scale) any of these or `operations` refer to, so that
 * every `$ref` resolves.
 *
 * In the shapes, an object's description is also the only one of every field holding it. It
 * goes where Kubernetes puts a field's: on each reference, not on the object's schema, so that
 * kubectl explain prints it in field lists and prints it once for a field. A kind keeps its own:
 * nothing refers to it.
 */
export function componentSchemas(
  kinds: readonly KindDefinition[],
  operations: unknown,
): Record<string, Schema> {
  const schemas: Record<string, Schema> = {};
  const add: Add = (shape) => {
    const name = schemaName(shape);
    schemas[name] ??= objectSchema(shape, add);
    return name;
  };
  for (const def of kinds) {
    const name = add(def.shape);
    const { group, version } = groupVersionOf(def);
    schemas[name] = withKindDescriptions({
      description: def.shape.description ?? def.description,
      ...schemas[name],
      'x-kubernetes-group-version-kind': [{ group, kind: def.kind, version }],
    });
    schemas[`${packageOf({ group, version })}.${def.kind}List`] = listSchema(def, name);
  }
  namedFieldsV1(schemas);
  addFixedSchemas(schemas, [operations, ALWAYS]);
  return schemas;
}

/** managedFields' fieldsV1 is free-form JSON in the shapes, and a type of its own in Kubernetes': FieldsV1. */
function namedFieldsV1(schemas: Record<string, Schema>): void {
  const entry = schemas[`${META}.ManagedFieldsEntry`];
  if (!entry) return;
  const properties = entry.properties as Record<string, Schema>;
  properties.fieldsV1 = described(
    { $ref: refTo(`${META}.FieldsV1`) },
    properties.fieldsV1.description as string,
  );
}

/** What every group-version answers errors with and takes deletions as, whatever its operations. */
const ALWAYS = [`${META}.Status`, `${META}.DeleteOptions`].map((name) => ({ $ref: refTo(name) }));

/** Adds an object shape's schema to the document, once, and names it. */
type Add = (shape: ObjectShape) => string;

function objectSchema(shape: ObjectShape, add: Add): Schema {
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const [field, fieldShape] of Object.entries(shape.fields)) {
    properties[field] = propertySchema(fieldShape, add);
    if (fieldShape.required) required.push(field);
  }
  return { type: 'object', properties, ...(required.length ? { required } : {}) };
}

function propertySchema(shape: Shape, add: Add): Schema {
  if (shape.t === 'list') return described(listPropertySchema(shape, add), shape.description);
  if (shape.t === 'scalar') return described(scalarSchema(shape), shape.description);
  return described({ $ref: refTo(add(shape)) }, shape.description);
}

/** A $ref's siblings are ignored in OpenAPI 3.0: a described reference is wrapped, as Kubernetes does. */
function described(schema: Schema, description: string | undefined): Schema {
  if (description === undefined) return schema;
  return '$ref' in schema ? { allOf: [schema], description } : { description, ...schema };
}

/**
 * A list merged item by item by patches carries Kubernetes' extensions for both strategic
 * merge patch (`x-kubernetes-patch-*`, which kubectl apply reads) and server-side apply
 * (`x-kubernetes-list-*`).
 */
function listPropertySchema(shape: ListShape, add: Add): Schema {
  const keyed = shape.mergeKey
    ? {
        'x-kubernetes-list-map-keys': shape.mapKeys ?? [shape.mergeKey],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': shape.mergeKey,
        'x-kubernetes-patch-strategy': 'merge',
      }
    : {};
  return { type: 'array', items: itemSchema(shape.of, add), ...keyed };
}

function itemSchema(shape: ItemShape, add: Add): Schema {
  return shape.t === 'scalar'
    ? scalarSchema(shape)
    : described({ $ref: refTo(add(shape)) }, shape.description);
}

function scalarSchema(shape: ScalarShape): Schema {
  switch (shape.scalar) {
    case 'String':
      return { type: 'string', ...(shape.oneOf ? { enum: [...shape.oneOf] } : {}) };
    case 'Int':
      return { type: 'integer' };
    case 'Float':
      return { type: 'number', format: 'double' };
    case 'Boolean':
      return { type: 'boolean' };
    case 'Quantity':
      return { $ref: refTo(QUANTITY) };
    case 'IntOrString':
      return { $ref: refTo(INT_OR_STRING) };
    case 'StringMap':
      return { type: 'object', additionalProperties: { type: 'string' } };
    case 'ResourceList':
      return { type: 'object', additionalProperties: { $ref: refTo(QUANTITY) } };
    case 'JSON':
      return { 'x-kubernetes-preserve-unknown-fields': true };
  }
}

/** apiVersion and kind mean the same on every kind: the shapes need not each say it. */
function withKindDescriptions(schema: Schema): Schema {
  const properties = schema.properties as Record<string, Schema>;
  const orDescribed = (field: string, description: string) =>
    properties[field] && !properties[field].description
      ? { [field]: { description, ...properties[field] } }
      : {};
  return {
    ...schema,
    properties: {
      ...properties,
      ...orDescribed('apiVersion', API_VERSION_DESCRIPTION),
      ...orDescribed('kind', KIND_DESCRIPTION),
    },
  };
}

function listSchema(def: KindDefinition, itemName: string): Schema {
  const { group, version } = groupVersionOf(def);
  return {
    description: `A list of ${def.kind} objects.`,
    type: 'object',
    properties: {
      apiVersion: { description: API_VERSION_DESCRIPTION, type: 'string' },
      items: { description: `The ${def.plural}.`, type: 'array', items: { $ref: refTo(itemName) } },
      kind: { description: KIND_DESCRIPTION, type: 'string' },
      metadata: { allOf: [{ $ref: refTo(`${META}.ListMeta`) }], description: 'Standard list metadata.' },
    },
    required: ['items'],
    'x-kubernetes-group-version-kind': [{ group, kind: `${def.kind}List`, version }],
  };
}

/** The schemas no kind's shape defines, by name. */
const FIXED_SCHEMAS: Record<string, Schema> = {
  ...APIMACHINERY_SCHEMAS,
  ...SCALE_SCHEMAS,
  ...METRICS_SCHEMAS,
};

/** Adds the fixed schemas that the schemas or `referrers` refer to, and those they refer to in turn. */
function addFixedSchemas(schemas: Record<string, Schema>, referrers: unknown): void {
  for (
    let missing = missingRefs([schemas, referrers], schemas);
    missing.length;
    missing = missingRefs(schemas, schemas)
  ) {
    for (const name of missing) {
      const schema = FIXED_SCHEMAS[name];
      if (!schema) throw new Error(`OpenAPI: nothing defines ${name}`);
      schemas[name] = schema;
    }
  }
}

function missingRefs(value: unknown, schemas: Record<string, Schema>): string[] {
  const prefix = refTo('');
  const missing = new Set<string>();
  JSON.stringify(value, (key, item: unknown) => {
    if (key === '$ref' && typeof item === 'string' && !(item.slice(prefix.length) in schemas)) {
      missing.add(item.slice(prefix.length));
    }
    return item;
  });
  return [...missing];
}
