import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import { isPlainObject } from '../../schema/shape-check.ts';
import type { JSONSchemaProps } from './json-schema.ts';

/**
 * Checks a custom object's value against its version's schema: required, enum, pattern,
 * bounds on numbers, strings, lists and maps, as deep as the schema goes, with the
 * messages of Kubernetes' OpenAPI validation (`spec.replicas: Invalid value: 0:
 * spec.replicas in body should be greater than or equal to 1`). Types are the shape
 * check's, which has run before.
 */
export function validateAgainstSchema(
  schema: JSONSchemaProps,
  value: unknown,
  path: string,
  errors: FieldError[],
): void {
  if (value === undefined || value === null) return;
  const shown = JSON.stringify(value);
  const at = path || '<root>';
  if (schema.enum && !schema.enum.some((allowed) => JSON.stringify(allowed) === shown)) {
    const supported = schema.enum.map((allowed) => JSON.stringify(allowed)).join(', ');
    errors.push(
      fieldError(path, 'NotSupported', `Unsupported value: ${shown}: supported values: ${supported}`),
    );
  }
  if (typeof value === 'string') {
    if (schema.pattern !== undefined && !matches(schema.pattern, value))
      errors.push(
        fieldError(
          path,
          'Invalid',
          `Invalid value: ${shown}: ${at} in body should match '${schema.pattern}'`,
        ),
      );
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength)
      errors.push(
        fieldError(
          path,
          'Invalid',
          `Invalid value: ${shown}: ${at} in body should be at least ${schema.minLength} chars long`,
        ),
      );
    if (schema.maxLength !== undefined && length > schema.maxLength)
      errors.push(fieldError(path, 'TooLong', `Too long: may not be more than ${schema.maxLength} bytes`));
  }
  if (typeof value === 'number') {
    if (
      schema.minimum !== undefined &&
      (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum)
    )
      errors.push(
        fieldError(
          path,
          'Invalid',
          `Invalid value: ${shown}: ${at} in body should be greater than ${schema.exclusiveMinimum ? '' : 'or equal to '}${schema.minimum}`,
        ),
      );
    if (
      schema.maximum !== undefined &&
      (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum)
    )
      errors.push(
        fieldError(
          path,
          'Invalid',
          `Invalid value: ${shown}: ${at} in body should be less than ${schema.exclusiveMaximum ? '' : 'or equal to '}${schema.maximum}`,
        ),
      );
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems)
      errors.push(
        fieldError(
          path,
          'Invalid',
          `Invalid value: ${value.length}: ${at} in body should have at least ${schema.minItems} items`,
        ),
      );
    if (schema.maxItems !== undefined && value.length > schema.maxItems)
      errors.push(
        fieldError(path, 'TooMany', `Too many: ${value.length}: must have at most ${schema.maxItems} items`),
      );
    if (schema.items)
      value.forEach((item, i) => validateAgainstSchema(schema.items!, item, joinPath(path, i), errors));
    return;
  }
  if (!isPlainObject(value)) return;
  const keys = Object.keys(value);
  if (schema.minProperties !== undefined && keys.length < schema.minProperties)
    errors.push(
      fieldError(
        path,
        'Invalid',
        `Invalid value: ${keys.length}: ${at} in body should have at least ${schema.minProperties} properties`,
      ),
    );
  if (schema.maxProperties !== undefined && keys.length > schema.maxProperties)
    errors.push(
      fieldError(
        path,
        'TooMany',
        `Too many: ${keys.length}: must have at most ${schema.maxProperties} items`,
      ),
    );
  for (const key of schema.required ?? [])
    if (value[key] === undefined || value[key] === null)
      errors.push(fieldError(joinPath(path, key), 'Required', 'Required value'));
  for (const [key, child] of Object.entries(value)) {
    const sub =
      schema.properties?.[key] ??
      (isPlainObject(schema.additionalProperties) ? schema.additionalProperties : undefined);
    if (sub) validateAgainstSchema(sub, child, joinPath(path, key), errors);
  }
}

/**
 * A custom object's errors against its version's schema, for the top-level fields
 * `checked` selects (apiVersion, kind and metadata are the apiserver's own to check).
 */
export function objectSchemaErrors(
  schema: JSONSchemaProps,
  obj: Record<string, unknown>,
  checked: (field: string) => boolean,
): FieldError[] {
  const errors: FieldError[] = [];
  for (const key of schema.required ?? [])
    if (checked(key) && obj[key] === undefined) errors.push(fieldError(key, 'Required', 'Required value'));
  for (const [key, child] of Object.entries(schema.properties ?? {}))
    if (checked(key)) validateAgainstSchema(child, obj[key], key, errors);
  return errors;
}

/**
 * Fills the schema's defaults in place where a value is missing, as Kubernetes defaults a
 * custom object on every write: inside objects that are there, never creating a parent.
 */
export function applyDefaults(schema: JSONSchemaProps, value: unknown): void {
  if (Array.isArray(value)) {
    if (schema.items) for (const item of value) applyDefaults(schema.items, item);
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (value[key] === undefined && child.default !== undefined) value[key] = structuredClone(child.default);
    applyDefaults(child, value[key]);
  }
  if (isPlainObject(schema.additionalProperties))
    for (const [key, child] of Object.entries(value))
      if (!schema.properties?.[key]) applyDefaults(schema.additionalProperties, child);
}

const compiled = new Map<string, RegExp | undefined>();

/** ECMA-262 with Unicode, close to the RE2 patterns Kubernetes compiles; a bad pattern matches nothing. */
function matches(pattern: string, value: string): boolean {
  if (!compiled.has(pattern)) {
    try {
      compiled.set(pattern, new RegExp(pattern, 'u'));
    } catch {
      compiled.set(pattern, undefined);
    }
  }
  return compiled.get(pattern)?.test(value) ?? false;
}
