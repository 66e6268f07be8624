import crypto from 'node:crypto';
import { fieldError, type FieldError } from '../../schema/field-error.ts';
import type { KindDefinition, Resource } from '../../schema/kind.ts';
import { annotations, dns1123Subdomain, labels, qualifiedName } from '../admission/validation.ts';

/** Kubernetes' alphabet for generated name suffixes: no vowels, no look-alikes. */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(length = 5): string {
  const bytes = crypto.randomBytes(length);
  let out = '';
  for (const byte of bytes) out += SUFFIX_ALPHABET[byte % SUFFIX_ALPHABET.length];
  return out;
}

/** RFC 3339 with second precision, as Kubernetes writes timestamps. */
export function timestamp(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Fields of metadata the server owns: a client's values are replaced on every write. */
export function systemMeta(obj: Resource, from: Resource | undefined, now: string): void {
  const meta = obj.metadata;
  meta.uid = from?.metadata.uid ?? crypto.randomUUID();
  meta.creationTimestamp = from?.metadata.creationTimestamp ?? now;
  meta.generation = from?.metadata.generation ?? 1;
  if (from?.metadata.deletionTimestamp) {
    meta.deletionTimestamp = from.metadata.deletionTimestamp;
    meta.deletionGracePeriodSeconds = from.metadata.deletionGracePeriodSeconds;
  } else {
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
  }
  delete meta.resourceVersion;
  if (!meta.generateName) delete meta.generateName;
}

/** Metadata rules common to every kind (apimachinery's ValidateObjectMeta). */
export function validateMeta(
  def: KindDefinition,
  obj: Resource,
  old: Resource | undefined,
  checkName: (name: string, path: string, errors: FieldError[]) => void = dns1123Subdomain,
): FieldError[] {
  const errors: FieldError[] = [];
  const meta = obj.metadata;
  if (obj.apiVersion !== def.apiVersion) {
    errors.push(
      fieldError(
        'apiVersion',
        'Invalid',
        `Invalid value: "${obj.apiVersion}": must be "${def.apiVersion}" for kind ${def.kind}`,
      ),
    );
  }
  if (!meta.name) errors.push(fieldError('metadata.name', 'Required', 'name or generateName is required'));
  else checkName(meta.name, 'metadata.name', errors);
  labels(meta.labels, 'metadata.labels', errors);
  annotations(meta.annotations, 'metadata.annotations', errors);
  meta.finalizers?.forEach((finalizer, i) => qualifiedName(finalizer, `metadata.finalizers[${i}]`, errors));
  const refs = meta.ownerReferences ?? [];
  refs.forEach((ref, i) => {
    if (!ref.uid)
      errors.push(fieldError(`metadata.ownerReferences[${i}].uid`, 'Invalid', 'uid must not be empty'));
  });
  if (refs.filter((ref) => ref.controller).length > 1) {
    errors.push(
      fieldError('metadata.ownerReferences', 'Invalid', 'Only one reference can have Controller set to true'),
    );
  }
  if (old?.metadata.deletionTimestamp) {
    const before = new Set(old.metadata.finalizers ?? []);
    const added = (meta.finalizers ?? []).filter((f) => !before.has(f));
    if (added.length) {
      errors.push(
        fieldError(
          'metadata.finalizers',
          'Forbidden',
          `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`,
        ),
      );
    }
  }
  return errors;
}
