import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { Secret } from '../../schema/kinds/secret.ts';
import type { KindAdmission } from './admission.ts';
import { base64Size, frozenPayload, MAX_PAYLOAD_BYTES, PAYLOAD_TOO_LONG } from './configmap.ts';
import * as validation from './validation.ts';

type SecretObject = Secret & Resource;

/** The data keys each well-known type needs (Kubernetes' ValidateSecret). */
function checkType(secret: SecretObject, errors: FieldError[]): void {
  const data = secret.data ?? {};
  const has = (key: string) => Object.hasOwn(data, key);
  const missing = (key: string) =>
    errors.push(fieldError(joinPath('data', key), 'Required', 'Required value'));
  switch (secret.type) {
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) missing('tls.crt');
      if (!has('tls.key')) missing('tls.key');
      break;
    case 'kubernetes.io/dockerconfigjson':
      if (!has('.dockerconfigjson')) missing('.dockerconfigjson');
      else jsonObject(data['.dockerconfigjson'], joinPath('data', '.dockerconfigjson'), errors);
      break;
    case 'kubernetes.io/dockercfg':
      if (!has('.dockercfg')) missing('.dockercfg');
      else jsonObject(data['.dockercfg'], joinPath('data', '.dockercfg'), errors);
      break;
    case 'kubernetes.io/basic-auth':
      // Either may be empty, but one of the two must be there.
      if (!has('username') && !has('password')) {
        missing('username');
        missing('password');
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if (!data['ssh-privatekey']) missing('ssh-privatekey');
      break;
    case 'kubernetes.io/service-account-token':
      if (!secret.metadata.annotations?.['kubernetes.io/service-account.name']) {
        const path = joinPath('metadata.annotations', 'kubernetes.io/service-account.name');
        errors.push(fieldError(path, 'Required', 'Required value'));
      }
      break;
  }
}

function jsonObject(base64: string, path: string, errors: FieldError[]): void {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('must be a JSON object');
  } catch (err) {
    errors.push(
      fieldError(path, 'Invalid', `Invalid value: "<secret contents redacted>": ${(err as Error).message}`),
    );
  }
}

export const secretAdmission: KindAdmission<SecretObject> = {
  default(secret) {
    secret.type ||= 'Opaque';
    // stringData is a write-only convenience: folded into data here, it is never stored.
    if (secret.stringData) {
      const encoded = Object.entries(secret.stringData).map(([key, value]) => [
        key,
        Buffer.from(value, 'utf8').toString('base64'),
      ]);
      secret.data = { ...secret.data, ...Object.fromEntries(encoded) };
      delete secret.stringData;
    }
  },

  validate(secret, ctx) {
    const errors: FieldError[] = [];
    let size = 0;
    for (const [key, value] of Object.entries(secret.data ?? {})) {
      const path = joinPath('data', key);
      validation.configKey(key, path, errors);
      size += base64Size(value, path, errors);
    }
    if (size > MAX_PAYLOAD_BYTES) errors.push(fieldError('data', 'TooLong', PAYLOAD_TOO_LONG));
    checkType(secret, errors);
    if (ctx.old) validation.immutable(secret.type, ctx.old.type, 'type', errors);
    frozenPayload(secret, ctx.old, ['data'], errors);
    return errors;
  },
};
