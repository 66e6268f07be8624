import { fieldError, joinPath, type FieldError } from './field-error.ts';
import { parseQuantity } from './quantity.ts';
import type { Shape } from './shape.ts';

/**
 * Keys refused wherever values nest (objects, free-form JSON): JavaScript gives them
 * meaning (`obj.__proto__ = x` replaces the prototype; `constructor` and `prototype`
 * lead to the functions behind it), so storing one invites prototype pollution in
 * whatever copies or merges the object next.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Keys refused in a string map (labels, annotations, ConfigMap data), and so anywhere in
 * a merge patch, which may carry a string map's keys: a string map's values are
 * strings, so no path of keys goes on through `constructor` to a prototype, and
 * Kubernetes allows `constructor` and `prototype` there like any other key. `__proto__`
 * stays refused: an own `__proto__` becomes a prototype the first time anything copies
 * the map by assignment.
 */
export const MAP_RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__']);

export function reservedKey(path: string, key: string): FieldError {
  return fieldError(
    joinPath(path, key),
    'Forbidden',
    `"${key}" is a reserved name and may not be used as a key`,
  );
}

/** Reserved keys anywhere in a value that a shape does not describe field by field (maps, JSON). */
function reservedKeysIn(value: unknown, path: string, reserved: ReadonlySet<string>): FieldError[] {
  const found: FieldError[] = [];
  // A loop, not recursion: free-form JSON may nest as deep as its sender likes.
  const pending: Array<[unknown, string]> = [[value, path]];
  while (pending.length > 0) {
    const [item, at] = pending.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    for (const [key, child] of Object.entries(item)) {
      if (!Array.isArray(item) && reserved.has(key)) found.push(reservedKey(at, key));
      else pending.push([child, joinPath(at, Array.isArray(item) ? Number(key) : key)]);
    }
  }
  return found;
}

/**
 * Checks a decoded manifest against its shape: types, allowed enum values, required
 * fields, and no field the shape does not know (strict decoding, like kubectl's
 * `--validate=strict`), so a typo is an error instead of a silently dropped setting.
 * Semantic rules (names, selectors, immutability) live in admission.
 */
export function checkShape(shape: Shape, value: unknown, path: string, errors: FieldError[]): void {
  if (value === undefined || value === null) {
    if (shape.required) errors.push(fieldError(path, 'Required', 'Required value'));
    return;
  }
  switch (shape.t) {
    case 'object': {
      if (!isPlainObject(value)) {
        errors.push(fieldError(path, 'Invalid', `expected an object, got ${describe(value)}`));
        return;
      }
      for (const key of Object.keys(value)) {
        // Own fields only: `key in fields` would take toString and __proto__ for known fields.
        if (RESERVED_KEYS.has(key)) errors.push(reservedKey(path, key));
        else if (!Object.hasOwn(shape.fields, key))
          errors.push(fieldError(joinPath(path, key), 'UnknownField', `unknown field "${key}"`));
      }
      for (const [key, field] of Object.entries(shape.fields))
        checkShape(field, value[key], joinPath(path, key), errors);
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) {
        errors.push(fieldError(path, 'Invalid', `expected a list, got ${describe(value)}`));
        return;
      }
      value.forEach((item, i) => {
        if (item === null || item === undefined)
          errors.push(fieldError(joinPath(path, i), 'Required', 'Required value'));
        else checkShape(shape.of, item, joinPath(path, i), errors);
      });
      return;
    }
    case 'scalar': {
      const reserved = reservedKeysIn(
        value,
        path,
        shape.scalar === 'StringMap' ? MAP_RESERVED_KEYS : RESERVED_KEYS,
      );
      if (reserved.length) {
        errors.push(...reserved);
        return;
      }
      const problem = scalarProblem(shape.scalar, value);
      if (problem) errors.push(fieldError(path, 'Invalid', problem));
      else if (shape.oneOf && !shape.oneOf.includes(value as string)) {
        const allowed = shape.oneOf.map((v) => `"${v}"`).join(', ');
        errors.push(
          fieldError(
            path,
            'NotSupported',
            `Unsupported value: "${String(value)}": supported values: ${allowed}`,
          ),
        );
      }
    }
  }
}

function scalarProblem(scalar: string, value: unknown): string | undefined {
  switch (scalar) {
    case 'String':
      return typeof value === 'string' ? undefined : `expected a string, got ${describe(value)}`;
    case 'Int':
      return Number.isSafeInteger(value) ? undefined : `expected an integer, got ${describe(value)}`;
    case 'Float':
      return typeof value === 'number' && Number.isFinite(value)
        ? undefined
        : `expected a number, got ${describe(value)}`;
    case 'Boolean':
      return typeof value === 'boolean' ? undefined : `expected a boolean, got ${describe(value)}`;
    case 'IntOrString':
      return typeof value === 'string' || Number.isSafeInteger(value)
        ? undefined
        : `expected an integer or a string, got ${describe(value)}`;
    case 'Quantity':
      return quantityProblem(value);
    case 'ResourceList':
      if (!isPlainObject(value)) return `expected a map of quantities, got ${describe(value)}`;
      for (const [k, v] of Object.entries(value)) {
        const problem = quantityProblem(v);
        if (problem) return `"${k}": ${problem}`;
      }
      return undefined;
    case 'StringMap':
      if (!isPlainObject(value)) return `expected a map of strings, got ${describe(value)}`;
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string') return `value of "${k}" must be a string, got ${describe(v)}`;
      }
      return undefined;
    default:
      return undefined;
  }
}

function quantityProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number')
    return `expected a quantity, got ${describe(value)}`;
  return parseQuantity(value) === undefined
    ? `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`
    : undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}
