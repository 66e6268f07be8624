import crypto from 'node:crypto';
import { ApiError } from '../errors.ts';
import { serviceAccountGroups, serviceAccountUser } from './service-account-names.ts';
import { SigningKey, type IssuedToken, type SignedClaims } from './signing-key.ts';

export type { IssuedToken } from './signing-key.ts';

/** Who issues the tokens and whom they are for, as Kubernetes' default issuer and audience. */
export const TOKEN_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export const DEFAULT_EXPIRATION_SECONDS = 3600;
/** Kubernetes refuses shorter bound tokens. */
export const MIN_EXPIRATION_SECONDS = 600;

/** The ServiceAccount a token is for, with the uid that ties the token to that very object. */
export interface ServiceAccountRef {
  namespace: string;
  name: string;
  uid: string;
}

/**
 * What a token is for beyond its ServiceAccount (TokenRequest's spec): the audiences that
 * accept it (the API's own by default), and the Pod it lives and dies with.
 */
export interface TokenBinding {
  audiences?: readonly string[];
  pod?: { name: string; uid: string };
}

/** The uid of a stored Pod, or undefined when there is none of that name. */
export type PodUidLookup = (namespace: string, name: string) => string | undefined;

interface Claims extends SignedClaims {
  'kubernetes.io': {
    namespace: string;
    serviceaccount: { name: string; uid: string };
    pod?: { name: string; uid: string };
  };
}

/**
 * Bound ServiceAccount tokens (TokenRequest): JWTs signed ES256 with a key the server makes
 * on first start and keeps in DIR/service-account.key (its owner's only), claims as
 * Kubernetes writes them. A token is good until it expires, and only while the ServiceAccount
 * it names still exists with the same uid: deleting the account revokes its tokens; so does
 * deleting the Pod a token is bound to. The API accepts only tokens whose audiences include
 * its own (TOKEN_ISSUER): one asked for another audience is for that audience only.
 */
export class ServiceAccountTokens {
  private readonly key: SigningKey<Claims>;
  private podUidOf: PodUidLookup = () => undefined;

  constructor(dataDir: string) {
    this.key = new SigningKey(dataDir);
  }

  /** Where tokens bound to a Pod find whether it is still there (none are accepted until this is set). */
  bindPods(podUidOf: PodUidLookup): void {
    this.podUidOf = podUidOf;
  }

  /** A token for `account`, valid `seconds` from `now` (ms since the epoch). */
  issue(
    account: ServiceAccountRef,
    seconds = DEFAULT_EXPIRATION_SECONDS,
    now = Date.now(),
    binding: TokenBinding = {},
  ): IssuedToken {
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
      aud: binding.audiences?.length ? [...binding.audiences] : [TOKEN_ISSUER],
      exp: iat + seconds,
      iat,
      nbf: iat,
      jti: crypto.randomUUID(),
      'kubernetes.io': {
        namespace: account.namespace,
        serviceaccount: { name: account.name, uid: account.uid },
        ...(binding.pod ? { pod: { name: binding.pod.name, uid: binding.pod.uid } } : {}),
      },
    };
    return this.key.sign(claims, { kid: this.key.keyId });
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
    const claims = this.key.claimsOf(token);
    if (!claims || claims.iss !== TOKEN_ISSUER || !(claims.exp * 1000 > now)) return undefined;
    if (!Array.isArray(claims.aud) || !claims.aud.includes(TOKEN_ISSUER)) return undefined;
    const { namespace, serviceaccount, pod } = claims['kubernetes.io'] ?? {};
    if (!namespace || !serviceaccount?.name) return undefined;
    if (uidOf(namespace, serviceaccount.name) !== serviceaccount.uid) return undefined;
    if (pod && this.podUidOf(namespace, pod.name) !== pod.uid) return undefined;
    return {
      name: serviceAccountUser(namespace, serviceaccount.name),
      groups: serviceAccountGroups(namespace),
    };
  }

  /** When a token this server signed expires (ms since the epoch); undefined for any other string. */
  expiryOf(token: string): number | undefined {
    const claims = this.key.claimsOf(token);
    return claims ? claims.exp * 1000 : undefined;
  }
}
