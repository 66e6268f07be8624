import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CredentialLifetimes, type CredentialEnd } from './auth/credential-lifetime.ts';
import type { ServiceAccountTokens } from './auth/service-account-tokens.ts';
import type { Principal } from './graphql/builder.ts';

export const ADMIN_TOKEN_FILE = 'admin.token';

/**
 * Bearer-token authentication. On first start the server writes an admin token to
 * DIR/admin.token (readable by its owner only); every HTTP request and every
 * WebSocket connection must present a known token: that one, a ServiceAccount token
 * the server signed (server/auth/service-account-tokens.ts), or one `acceptTokens` added
 * (bootstrap tokens, node credentials). Authorization reads the principal this returns.
 */
export class Authenticator {
  private readonly tokens = new Map<string, Principal>();
  private readonly lifetimes = new CredentialLifetimes((token) => this.authenticate(token) !== undefined);
  private serviceAccounts?: {
    tokens: ServiceAccountTokens;
    uidOf: (namespace: string, name: string) => string | undefined;
  };
  private readonly others: TokenAuthenticator[] = [];

  constructor(dataDir: string) {
    const file = path.join(dataDir, ADMIN_TOKEN_FILE);
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (!fs.existsSync(file)) {
      fs.writeFileSync(file, crypto.randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    }
    const token = fs.readFileSync(file, 'utf8').trim();
    if (!token) throw new Error(`${file} is empty: put a token in it, or delete it to have one generated`);
    this.tokens.set(digest(token), { name: 'admin', groups: ['system:masters'] });
  }

  /** The principal for an `Authorization: Bearer <token>` value (or a bare token), or undefined. */
  authenticate(credentials: unknown): Principal | undefined {
    const token = bearer(credentials);
    if (!token) return undefined;
    // Comparing digests keeps the lookup constant-time in the token's content.
    const known = this.tokens.get(digest(token));
    if (known) return known;
    const account = this.serviceAccounts?.tokens.verify(token, this.serviceAccounts.uidOf);
    if (account) return account;
    for (const other of this.others) {
      const principal = other.authenticate(token);
      if (principal) return principal;
    }
    return undefined;
  }

  /**
   * Calls `end` once `credentials`, which authenticated what it ends (a watch, a WebSocket
   * connection), stop authenticating: a ServiceAccount token at its expiry or when its account
   * is deleted. The admin token does not end. Returns what stops tracking, for what ended otherwise.
   */
  untilInvalid(credentials: unknown, end: (why: CredentialEnd) => void): () => void {
    const token = bearer(credentials);
    const expiresAtMs = token
      ? (this.serviceAccounts?.tokens.expiryOf(token) ??
        this.others.map((other) => other.expiryOf?.(token)).find((ms) => ms !== undefined))
      : undefined;
    if (!token || expiresAtMs === undefined) return () => {};
    return this.lifetimes.track(token, expiresAtMs, end);
  }

  /**
   * Accepts the ServiceAccount tokens `tokens` signed, while `uidOf` (the stored account's
   * uid) matches the uid the token names. Set once the store is open.
   */
  acceptServiceAccountTokens(
    tokens: ServiceAccountTokens,
    uidOf: (namespace: string, name: string) => string | undefined,
  ): void {
    this.serviceAccounts = { tokens, uidOf };
  }

  /** Accepts the tokens `authenticator` knows too (bootstrap tokens, node credentials). Set once the store is open. */
  acceptTokens(authenticator: TokenAuthenticator): void {
    this.others.push(authenticator);
  }
}

/** Another kind of bearer token: who it is, and when it stops being accepted if it has a fixed expiry. */
export interface TokenAuthenticator {
  authenticate(token: string): Principal | undefined;
  expiryOf?(token: string): number | undefined;
}

/** The token of an `Authorization: Bearer <token>` value or a bare token; undefined when there is none. */
function bearer(credentials: unknown): string | undefined {
  if (typeof credentials !== 'string') return undefined;
  return credentials.replace(/^Bearer\s+/i, '').trim() || undefined;
}

function digest(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}
