import type { ConfiguredProvider, EncryptionConfig } from './config.ts';
import { isEnvelope, openEnvelope, sealEnvelope } from './envelope.ts';

/** A stored value read back: its JSON, and whether it should be written again under the current key. */
export interface Opened {
  json: string;
  /** Written by another provider or key than the one that writes now: a rewrite moves it to that one. */
  stale: boolean;
}

/** A stored value that no configured provider opens; says which key it needs and why it failed. */
export class DecryptError extends Error {}

const PLAIN: ConfiguredProvider[] = [{ type: 'identity' }];

/**
 * What the store writes for each object's JSON and reads back, by kind, from an
 * EncryptionConfiguration: the first provider of a kind's rule writes, every provider of
 * it reads; kinds no rule covers are stored as JSON.
 */
export class ObjectEncryption {
  private readonly byKind = new Map<string, ConfiguredProvider[]>();

  constructor(config: EncryptionConfig = { rules: [] }) {
    // The first rule naming a kind decides it, as in Kubernetes.
    for (const rule of config.rules)
      for (const kind of rule.kinds) if (!this.byKind.has(kind)) this.byKind.set(kind, rule.providers);
  }

  /** Whether any kind is written encrypted. */
  get encrypts(): boolean {
    for (const providers of this.byKind.values()) if (providers[0].type !== 'identity') return true;
    return false;
  }

  /** The text to store for an object of `kind` whose store key is `key`. */
  seal(kind: string, key: string, json: string): string {
    const writer = this.providersOf(kind)[0];
    if (writer.type === 'identity') return json;
    const cipher = writer.ciphers[0];
    return sealEnvelope({
      provider: cipher.provider,
      keyName: cipher.keyName,
      payload: cipher.seal(Buffer.from(json), key),
    });
  }

  /** The JSON of a stored value; throws DecryptError when no configured provider opens it. */
  open(kind: string, key: string, stored: string): Opened {
    const providers = this.providersOf(kind);
    const writer = providers[0];
    if (!isEnvelope(stored)) {
      if (!providers.some((provider) => provider.type === 'identity'))
        throw new DecryptError('it is stored unencrypted and no identity provider is configured to read it');
      return { json: stored, stale: writer.type !== 'identity' };
    }
    let envelope;
    try {
      envelope = openEnvelope(stored);
    } catch (error) {
      throw new DecryptError((error as Error).message);
    }
    for (const provider of providers) {
      if (provider.type === 'identity' || provider.type !== envelope.provider) continue;
      const cipher = provider.ciphers.find((candidate) => candidate.keyName === envelope.keyName);
      if (!cipher) continue;
      let plain;
      try {
        plain = cipher.open(envelope.payload, key).toString('utf8');
      } catch (error) {
        throw new DecryptError(`${envelope.provider} key "${envelope.keyName}": ${(error as Error).message}`);
      }
      if (!plain.startsWith('{'))
        throw new DecryptError(
          `${envelope.provider} key "${envelope.keyName}" yields no object (another key?)`,
        );
      return { json: plain, stale: writer.type === 'identity' || writer.ciphers[0] !== cipher };
    }
    throw new DecryptError(`no ${envelope.provider} key "${envelope.keyName}" is configured for it`);
  }

  private providersOf(kind: string): ConfiguredProvider[] {
    return this.byKind.get(kind) ?? PLAIN;
  }
}
