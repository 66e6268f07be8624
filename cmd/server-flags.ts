import net from 'node:net';
import path from 'node:path';
import { integerFlag } from '../cli/connection.ts';
import { parsePodSecurityDefault } from '../server/admission/pod-security/defaults.ts';
import { DEFAULT_CONNECTION_LIMITS } from '../server/limits/connection-limits.ts';
import type { ServerOptions } from '../server/server.ts';
import { isDnsName } from '../server/tls/certificate.ts';

/** The flags of the API server, which `kq server` and `kq up` both take (node:util parseArgs options). */
export const SERVER_FLAGS = {
  port: { type: 'string', default: '8080' },
  address: { type: 'string', default: '0.0.0.0' },
  data: { type: 'string', default: '.kubeql' },
  'cors-origin': { type: 'string', multiple: true },
  'max-connections': { type: 'string' },
  'max-connections-per-client': { type: 'string' },
  'max-watches': { type: 'string' },
  'max-watches-per-client': { type: 'string' },
  'trusted-proxy': { type: 'string', multiple: true },
  tls: { type: 'boolean' },
  'tls-san': { type: 'string', multiple: true },
  'tls-cert-file': { type: 'string' },
  'tls-private-key-file': { type: 'string' },
  'audit-policy-file': { type: 'string' },
  'audit-log-path': { type: 'string' },
  'audit-log-maxsize': { type: 'string' },
  'audit-log-maxbackup': { type: 'string' },
  'pod-security-default': { type: 'string' },
  'encryption-provider-config': { type: 'string' },
} as const;

const LIMITS = DEFAULT_CONNECTION_LIMITS;

/** The flags' help, with the address the command listens on by default. */
export const serverFlagsUsage = (
  address: string,
) => `  --port      TCP port of the API; 0 picks a free one (default 8080)
  --address   address to listen on (default ${address}); beyond loopback the API is served
              over HTTPS and WSS only, with a certificate signed by the cluster's CA
              (DATA/tls/ca.crt, made on first start: give it to clients)
  --data      directory for the store, the admin token and the CA (default .kubeql)
  --tls       serve HTTPS on a loopback address too
  --tls-san NAME
              a DNS name or IP address the serving certificate is for, besides localhost,
              this host's name and its addresses (a load balancer's, a public name); repeatable
  --tls-cert-file FILE, --tls-private-key-file FILE
              serve this certificate (PEM, chain after it) and key instead of the generated one
  --cors-origin ORIGIN
              a page origin (https://host:port) that may call the API from a browser;
              repeat for more (default: none but the server's own)
  --max-connections N, --max-connections-per-client N
              WebSocket connections at once, in all (${LIMITS.maxConnections}) and from one address (${LIMITS.maxConnectionsPerClient})
  --max-watches N, --max-watches-per-client N
              subscriptions and other operations held open over WebSocket and SSE, in all
              (${LIMITS.maxSubscriptions}) and from one address (${LIMITS.maxSubscriptionsPerClient}); behind a proxy every client shares
              the proxy's address, unless it is trusted:
  --trusted-proxy ADDRESS
              a proxy whose X-Forwarded-For names the client that per-client caps and
              the rate limit count; repeat for more
  --encryption-provider-config FILE
              an EncryptionConfiguration (apiserver.config.k8s.io/v1) saying how Secrets
              are encrypted in the store (default: DATA/encryption-config.yaml, made on
              first start with a random AES-GCM key)
  --pod-security-default LEVEL | MODE=LEVEL,...
              the Pod Security policy of namespaces without pod-security.kubernetes.io
              labels: a level (privileged, baseline, restricted) enforces and warns at it;
              MODE=LEVEL pairs (enforce, audit, warn) set those modes, the others privileged
              (default: baseline; kube-system is privileged unless labelled)
  --audit-policy-file FILE
              an audit.k8s.io/v1 Policy saying at which level each request is audited
              (default: Metadata for all but health probes and reads of Events)
  --audit-log-path FILE
              where audit events go, one JSON line each; - for standard output, "" for
              nowhere (default: DATA/audit.log)
  --audit-log-maxsize MB, --audit-log-maxbackup N
              rotate the audit log past MB megabytes (default 100, 0 never), keeping the
              newest N rotated files (default 0: all)
Set DATABASE_URL=postgresql://... to store in PostgreSQL instead of SQLite.`;

