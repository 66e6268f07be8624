/**
 * How an encrypted value is stored: Kubernetes' prefix naming the provider and the key,
 * then the provider's output. Kubernetes stores that output as raw bytes in etcd; the
 * store's columns are text, so it is base64 here. Plain JSON always starts with "{", so
 * a stored value either carries this prefix or was written by the identity provider.
 */
export interface Envelope {
  provider: string;
  keyName: string;
  payload: Buffer;
}

const PREFIX = 'k8s:enc:';
const VERSION = 'v1';

export function isEnvelope(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

/** `k8s:enc:aesgcm:v1:key1:` for provider aesgcm and key key1. */
export function envelopePrefix(provider: string, keyName: string): string {
  return `${PREFIX}${provider}:${VERSION}:${keyName}:`;
}

export function sealEnvelope(envelope: Envelope): string {
  return envelopePrefix(envelope.provider, envelope.keyName) + envelope.payload.toString('base64');
}

/** The parts of a stored value that carries the prefix; throws, saying what is wrong, when malformed. */
export function openEnvelope(stored: string): Envelope {
  if (!isEnvelope(stored)) throw new Error('the value has no k8s:enc: prefix');
  const parts = stored.slice(PREFIX.length).split(':');
  if (parts.length !== 4 || !parts[0] || !parts[2])
    throw new Error('the value\'s prefix is not "k8s:enc:<provider>:v1:<key name>:"');
  const [provider, version, keyName, payload] = parts;
  if (version !== VERSION) throw new Error(`unknown envelope version "${version}" of ${provider}`);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(payload)) throw new Error('the encrypted payload is not base64');
  return { provider, keyName, payload: Buffer.from(payload, 'base64') };
}
