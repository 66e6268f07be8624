/**
 * A problem with one field of a manifest, reported with its path the way Kubernetes
 * does (`spec.template.spec.containers[0].image`), so a user can find it at once.
 */
export interface FieldError {
  path: string;
  /** Kubernetes' cause types: FieldValueRequired, FieldValueInvalid, FieldValueNotSupported, ... */
  reason:
    | 'Required'
    | 'Invalid'
    | 'NotSupported'
    | 'Duplicate'
    | 'Forbidden'
    | 'TooLong'
    | 'TooMany'
    | 'UnknownField';
  message: string;
}

export function fieldError(path: string, reason: FieldError['reason'], message: string): FieldError {
  return { path, reason, message };
}

export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}
