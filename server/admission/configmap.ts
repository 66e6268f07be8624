import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { ConfigMap } from '../../schema/kinds/configmap.ts';
import type { KindAdmission } from './admission.ts';
import * as validation from './validation.ts';

type ConfigMapObject = ConfigMap & Resource;

/** Kubernetes' cap on a ConfigMap's or Secret's payload, so objects stay well under etcd's request limit. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;
export const PAYLOAD_TOO_LONG = `Too long: must have at most ${MAX_PAYLOAD_BYTES} bytes`;

const BASE64_DIGIT = /[A-Za-z0-9+/]/;

/**
 * Where Go's standard base64 decoder (which Kubernetes decodes these fields with) would
 * give up on `value`, or undefined when it is valid: padding required, line breaks ignored.
 */
export function illegalBase64Byte(value: string): number | undefined {
  let digits = 0;
  let padding = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\r' || c === '\n') continue;
    if (c === '=') {
      if (digits % 4 < 2 || (padding > 0 && (digits + padding) % 4 === 0)) return i;
      padding++;
    } else if (padding > 0 || !BASE64_DIGIT.test(c)) {
      return i;
    } else {
      digits++;
    }
  }
  return (digits + padding) % 4 === 0 ? undefined : value.length;
}

/** Checks a base64 value, reporting as Kubernetes does; returns its decoded size in bytes. */
export function base64Size(value: string, path: string, errors: FieldError[]): number {
  const at = illegalBase64Byte(value);
  if (at === undefined) return Buffer.from(value, 'base64').length;
  errors.push(fieldError(path, 'Invalid', `illegal base64 data at input byte ${at}`));
  return 0;
}

/** Once `immutable` is set, the payload fields and the flag itself are frozen. */
export function frozenPayload<T extends Record<string, unknown>>(
  obj: T,
  old: T | undefined,
  fields: (keyof T & string)[],
  errors: FieldError[],
): void {
  if (old?.immutable !== true) return;
  const message = 'field is immutable when `immutable` is set';
  if (obj.immutable !== true) errors.push(fieldError('immutable', 'Forbidden', message));
  for (const field of fields) {
    if (!sameMap(obj[field] as Record<string, string>, old[field] as Record<string, string>)) {
      errors.push(fieldError(field, 'Forbidden', message));
    }
  }
}

function sameMap(a: Record<string, string> = {}, b: Record<string, string> = {}): boolean {
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key])
  );
}

export const configMapAdmission: KindAdmission<ConfigMapObject> = {
  validate(cm, ctx) {
    const errors: FieldError[] = [];
    let size = 0;
    for (const [key, value] of Object.entries(cm.data ?? {})) {
      validation.configKey(key, joinPath('data', key), errors);
      size += Buffer.byteLength(value, 'utf8');
    }
    for (const [key, value] of Object.entries(cm.binaryData ?? {})) {
      const path = joinPath('binaryData', key);
      validation.configKey(key, path, errors);
      if (cm.data && Object.hasOwn(cm.data, key)) {
        errors.push(
          fieldError(path, 'Duplicate', `Duplicate value: "${key}": duplicate of key present in data`),
        );
      }
      size += base64Size(value, path, errors);
    }
    if (size > MAX_PAYLOAD_BYTES) errors.push(fieldError('data', 'TooLong', PAYLOAD_TOO_LONG));
    frozenPayload(cm, ctx.old, ['data', 'binaryData'], errors);
    return errors;
  },
};