type ServerFlagValues = {
  [K in keyof typeof SERVER_FLAGS]?: K extends 'cors-origin' | 'trusted-proxy' | 'tls-san'
    ? string[]
    : K extends 'tls'
      ? boolean
      : string;
};

/** What the flags ask of the API server; a malformed number is an error naming its flag. */
export function serverOptionsFrom(
  values: ServerFlagValues,
): Pick<
  ServerOptions,
  | 'port'
  | 'address'
  | 'dataDir'
  | 'databaseUrl'
  | 'corsOrigins'
  | 'connectionLimits'
  | 'tls'
  | 'podSecurityDefault'
  | 'encryptionProviderConfig'
  | 'audit'
> {
  const count = (name: keyof typeof SERVER_FLAGS) => {
    const value = values[name];
    return typeof value === 'string' ? integerFlag(name, value, 1) : undefined;
  };
  const connectionLimits = Object.fromEntries(
    Object.entries({
      maxConnections: count('max-connections'),
      maxConnectionsPerClient: count('max-connections-per-client'),
      maxSubscriptions: count('max-watches'),
      maxSubscriptionsPerClient: count('max-watches-per-client'),
      trustedProxies: values['trusted-proxy']?.map(address),
    }).filter(([, value]) => value !== undefined),
  );
  return {
    port: integerFlag('port', values.port ?? SERVER_FLAGS.port.default, 0, 65535),
    address: values.address ?? SERVER_FLAGS.address.default,
    dataDir: path.resolve(values.data ?? SERVER_FLAGS.data.default),
    databaseUrl: process.env.DATABASE_URL,
    corsOrigins: values['cors-origin'],
    connectionLimits,
    tls: tlsOptions(values),
    podSecurityDefault: values['pod-security-default']
      ? parsePodSecurityDefault(values['pod-security-default'])
      : undefined,
    encryptionProviderConfig:
      values['encryption-provider-config'] && path.resolve(values['encryption-provider-config']),
    audit: auditOptions(values),
  };
}

function tlsOptions(values: ServerFlagValues): ServerOptions['tls'] {
  const certFile = values['tls-cert-file'];
  const keyFile = values['tls-private-key-file'];
  if (Boolean(certFile) !== Boolean(keyFile))
    throw new Error('--tls-cert-file and --tls-private-key-file go together: give both');
  if (certFile && values['tls-san']?.length)
    throw new Error(
      '--tls-san names the generated certificate: with --tls-cert-file, the certificate names itself',
    );
  return {
    serve: values.tls,
    sans: values['tls-san']?.map(servingName),
    certFile: certFile && path.resolve(certFile),
    keyFile: keyFile && path.resolve(keyFile),
  };
}

function auditOptions(values: ServerFlagValues): ServerOptions['audit'] {
  const policyFile = values['audit-policy-file'];
  const logPath = values['audit-log-path'];
  const maxSize = values['audit-log-maxsize'];
  const maxBackup = values['audit-log-maxbackup'];
  return {
    policyFile: policyFile && path.resolve(policyFile),
    logPath: logPath && logPath !== '-' ? path.resolve(logPath) : logPath,
    maxBytes: maxSize === undefined ? undefined : integerFlag('audit-log-maxsize', maxSize) * 1024 * 1024,
    maxBackups: maxBackup === undefined ? undefined : integerFlag('audit-log-maxbackup', maxBackup),
  };
}

/** A --tls-san value: an IP address or a DNS name (a leading "*." for a wildcard). */
function servingName(value: string): string {
  if (net.isIP(value) || isDnsName(value)) return value;
  throw new Error(`invalid --tls-san "${value}": give a DNS name or an IP address`);
}

/** A --trusted-proxy value: an IP address, as a socket reports its peer. */
function address(value: string): string {
  if (net.isIP(value) === 0)
    throw new Error(`invalid --trusted-proxy "${value}": give the proxy's IP address`);
  return value;
}
