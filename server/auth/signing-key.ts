import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const SIGNING_KEY_FILE = 'service-account.key';
/** Tokens whose signature has been checked, remembered so that a request costs no ECDSA verify (~200 µs). */
const VERIFIED_CACHE_SIZE = 10_000;

/** The claims every token the server signs carries, as JWT names them. */
export interface SignedClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
}

export interface IssuedToken {
  token: string;
  expirationTimestamp: string;
}

/**
 * The ES256 key the server signs its bearer tokens with (ServiceAccount tokens, node
 * credentials): made on first start in DIR/service-account.key, its owner's only. Each kind
 * of token tells itself from the others by its claims (audience, subject).
 */
export class SigningKey<C extends SignedClaims> {
  /** The key's id (`kid`): the SHA-256 of its public half, as Kubernetes names its keys. */
  readonly keyId: string;
  private readonly privateKey: crypto.KeyObject;
  private readonly publicKey: crypto.KeyObject;
  private readonly verified = new Map<string, C>();

  constructor(dataDir: string) {
    const file = path.join(dataDir, SIGNING_KEY_FILE);
    if (!fs.existsSync(file)) {
      const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
      try {
        fs.writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    this.privateKey = crypto.createPrivateKey(fs.readFileSync(file));
    this.publicKey = crypto.createPublicKey(this.privateKey);
    const der = this.publicKey.export({ type: 'spki', format: 'der' });
    this.keyId = crypto.createHash('sha256').update(der).digest('base64url');
  }

  /** A JWT of `claims`, signed; `header` adds to `alg` and `typ`. */
  sign(claims: C, header: Record<string, string> = {}): IssuedToken {
    const signed = `${encode({ alg: 'ES256', ...header, typ: 'JWT' })}.${encode(claims)}`;
    const signature = crypto.sign('sha256', Buffer.from(signed), {
      key: this.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    return {
      token: `${signed}.${signature.toString('base64url')}`,
      expirationTimestamp: new Date(claims.exp * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
    };
  }

  /** The claims of a token this key signed, remembered; undefined for any other string. */
  claimsOf(token: string): C | undefined {
    const cached = this.verified.get(token);
    if (cached) return cached;
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const valid = crypto.verify(
      'sha256',
      Buffer.from(`${parts[0]}.${parts[1]}`),
      { key: this.publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(parts[2], 'base64url'),
    );
    const claims = valid ? decode<C>(parts[1]) : undefined;
    if (!claims) return undefined;
    // Dropping all at the bound is simple and rare: each token is then verified once more.
    if (this.verified.size >= VERIFIED_CACHE_SIZE) this.verified.clear();
    this.verified.set(token, claims);
    return claims;
  }
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decode<C>(segment: string): C | undefined {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as C;
  } catch {
    return undefined;
  }
}
