import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../errors.ts';
import { serviceAccountGroups, serviceAccountUser } from './service-account-names.ts';

export const SIGNING_KEY_FILE = 'service-account.key';

/** Who issues the tokens and whom they are for, as Kubernetes' default issuer and audience. */
export const TOKEN_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export const DEFAULT_EXPIRATION_SECONDS = 3600;
/** Tokens whose signature has been checked, remembered so that a request costs no ECDSA verify (~200 µs). */
const VERIFIED_CACHE_SIZE = 10_000;
/** Kubernetes refuses shorter bound tokens. */
export const MIN_EXPIRATION_SECONDS = 600;

/** The ServiceAccount a token is for, with the uid that ties the token to that very object. */
export interface ServiceAccountRef {
  namespace: string;
  name: string;
  uid: string;
}

export interface IssuedToken {
  token: string;
  expirationTimestamp: string;
}

interface Claims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': { namespace: string; serviceaccount: { name: string; uid: string } };
}

/**
 * Bound ServiceAccount tokens (TokenRequest): JWTs signed ES256 with a key the server makes
 * on first start and keeps in DIR/service-account.key (its owner's only), claims as
 * Kubernetes writes them. A token is good until it expires, and only while the ServiceAccount
 * it names still exists with the same uid: deleting the account revokes its tokens.
 */
export class ServiceAccountTokens {
  private readonly privateKey: crypto.KeyObject;
  private readonly publicKey: crypto.KeyObject;
  private readonly keyId: string;
  private readonly verified = new Map<string, Claims>();

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

  /** A token for `account`, valid `seconds` from `now` (ms since the epoch). */
  issue(account: ServiceAccountRef, seconds = DEFAULT_EXPIRATION_SECONDS, now = Date.now()): IssuedToken {
    if (!Number.isInteger(seconds) || seconds < MIN_EXPIRATION_SECONDS) {
      throw new ApiError(
        'INVALID',
        `TokenRequest.authentication.k8s.io "${account.name}" is invalid: spec.expirationSeconds: Invalid value: ${seconds}: may not specify a duration less than ${MIN_EXPIRATION_SECONDS} seconds`,
        [
          {
            path: 'spec.expirationSeconds',
            reason: 'Invalid',
            message: `may not specify a duration less than ${MIN_EXPIRATION_SECONDS} seconds`,
          },
        ],
      );
    }
    const iat = Math.floor(now / 1000);
    const claims: Claims = {
      iss: TOKEN_ISSUER,
      sub: serviceAccountUser(account.namespace, account.name),
      aud: [TOKEN_ISSUER],
      exp: iat + seconds,
      iat,
      nbf: iat,
      jti: crypto.randomUUID(),
      'kubernetes.io': {
        namespace: account.namespace,
        serviceaccount: { name: account.name, uid: account.uid },
      },
    };
    const header = encode({ alg: 'ES256', kid: this.keyId, typ: 'JWT' });
    const signed = `${header}.${encode(claims)}`;
    const signature = crypto.sign('sha256', Buffer.from(signed), {
      key: this.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    return {
      token: `${signed}.${signature.toString('base64url')}`,
      expirationTimestamp: new Date(claims.exp * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
    };
  }

  /**
   * The principal of a token this server signed that has not expired and whose
   * ServiceAccount still has the uid it names (`uidOf` looks it up), or undefined.
   */
  verify(
    token: string,
    uidOf: (namespace: string, name: string) => string | undefined,
    now = Date.now(),
  ): { name: string; groups: string[] } | undefined {
    const claims = this.verified.get(token) ?? this.checkSignature(token);
    if (!claims || claims.iss !== TOKEN_ISSUER || !(claims.exp * 1000 > now)) return undefined;
    const { namespace, serviceaccount } = claims['kubernetes.io'] ?? {};
    if (!namespace || !serviceaccount?.name) return undefined;
    if (uidOf(namespace, serviceaccount.name) !== serviceaccount.uid) return undefined;
    return {
      name: serviceAccountUser(namespace, serviceaccount.name),
      groups: serviceAccountGroups(namespace),
    };
  }

  /** When a token this server signed expires (ms since the epoch); undefined for any other string. */
  expiryOf(token: string): number | undefined {
    const claims = this.verified.get(token) ?? this.checkSignature(token);
    return claims ? claims.exp * 1000 : undefined;
  }

  /** The claims of a token this server signed, remembered; undefined for any other string. */
  private checkSignature(token: string): Claims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const valid = crypto.verify(
      'sha256',
      Buffer.from(`${parts[0]}.${parts[1]}`),
      { key: this.publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(parts[2], 'base64url'),
    );
    const claims = valid ? decode(parts[1]) : undefined;
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

function decode(segment: string): Claims | undefined {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Claims;
  } catch {
    return undefined;
  }
}
