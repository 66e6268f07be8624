import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { LabelSelector } from '../../schema/kinds/meta.ts';

/** Reusable checks with Kubernetes' rules and messages (apimachinery's validation package). */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

export function dns1123Label(value: string, path: string, errors: FieldError[]): void {
  if (value.length > 63) errors.push(fieldError(path, 'TooLong', 'must be no more than 63 characters'));
  if (!DNS1123_LABEL.test(value)) {
    errors.push(
      fieldError(
        path,
        'Invalid',
        `Invalid value: "${value}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`,
      ),
    );
  }
}

export function dns1123Subdomain(value: string, path: string, errors: FieldError[]): void {
  if (value.length > 253) errors.push(fieldError(path, 'TooLong', 'must be no more than 253 characters'));
  if (!DNS1123_SUBDOMAIN.test(value)) {
    errors.push(
      fieldError(
        path,
        'Invalid',
        `Invalid value: "${value}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      ),
    );
  }
}

/** A label or annotation key: an optional DNS subdomain prefix and a name of at most 63 characters. */
export function qualifiedName(value: string, path: string, errors: FieldError[]): void {
  const slash = value.lastIndexOf('/');
  const name = slash >= 0 ? value.slice(slash + 1) : value;
  if (slash >= 0) {
    const prefix = value.slice(0, slash);
    if (!prefix || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)) {
      errors.push(
        fieldError(path, 'Invalid', `Invalid value: "${value}": prefix part must be a DNS-1123 subdomain`),
      );
      return;
    }
  }
  if (!name || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    errors.push(
      fieldError(
        path,
        'Invalid',
        `Invalid value: "${value}": name part must consist of alphanumeric characters, '-', '_' or '.', must start and end with an alphanumeric character, and be at most 63 characters`,
      ),
    );
  }
}

export function labelValue(value: string, path: string, errors: FieldError[]): void {
  if (value.length > 63 || !LABEL_VALUE.test(value)) {
    errors.push(
      fieldError(
        path,
        'Invalid',
        `Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters)`,
      ),
    );
  }
}

export function labels(map: Record<string, string> | undefined, path: string, errors: FieldError[]): void {
  for (const [key, value] of Object.entries(map ?? {})) {
    qualifiedName(key, joinPath(path, key), errors);
    labelValue(value, joinPath(path, key), errors);
  }
}

export function annotations(
  map: Record<string, string> | undefined,
  path: string,
  errors: FieldError[],
): void {
  let size = 0;
  for (const [key, value] of Object.entries(map ?? {})) {
    qualifiedName(key, joinPath(path, key), errors);
    size += key.length + value.length;
  }
  if (size > 256 * 1024) errors.push(fieldError(path, 'TooLong', 'may not be more than 262144 bytes'));
}

/** A ConfigMap or Secret key. */
export function configKey(key: string, path: string, errors: FieldError[]): void {
  if (!key || key.length > 253 || !CONFIG_KEY.test(key)) {
    errors.push(
      fieldError(
        path,
        'Invalid',
        `Invalid value: "${key}": a valid config key must consist of alphanumeric characters, '-', '_' or '.'`,
      ),
    );
  }
}

export function portNumber(value: number | undefined, path: string, errors: FieldError[]): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    errors.push(
      fieldError(path, 'Invalid', `Invalid value: ${value}: must be between 1 and 65535, inclusive`),
    );
  }
}

/** A port given by number or by IANA service name (targetPort, probe ports). */
export function portNumberOrName(
  value: number | string | null | undefined,
  path: string,
  errors: FieldError[],
): void {
  // An explicit null is an absent value, as Kubernetes decodes it.
  if (value === undefined || value === null) return;
  if (typeof value === 'number') return portNumber(value, path, errors);
  if (value.length > 15 || !IANA_SVC_NAME.test(value) || !/[a-z]/.test(value) || value.includes('--')) {
    errors.push(
      fieldError(
        path,
        'Invalid',
        `Invalid value: "${value}": must contain only lowercase alphanumerics and '-', at most 15 characters`,
      ),
    );
  }
}

/** A Service or Endpoints port name: required when there are several ports, a DNS label, unique. */
export function portName(
  name: string | undefined,
  portCount: number,
  path: string,
  seen: Set<string>,
  errors: FieldError[],
): void {
  if (!name) {
    if (portCount > 1) errors.push(fieldError(path, 'Required', 'Required value'));
    return;
  }
  dns1123Label(name, path, errors);
  if (seen.has(name)) errors.push(fieldError(path, 'Duplicate', `Duplicate value: "${name}"`));
  seen.add(name);
}

export function nonNegative(value: number | undefined, path: string, errors: FieldError[]): void {
  if (value !== undefined && value < 0) {
    errors.push(fieldError(path, 'Invalid', `Invalid value: ${value}: must be greater than or equal to 0`));
  }
}

export function positive(value: number | undefined, path: string, errors: FieldError[]): void {
  if (value !== undefined && value <= 0) {
    errors.push(fieldError(path, 'Invalid', `Invalid value: ${value}: must be greater than 0`));
  }
}

/** An int or a percentage string such as "25%" (maxSurge, maxUnavailable). */
export function intOrPercent(value: number | string | undefined, path: string, errors: FieldError[]): void {
  if (value === undefined) return;
  if (typeof value === 'number') return nonNegative(value, path, errors);
  const match = /^(\d+)%$/.exec(value);
  if (!match)
    errors.push(
      fieldError(path, 'Invalid', `Invalid value: "${value}": must be an integer or percentage (e.g '5%')`),
    );
  else if (Number(match[1]) > 100)
    errors.push(fieldError(path, 'Invalid', `Invalid value: "${value}": must not be greater than 100%`));
}

export function labelSelector(selector: LabelSelector | undefined, path: string, errors: FieldError[]): void {
  if (!selector) return;
  labels(selector.matchLabels, joinPath(path, 'matchLabels'), errors);
  selector.matchExpressions?.forEach((req, i) => {
    const at = joinPath(joinPath(path, 'matchExpressions'), i);
    qualifiedName(req.key, joinPath(at, 'key'), errors);
    const hasValues = (req.values?.length ?? 0) > 0;
    if ((req.operator === 'In' || req.operator === 'NotIn') && !hasValues) {
      errors.push(
        fieldError(
          joinPath(at, 'values'),
          'Required',
          "must be specified when `operator` is 'In' or 'NotIn'",
        ),
      );
    }
    if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && hasValues) {
      errors.push(
        fieldError(
          joinPath(at, 'values'),
          'Forbidden',
          "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        ),
      );
    }
  });
}

/** Deep equality as JSON sees it: key order and keys holding undefined do not matter. */
export function equivalent(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const entries = (o: object) => Object.entries(o).filter(([, value]) => value !== undefined);
  const left = entries(a);
  const right = new Map(entries(b));
  return (
    left.length === right.size &&
    left.every(([key, value]) => right.has(key) && equivalent(value, right.get(key)))
  );
}

/** Reports a change to a field that may not change after creation. */
export function immutable(next: unknown, prev: unknown, path: string, errors: FieldError[]): void {
  if (!equivalent(next, prev)) errors.push(fieldError(path, 'Invalid', 'field is immutable'));
}

/** A name that only has to be one segment of a URL path (RBAC objects, references by kind and name). */
export function pathSegmentName(value: string, path: string, errors: FieldError[]): void {
  if (value === '.' || value === '..') {
    errors.push(fieldError(path, 'Invalid', `Invalid value: "${value}": may not be '${value}'`));
    return;
  }
  for (const c of ['/', '%']) {
    if (value.includes(c))
      errors.push(fieldError(path, 'Invalid', `Invalid value: "${value}": may not contain '${c}'`));
  }
}

/** A value that must be one of `supported`, reported as Kubernetes' NotSupported. */
export function supported(
  value: string | undefined,
  values: readonly string[],
  path: string,
  errors: FieldError[],
): void {
  if (value === undefined || values.includes(value)) return;
  const list = values.map((v) => `"${v}"`).join(', ');
  errors.push(fieldError(path, 'NotSupported', `Unsupported value: "${value}": supported values: ${list}`));
}

export function required(
  value: unknown,
  path: string,
  errors: FieldError[],
  message = 'Required value',
): void {
  const missing =
    value === undefined ||
    value === null ||
    value === '' ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);
  if (missing) errors.push(fieldError(path, 'Required', message));
}
