import fs from 'node:fs';
import path from 'node:path';
import type { KubeqlClient } from '../../client/index.ts';

/** Where a node keeps its credential in its data directory (its owner's only). */
export const NODE_CREDENTIAL_FILE = 'node-credential.token';
/** A credential this close to its expiry is exchanged again, as a kubelet rotates its certificate. */
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

/**
 * The node's own credential (`system:node:<name>`): the one kept in `dataDir` while it is far
 * from its expiry, else a new one the server issues in exchange for what `exchange` connects with
 * (the bootstrap token), then kept for the next start. Kubernetes' kubelet does the same with a
 * client certificate it gets through a CertificateSigningRequest.
 */
export async function nodeCredential(options: {
  nodeName: string;
  dataDir: string;
  /** A client authenticated by the bootstrap token; closed after the exchange. */
  exchange: () => KubeqlClient;
  now?: number;
}): Promise<string> {
  const file = path.join(options.dataDir, NODE_CREDENTIAL_FILE);
  const kept = readCredential(file);
  const now = options.now ?? Date.now();
  if (kept && kept.nodeName === options.nodeName && kept.expiresAtMs - RENEW_BEFORE_MS > now)
    return kept.token;
  const client = options.exchange();
  try {
    const data = await client.request<{ nodeCredential: { token: string } }>(
      `mutation($nodeName: String!) { nodeCredential(nodeName: $nodeName) { token } }`,
      { nodeName: options.nodeName },
    );
    fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    const temporary = `${file}.${process.pid}`;
    fs.writeFileSync(temporary, data.nodeCredential.token + '\n', { mode: 0o600 });
    fs.renameSync(temporary, file);
    return data.nodeCredential.token;
  } finally {
    await client.close();
  }
}

/** The kept credential with its node and expiry, as its claims say; undefined when missing or unreadable. */
function readCredential(file: string): { token: string; nodeName: string; expiresAtMs: number } | undefined {
  let token: string;
  try {
    token = fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      sub?: unknown;
      exp?: unknown;
    };
    const match = typeof claims.sub === 'string' ? /^system:node:(.+)$/.exec(claims.sub) : null;
    if (!match || typeof claims.exp !== 'number') return undefined;
    return { token, nodeName: match[1], expiresAtMs: claims.exp * 1000 };
  } catch {
    return undefined;
  }
}
