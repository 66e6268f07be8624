import crypto from 'node:crypto';

/** The providers of an EncryptionConfiguration that kubeql implements. */
export type ProviderType = 'aesgcm' | 'aescbc' | 'identity';

/** One key of an encrypting provider: seals and opens values under that key. */
export interface Cipher {
  provider: Exclude<ProviderType, 'identity'>;
  keyName: string;
  /** `context` (the object's key) is bound to the result where the mode allows, as Kubernetes binds the etcd key. */
  seal(plain: Buffer, context: string): Buffer;
  /** Throws when the value was not sealed with this key (for aesgcm: for this object). */
  open(sealed: Buffer, context: string): Buffer;
}

export const KEY_SIZES = [16, 24, 32];

const GCM_NONCE = 12;
const GCM_TAG = 16;
const CBC_IV = 16;

/**
 * AES-GCM as Kubernetes' aesgcm provider writes it: a random 12-byte nonce, the
 * ciphertext, the 16-byte tag, with the object's key as additional authenticated data, so
 * a value copied to another row does not open there.
 */
export function aesGcm(keyName: string, key: Buffer): Cipher {
  const algorithm = `aes-${key.length * 8}-gcm` as crypto.CipherGCMTypes;
  return {
    provider: 'aesgcm',
    keyName,
    seal(plain, context) {
      const nonce = crypto.randomBytes(GCM_NONCE);
      const cipher = crypto.createCipheriv(algorithm, key, nonce, { authTagLength: GCM_TAG });
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([nonce, body, cipher.getAuthTag()]);
    },
    open(sealed, context) {
      if (sealed.length < GCM_NONCE + GCM_TAG) throw new Error('the encrypted value is too short');
      const nonce = sealed.subarray(0, GCM_NONCE);
      const tag = sealed.subarray(sealed.length - GCM_TAG);
      const decipher = crypto.createDecipheriv(algorithm, key, nonce, { authTagLength: GCM_TAG });
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([
          decipher.update(sealed.subarray(GCM_NONCE, sealed.length - GCM_TAG)),
          decipher.final(),
        ]);
      } catch {
        throw new Error('message authentication failed (another key, or a damaged value)');
      }
    },
  };
}

/**
 * AES-CBC with PKCS#7 padding and a random 16-byte IV first, as Kubernetes' aescbc
 * writes it: read for configurations that use it. It authenticates nothing, so a wrong key
 * shows only as bad padding or as bytes that are not JSON.
 */
export function aesCbc(keyName: string, key: Buffer): Cipher {
  const algorithm = `aes-${key.length * 8}-cbc`;
  return {
    provider: 'aescbc',
    keyName,
    seal(plain) {
      const iv = crypto.randomBytes(CBC_IV);
      const cipher = crypto.createCipheriv(algorithm, key, iv);
      return Buffer.concat([iv, cipher.update(plain), cipher.final()]);
    },
    open(sealed) {
      if (sealed.length < 2 * CBC_IV || sealed.length % CBC_IV !== 0)
        throw new Error('the encrypted value is not whole AES blocks');
      const decipher = crypto.createDecipheriv(algorithm, key, sealed.subarray(0, CBC_IV));
      try {
        return Buffer.concat([decipher.update(sealed.subarray(CBC_IV)), decipher.final()]);
      } catch {
        throw new Error('bad padding (another key, or a damaged value)');
      }
    },
  };
}
