import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import { isPlainObject } from '../../schema/shape-check.ts';
import { TYPES, type JSONSchemaProps } from './json-schema.ts';

/**
 * Checks that a version's openAPIV3Schema is structural, as Kubernetes requires of
 * apiextensions.k8s.io/v1: an object at the root, and a `type` on every node unless it
 * preserves unknown fields or is an int-or-string. Reports on `path` with Kubernetes'
 * messages (`...properties[spec].type: Required value: must not be empty for specified
 * object fields`).
 */
export function checkStructural(schema: unknown, path: string, errors: FieldError[]): void {
  if (!isPlainObject(schema)) {
    errors.push(fieldError(path, 'Required', 'Required value: schemas are required'));
    return;
  }
  const root = schema as JSONSchemaProps;
  if (root.type !== undefined && root.type !== 'object')
    errors.push(
      fieldError(
        joinPath(path, 'type'),
        'Invalid',
        `Invalid value: "${root.type}": must be object at the root`,
      ),
    );
  checkNode(root, path, errors, true);
}

function checkNode(node: JSONSchemaProps, path: string, errors: FieldError[], root = false): void {
  const free =
    node['x-kubernetes-preserve-unknown-fields'] === true || node['x-kubernetes-int-or-string'] === true;
  if (node.type === undefined && !free) {
    const message = root ? 'must not be empty at the root' : 'must not be empty for specified object fields';
    errors.push(fieldError(joinPath(path, 'type'), 'Required', `Required value: ${message}`));
  } else if (node.type !== undefined && !TYPES.includes(node.type)) {
    const allowed = TYPES.map((t) => `"${t}"`).join(', ');
    errors.push(
      fieldError(
        joinPath(path, 'type'),
        'NotSupported',
        `Unsupported value: "${node.type}": supported values: ${allowed}`,
      ),
    );
  }
  if (node.type === 'array' && !isPlainObject(node.items))
    errors.push(fieldError(joinPath(path, 'items'), 'Required', 'Required value: must be specified'));
  if (
    node.properties !== undefined &&
    node.additionalProperties !== undefined &&
    node.additionalProperties !== false
  )
    errors.push(
      fieldError(
        joinPath(path, 'additionalProperties'),
        'Forbidden',
        'Forbidden: additionalProperties and properties are mutual exclusive',
      ),
    );
  if (node.pattern !== undefined) {
    try {
      new RegExp(node.pattern, 'u');
    } catch {
      errors.push(
        fieldError(
          joinPath(path, 'pattern'),
          'Invalid',
          `Invalid value: "${node.pattern}": must be a valid regular expression`,
        ),
      );
    }
  }
  if (isPlainObject(node.properties)) {
    for (const [key, child] of Object.entries(node.properties)) {
      const at = `${path}.properties[${key}]`;
      if (isPlainObject(child)) checkNode(child, at, errors);
      else errors.push(fieldError(at, 'Invalid', 'Invalid value: must be a schema object'));
    }
  }
  if (isPlainObject(node.items)) checkNode(node.items, joinPath(path, 'items'), errors);
  if (isPlainObject(node.additionalProperties))
    checkNode(node.additionalProperties, joinPath(path, 'additionalProperties'), errors);
}
