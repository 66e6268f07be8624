import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { kindByName } from '../schema/kinds/index.ts';
import { currentSchema } from './graphql/live-schema.ts';
import { buildSchema } from './graphql/schema.ts';
import { admissionsWith } from './admission/index.ts';
import type { Policy } from './admission/pod-security/levels.ts';
import { Authenticator } from './auth.ts';
import { DEFAULT_LIMITS, type Limits } from './limits/hardening.ts';
import { DEFAULT_CONNECTION_LIMITS, Quota, type ConnectionLimits } from './limits/connection-limits.ts';
import { httpTimeouts } from './http/http-timeouts.ts';
import { AccessControl } from './auth/access-control.ts';
import { podUidLookup } from './auth/token-binding.ts';
import { authenticateBootstrapToken } from './auth/node-bootstrap-tokens.ts';
import { HttpAudit } from './audit/http-audit.ts';
import { Auditor, type AuditOptions } from './audit/recorder.ts';
import { useAudit } from './audit/use-audit.ts';
import { serveCustomResources } from './crd/registry.ts';
import {
  bootstrapApiService,
  bootstrapClusterInfo,
  bootstrapIngressClass,
  bootstrapNamespaces,
  bootstrapRbac,
  bootstrapStorage,
} from './bootstrap.ts';
import { INDEXERS } from './indexers.ts';
import { renderMetrics } from './metrics.ts';
import { pages } from './http/pages.ts';
import { isRestPath, restApi } from './rest/rest.ts';
import { restUpgrades } from './rest/upgrades.ts';
import { ResourceService } from './resources/service.ts';
import { openDatabase } from './store/database.ts';
import { encryptionAtRest } from './store/encryption/encryption-at-rest.ts';
import { Persistence } from './store/persistence.ts';
import { Store } from './store/store.ts';
import { WatchHub } from './watch/hub.ts';
import { LiveQueries } from './live/live-queries.ts';
import { serveWebSocket } from './websocket/websocket.ts';
import { createYogaApp } from './http/yoga.ts';
import { createListener, listenerTls, urlHost } from './tls/listener.ts';
import type { TlsOptions } from './tls/serving-tls.ts';

export interface ServerOptions {
  port: number;
  /** Where to listen (0.0.0.0); beyond loopback the server speaks HTTPS and WSS only. */
  address?: string;
  dataDir: string;
  /** TLS on loopback too, extra names for the generated certificate, or a certificate of the user's. */
  tls?: TlsOptions;
  databaseUrl?: string;
  limits?: Partial<Limits>;
  /** Caps on connections and subscriptions, HTTP timeouts, slow WebSocket consumers. */
  connectionLimits?: Partial<ConnectionLimits>;
  retainEvents?: number;
  /** The event log's budget in bytes as stored (32 MiB): past it, the oldest events go. */
  retainBytes?: number;
  retainMs?: number;
  compactEveryMs?: number;
  bookmarkEveryMs?: number;
  log?: (line: string) => void;
  /** The dashboard's production build, served at / (default: web/dist of this checkout). */
  webDir?: string;
  /** Origins whose pages may call the API (CORS, as --cors-origin); none but its own by default. */
  corsOrigins?: string[];
  /** The audit log (--audit-policy-file, --audit-log-path, ...): Metadata to DATA/audit.log by default. */
  audit?: AuditOptions;
  /**
   * An EncryptionConfiguration file (as --encryption-provider-config); without one, the data
   * directory's own, made on first start with a random AES-GCM key for Secrets.
   */
  encryptionProviderConfig?: string;
  /**
   * The Pod Security policy of namespaces without its labels (as --pod-security-default):
   * enforce and warn baseline by default, kube-system privileged.
   */
  podSecurityDefault?: Policy;
}

export interface RunningServer {
  /** The API endpoint, https:// when the server speaks TLS. */
  url: string;
  port: number;
  /** The cluster CA (PEM) that signed the serving certificate, for clients to trust (as kubeconfig's certificate-authority-data). */
  ca?: string;
  resources: ResourceService;
  /** RBAC and the ServiceAccount tokens: what an in-process client's context carries too. */
  access: AccessControl;
  /** Stops accepting, finishes in-flight requests and writes, ends subscriptions, closes the store. */
  close(): Promise<void>;
}

