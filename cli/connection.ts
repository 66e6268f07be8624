import fs from 'node:fs';
import path from 'node:path';
import { createClient, messageOf, type KubeqlClient } from '../client/index.ts';

/** Where `kq server` and `kq up` write the admin token, under their --data directory. */
const ADMIN_TOKEN_FILE = 'admin.token';
const DEFAULT_SERVER = 'http://127.0.0.1:8080/graphql';

/** The flags of every command that talks to a running server. */
export const CONNECTION_OPTIONS = {
  server: { type: 'string' },
  token: { type: 'string' },
  data: { type: 'string', default: '.kubeql' },
} as const;

export const CONNECTION_USAGE = `  --server    the API server (default $KUBEQL_SERVER, else ${DEFAULT_SERVER})
  --token     bearer token (default $KUBEQL_TOKEN, else the admin token in --data)
  --data      the server's data directory, for its admin.token (default .kubeql)`;

export interface Connection {
  url: string;
  token: string;
}

/** The server URL and token from flags, then the environment, then the data directory. */
export function resolveConnection(values: { server?: string; token?: string; data?: string }): Connection {
  let url = values.server ?? process.env.KUBEQL_SERVER ?? DEFAULT_SERVER;
  // Accept the bare origin: the API lives at /graphql.
  if (/^https?:\/\/[^/]+\/?$/.test(url)) url = `${url.replace(/\/$/, '')}/graphql`;
  let token = values.token ?? process.env.KUBEQL_TOKEN;
  if (!token) {
    const file = path.join(values.data ?? '.kubeql', ADMIN_TOKEN_FILE);
    try {
      token = fs.readFileSync(file, 'utf8').trim();
    } catch {
      throw new Error(
        `no token: pass --token, set KUBEQL_TOKEN, or point --data at the server's data directory`,
      );
    }
  }
  return { url, token };
}

export function connect(values: { server?: string; token?: string; data?: string }): KubeqlClient {
  return createClient(resolveConnection(values));
}

/** Runs `stop` on the first SIGINT or SIGTERM, then exits. */
export function stopOnSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    console.log('shutting down');
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`Error while stopping: ${messageOf(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

/** A positive integer flag, or an error naming it. */
export function integerFlag(name: string, value: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`invalid --${name} "${value}"`);
  return n;
}
