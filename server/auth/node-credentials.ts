import crypto from 'node:crypto';
import { nodeGroups, nodeUser } from './node-identity.ts';
import { TOKEN_ISSUER } from './service-account-tokens.ts';
import { SigningKey, type IssuedToken, type SignedClaims } from './signing-key.ts';

/** A year, as the client certificates Kubernetes signs for kubelets. */
export const NODE_CREDENTIAL_SECONDS = 365 * 24 * 3600;
/** What tells a node credential from a ServiceAccount token signed with the same key. */
const NODE_AUDIENCE = 'kubeql.io/node';

/**
 * The credentials nodes run as: JWTs for `system:node:<name>`, signed ES256 with the key that
 * signs ServiceAccount tokens (`SigningKey`) and told from them by their audience, good
 * for a year. Kubernetes gives a kubelet a client certificate through a CertificateSigningRequest
 * instead; like a certificate, a credential is not revoked before it expires.
 */
export class NodeCredentials {
  private readonly key: SigningKey<SignedClaims>;

  constructor(dataDir: string) {
    this.key = new SigningKey(dataDir);
  }

  /** A credential for the node `nodeName`, valid `seconds` from `now` (ms since the epoch). */
  issue(nodeName: string, seconds = NODE_CREDENTIAL_SECONDS, now = Date.now()): IssuedToken {
    const iat = Math.floor(now / 1000);
    const claims: SignedClaims = {
      iss: TOKEN_ISSUER,
      sub: nodeUser(nodeName),
      aud: [NODE_AUDIENCE],
      exp: iat + seconds,
      iat,
      nbf: iat,
      jti: crypto.randomUUID(),
    };
    return this.key.sign(claims);
  }

  /** The node's principal for a credential this server signed that has not expired, or undefined. */
  authenticate(token: string, now = Date.now()): { name: string; groups: string[] } | undefined {
    const claims = this.claimsOf(token);
    if (!claims || !(claims.exp * 1000 > now)) return undefined;
    return { name: claims.sub, groups: nodeGroups() };
  }

  /** When a node credential expires (ms since the epoch); undefined for any other string. */
  expiryOf(token: string): number | undefined {
    const claims = this.claimsOf(token);
    return claims ? claims.exp * 1000 : undefined;
  }

  /** The claims of a node credential this server signed; undefined for any other string. */
  private claimsOf(token: string): SignedClaims | undefined {
    const claims = this.key.claimsOf(token);
    const isNodeCredential =
      claims?.iss === TOKEN_ISSUER &&
      Array.isArray(claims.aud) &&
      claims.aud.includes(NODE_AUDIENCE) &&
      typeof claims.sub === 'string';
    return isNodeCredential ? claims : undefined;
  }
}
