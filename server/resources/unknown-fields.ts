import { joinPath } from '../../schema/field-error.ts';
import type { KindDefinition } from '../../schema/kind.ts';
import type { Shape } from '../../schema/shape.ts';
import { isPlainObject, RESERVED_KEYS } from '../../schema/shape-check.ts';
import { ApiError } from '../errors.ts';

/**
 * What a write does with fields the kind's shape does not know, as Kubernetes'
 * `fieldValidation` says: Strict refuses the request, Warn drops them with a warning each,
 * Ignore drops them silently.
 */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface UnknownFieldPolicy {
  /** Unset, unknown fields stay and the shape check refuses them as INVALID (GraphQL's rule). */
  fieldValidation?: FieldValidation;
  /** Receives each warning of `Warn`. */
  warn?: (message: string) => void;
}

/**
 * Applies the policy to `value` (an object of `def`, or its part at `path` described by
 * `shape`), removing unknown fields in place unless it refuses them.
 */
export function handleUnknownFields(
  def: KindDefinition,
  shape: Shape,
  value: unknown,
  path: string,
  policy: UnknownFieldPolicy,
): void {
  if (!policy.fieldValidation) return;
  const unknown = dropUnknownFields(shape, value, path, []);
  if (unknown.length === 0) return;
  const messages = unknown.map((field) => `unknown field ${JSON.stringify(field)}`);
  if (policy.fieldValidation === 'Strict') throw strictDecodingError(def, messages);
  if (policy.fieldValidation === 'Warn') for (const message of messages) policy.warn?.(message);
}

/** Kubernetes' BadRequest for a Strict request with unknown or duplicate fields. */
export function strictDecodingError(def: KindDefinition, problems: string[]): ApiError {
  const version = def.apiVersion.split('/').pop();
  return new ApiError(
    'BAD_REQUEST',
    `${def.kind} in version "${version}" cannot be handled as a ${def.kind}: strict decoding error: ${problems.join(', ')}`,
  );
}

/**
 * Removes from `value`, in place, every field its shape does not describe, and returns
 * their paths. Reserved keys stay, for the shape check to refuse. Recurses as deep as the
 * shape, not as deep as the value.
 */
function dropUnknownFields(shape: Shape, value: unknown, path: string, found: string[]): string[] {
  if (shape.t === 'object' && isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      const at = joinPath(path, key);
      if (RESERVED_KEYS.has(key)) continue;
      if (!Object.hasOwn(shape.fields, key)) {
        found.push(at);
        delete value[key];
      } else {
        dropUnknownFields(shape.fields[key], value[key], at, found);
      }
    }
  } else if (shape.t === 'list' && Array.isArray(value)) {
    value.forEach((item, i) => dropUnknownFields(shape.of, item, joinPath(path, i), found));
  }
  return found;
}
