import fs from 'node:fs';
import path from 'node:path';
// The SDK's modules one by one, not its index: a verb loads only what it uses (kq starts faster).
import { createClient, type KubeqlClient } from '../client/client.ts';
import { messageOf } from '../client/errors.ts';

/** Where `kq server` and `kq up` write the admin token, under their --data directory. */
const ADMIN_TOKEN_FILE = 'admin.token';
/** ... and the cluster CA, which signs the certificate a server beyond loopback serves. */
const CA_FILE = path.join('tls', 'ca.crt');
const DEFAULT_SERVER = 'http://127.0.0.1:8080/graphql';

/** The flags of every command that talks to a running server. */
export const CONNECTION_OPTIONS = {
  server: { type: 'string' },
  token: { type: 'string' },
  'certificate-authority': { type: 'string' },
  data: { type: 'string', default: '.kubeql' },
} as const;

export const CONNECTION_USAGE = `  --server    the API server (default $KUBEQL_SERVER, else ${DEFAULT_SERVER})
  --token     bearer token (default $KUBEQL_TOKEN, else the admin token in --data)
  --certificate-authority FILE
              the cluster CA (PEM) to trust for an https:// server (default: the one in
              --data, tls/ca.crt, else the system's)
  --data      the server's data directory, for its admin.token and CA (default .kubeql)`;

export interface Connection {
  url: string;
  token: string;
  /** The CA (PEM) to trust for an https:// server; none: the system's. */
  ca?: string;
}

export interface ConnectionValues {
  server?: string;
  token?: string;
  data?: string;
  /** A file holding the CA's PEM. */
  'certificate-authority'?: string;
  /** The CA's PEM in base64, as kq's config and a kubeconfig carry it. */
  'certificate-authority-data'?: string;
}

/** The server URL, token and CA from flags, then the environment (or config), then the data directory. */
export function resolveConnection(values: ConnectionValues): Connection {
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
  return { url, token, ca: /^https:/i.test(url) ? certificateAuthority(values) : undefined };
}

function certificateAuthority(values: ConnectionValues): string | undefined {
  const file = values['certificate-authority'];
  if (file) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`cannot read --certificate-authority ${file}: ${messageOf(error)}`);
    }
    return pem(text, `--certificate-authority ${file}`);
  }
  const data = values['certificate-authority-data'];
  if (data) return pem(Buffer.from(data, 'base64').toString('utf8'), 'certificate-authority-data');
  try {
    return fs.readFileSync(path.join(values.data ?? '.kubeql', CA_FILE), 'utf8');
  } catch {
    return undefined;
  }
}

function pem(text: string, source: string): string {
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`${source} holds no PEM certificate`);
  return text;
}

export function connect(values: ConnectionValues): KubeqlClient {
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
