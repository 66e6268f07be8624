import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Principal } from './graphql/builder.ts';

export const ADMIN_TOKEN_FILE = 'admin.token';

/**
 * Bearer-token authentication. On first start the server writes an admin token to
 * DIR/admin.token (readable by its owner only); every HTTP request and every
 * WebSocket connection must present a known token. Authorization will read the
 * principal this returns.
 */
export class Authenticator {
  private readonly tokens = new Map<string, Principal>();

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
    if (typeof credentials !== 'string') return undefined;
    const token = credentials.replace(/^Bearer\s+/i, '').trim();
    if (!token) return undefined;
    // Comparing digests keeps the lookup constant-time in the token's content.
    return this.tokens.get(digest(token));
  }
}

function digest(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}