/** Opens the store and serves the API at /graphql (HTTP, SSE and WebSocket) plus health and metrics. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const log = options.log ?? ((line: string) => console.error(line));
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const connectionLimits = { ...DEFAULT_CONNECTION_LIMITS, ...options.connectionLimits };
  const auth = new Authenticator(options.dataDir);
  const auditor = Auditor.open(options.audit, options.dataDir, log);
  const httpAudit = new HttpAudit(auditor, auth, connectionLimits.trustedProxies);
  const address = options.address ?? '0.0.0.0';
  const tls = listenerTls({ dataDir: options.dataDir, address, tls: options.tls, log });
  const { encryption } = encryptionAtRest({
    configFile: options.encryptionProviderConfig,
    dataDir: options.dataDir,
  });
  const { db, provider } = await openDatabase({ dataDir: options.dataDir, databaseUrl: options.databaseUrl });
  const store = await Store.open(new Persistence(db, provider, encryption), {
    retainEvents: options.retainEvents ?? 20_000,
    retainBytes: options.retainBytes ?? 32 * 1024 * 1024,
    retainMs: options.retainMs ?? 60 * 60 * 1000,
    compactEveryMs: options.compactEveryMs ?? 30_000,
    indexers: INDEXERS,
    onError: (error) => log(`store: ${error instanceof Error ? error.message : String(error)}`),
  });
  const hub = new WatchHub(store, { bookmarkEveryMs: options.bookmarkEveryMs ?? 60_000, maxBacklog: 10_000 });
  const admissions = admissionsWith({ podSecurityDefault: options.podSecurityDefault });
  const resources = new ResourceService(store, hub, admissions);
  await bootstrapNamespaces(resources);
  await bootstrapRbac(resources);
  await bootstrapStorage(resources);
  await bootstrapIngressClass(resources);
  const access = new AccessControl(options.dataDir, resources);
  const stopCustomResources = serveCustomResources(store, resources, log);
  auth.acceptServiceAccountTokens(access.tokens, access.serviceAccountUid);
  access.tokens.bindPods(podUidLookup(resources));
  auth.acceptTokens(access.nodeCredentials);
  auth.acceptTokens({
    authenticate: (token) =>
      authenticateBootstrapToken(token, (namespace, name) =>
        resources.get(kindByName('Secret')!, namespace, name),
      ),
  });

  const schema = buildSchema();
  // Operations held open over WebSocket and subscriptions over SSE, against the same caps.
  const operations = new Quota(connectionLimits.maxSubscriptions, connectionLimits.maxSubscriptionsPerClient);
  const shared = { auth, limits, connectionLimits, operations, log };
  const live = new LiveQueries(store, limits, log);
  const yoga = createYogaApp({
    ...shared,
    schema,
    currentSchema,
    resources,
    access,
    live,
    corsOrigins: options.corsOrigins,
    audit: useAudit(auditor, connectionLimits.trustedProxies),
  });
  const servePages = pages({
    auth,
    log,
    webDir: options.webDir,
    trustedProxies: connectionLimits.trustedProxies,
  });
  // The Kubernetes REST API (server/rest/), beside GraphQL on the same port, for kubectl.
  const serveRest = restApi({ auth, access, resources, log });
  let ready = true;

  const listener = createListener(tls, { timeouts: httpTimeouts(connectionLimits), log }, (req, res) => {
    httpAudit.track(req, res);
    const path = req.url?.split('?')[0];
    if (path === '/healthz' || path === '/livez') return plain(res, 200, 'ok');
    if (path === '/readyz') return ready ? plain(res, 200, 'ok') : plain(res, 503, 'shutting down');
    if (path === '/metrics') {
      // For callers granted `get /metrics` (a nonResourceURL), as Kubernetes guards its own.
      const refused = access.pathRefusal(auth.authenticate(req.headers.authorization), 'get', path);
      if (refused) return plain(res, refused.status, refused.message);
      return plain(
        res,
        200,
        `${renderMetrics(store, hub, live)}\n${auditor.metrics()}`,
        'text/plain; version=0.0.4',
      );
    }
    if (path && isRestPath(path)) return serveRest(req, res);
    if (servePages(req, res)) return;
    void yoga(req, res);
  });
  const server = listener.server;
  // permessage-deflate from 1 KiB: a list shrinks 10 to 30 times. Without context takeover, as ws
  // keeps to the threshold only then (with it, every message is compressed, at ~8× the CPU of a
  // plain one); with 2 KiB windows, as ws keeps a connection's deflate context, mostly its window,
  // for the connection's life: ~125 KiB instead of ~265 KiB, and lists compress as well.
  const wss = new WebSocketServer({
    noServer: true,
    path: '/graphql',
    maxPayload: limits.maxBodyBytes,
    perMessageDeflate: { threshold: 1024, serverNoContextTakeover: true, serverMaxWindowBits: 11 },
  });
  const ws = serveWebSocket({
    ...shared,
    wss,
    yoga,
    onUnauthenticated: (req) => httpAudit.unauthenticated(req),
  });
  // One 'upgrade' listener routes by path: a `ws` server attached to the HTTP server would
  // answer 400 to every upgrade off its own path, the REST API's exec and attach included.
  const upgrades = restUpgrades({ auth, access, resources, log, maxPayload: limits.maxBodyBytes });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = req.url?.split('?')[0];
    if (path && isRestPath(path)) return upgrades.handle(req, socket, head);
    wss.handleUpgrade(req, socket, head, (client) => wss.emit('connection', client, req));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, address, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  // Once listening: the port may have been chosen only now.
  const serving = { address, port, scheme: listener.scheme, ca: listener.ca };
  await bootstrapApiService(resources, serving);
  await bootstrapClusterInfo(resources, serving);

  return {
    url: `${listener.scheme}://${urlHost(address)}:${port}/graphql`,
    port,
    ca: listener.ca,
    resources,
    access,
    close: async () => {
      ready = false;
      listener.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      hub.close();
      live.close();
      stopCustomResources();
      resources.tunnels.close();
      await Promise.all([ws.dispose(), upgrades.close()]);
      const forced = setTimeout(() => server.closeAllConnections(), 5000);
      await closed;
      clearTimeout(forced);
      await Promise.all([store.close(), auditor.flush()]);
    },
  };
}

function plain(res: http.ServerResponse, status: number, body: string, type = 'text/plain'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body + (body.endsWith('\n') ? '' : '\n'));
}
