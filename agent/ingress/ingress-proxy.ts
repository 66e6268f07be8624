import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import {
  createInformer,
  messageOf,
  type Informer,
  type ListWatchClient,
  type Resource,
} from '../../client/index.ts';
import type { Endpoints } from '../../schema/kinds/endpoints.ts';
import { KUBEQL_INGRESS_CONTROLLER, type IngressClassSpec } from '../../schema/kinds/ingressclass.ts';
import type { ServiceSpec } from '../../schema/kinds/service.ts';
import { backendsOf, RoundRobin, type Backend } from '../node/proxy/balancer.ts';
import { servedIngresses } from './ingress-class.ts';
import { RouteTable, type IngressObject, type Route } from './routes.ts';
import { TlsCertificates, type SecretObject } from './tls-certificates.ts';

type ServiceObject = Resource & { spec?: ServiceSpec };
type EndpointsObject = Resource & Endpoints;
type IngressClassObject = Resource & { spec?: IngressClassSpec };

export interface IngressProxyOptions {
  client: ListWatchClient;
  /** Where the listeners bind (every address by default). */
  address?: string;
  /** The HTTP port (0: any free port, see `ports`). */
  httpPort: number;
  /** The HTTPS port for Ingresses with `tls` (0: any free port; absent: no HTTPS). */
  httpsPort?: number;
  /** The controller whose IngressClasses this proxy serves (kubeql's by default). */
  controller?: string;
  /** How long one connect attempt to a backend may take (default 1 s) before the next is tried. */
  connectTimeoutMs?: number;
  log?: (line: string) => void;
}

/** Headers that describe one connection, not the request: never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer'];

/**
 * An ingress controller's data plane on one node, as ingress-nginx is on a node that
 * runs it: HTTP (and HTTPS, with the certificates the Ingresses' `tls` Secrets hold,
 * chosen by SNI) on the node's ingress ports, each request routed by host and path
 * (RouteTable) to the ready endpoints of the Service port the Ingress names — straight
 * to the pods, round-robin, the next one tried when one refuses. What it reads (Ingresses,
 * IngressClasses, Services, Endpoints, Secrets) comes from informers: a change applies
 * to the next request. No route: 404; a Service without ready endpoints: 503; a backend
 * that fails mid-request: 502. WebSocket upgrades are proxied too.
 */
export class IngressProxy {
  private readonly ingresses: Informer<IngressObject>;
  private readonly classes: Informer<IngressClassObject>;
  private readonly services: Informer<ServiceObject>;
  private readonly endpoints: Informer<EndpointsObject>;
  private readonly secrets: Informer<SecretObject>;
  private readonly certificates: TlsCertificates;
  private readonly balancers = new Map<string, RoundRobin>();
  private readonly servers: net.Server[] = [];
  private readonly sockets = new Set<net.Socket>();
  private readonly log: (line: string) => void;
  /** Connections to backends kept open between requests, as ingress-nginx keeps its upstream ones. */
  private readonly agent = new http.Agent({ keepAlive: true });
  private table?: RouteTable;

  constructor(private readonly options: IngressProxyOptions) {
    this.log = options.log ?? ((line) => console.error(line));
    const onError = (error: unknown) => this.log(`ingress proxy: ${messageOf(error)}`);
    const informer = <T extends Resource>(kind: string) =>
      createInformer<T>(options.client, kind, {}, { onError });
    this.ingresses = informer<IngressObject>('Ingress');
    this.classes = informer<IngressClassObject>('IngressClass');
    this.services = informer<ServiceObject>('Service');
    this.endpoints = informer<EndpointsObject>('Endpoints');
    this.secrets = informer<SecretObject>('Secret');
    this.certificates = new TlsCertificates(this.secrets, () => this.served(), this.log);
    const stale = () => {
      this.table = undefined;
      this.certificates.invalidate();
    };
    for (const source of [this.ingresses, this.classes] as Informer<Resource>[])
      source.addEventHandler({ onAdd: stale, onUpdate: stale, onDelete: stale });
    this.secrets.addEventHandler({ onUpdate: stale, onDelete: stale, onAdd: stale });
  }

  /** The ports listened on (the chosen ones when 0 was asked for). */
  ports: { http?: number; https?: number } = {};

  async start(): Promise<void> {
    const informers = [this.ingresses, this.classes, this.services, this.endpoints, this.secrets];
    for (const informer of informers) informer.start();
    await Promise.all(informers.map((informer) => informer.waitForSync()));
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.serve(req, res);
    const plain = http.createServer(handler);
    this.ports.http = await this.listen(plain, this.options.httpPort);
    if (this.options.httpsPort !== undefined) {
      const secure = https.createServer(
        { SNICallback: (name, done) => done(null, this.certificates.contextFor(name)) },
        handler,
      );
      this.ports.https = await this.listen(secure, this.options.httpsPort);
    }
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.agent.destroy();
    await Promise.all(this.servers.map((server) => new Promise((resolve) => server.close(resolve))));
    await Promise.all(
      [this.ingresses, this.classes, this.services, this.endpoints, this.secrets].map((i) => i.stop()),
    );
  }

  private async listen(server: http.Server | https.Server, port: number): Promise<number> {
    server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) =>
      this.upgrade(req, socket, head),
    );
    server.on('connection', (socket: net.Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.options.address ?? '0.0.0.0', () => resolve());
    });
    this.servers.push(server);
    return (server.address() as net.AddressInfo).port;
  }

  private served(): IngressObject[] {
    return servedIngresses(
      this.ingresses.list(),
      this.classes.list(),
      this.options.controller ?? KUBEQL_INGRESS_CONTROLLER,
    );
  }

  private route(req: http.IncomingMessage): Route | undefined {
    this.table ??= new RouteTable(this.served());
    return this.table.match(req.headers.host, req.url ?? '/');
  }

  /** The ready endpoints of the route's Service port, in the order to try them; or why there are none. */
  private backends(route: Route, clientIP: string): { backends: Backend[]; balancer?: RoundRobin } {
    const key = `${route.namespace}/${route.service}`;
    const service = this.services.get(key);
    const port = service?.spec?.ports?.find((p) =>
      route.port.number !== undefined ? p.port === route.port.number : p.name === route.port.name,
    );
    if (!port) return { backends: [] };
    const portName = port.name ?? '';
    const balancerKey = `${key}:${portName}`;
    let balancer = this.balancers.get(balancerKey);
    if (!balancer) this.balancers.set(balancerKey, (balancer = new RoundRobin()));
    const ready = backendsOf(this.endpoints.get(key), portName);
    return { backends: balancer.order(ready, clientIP), balancer };
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const route = this.route(req);
    if (!route) return plainAnswer(res, 404, 'default backend - 404');
    const clientIP = req.socket.remoteAddress ?? '';
    const { backends, balancer } = this.backends(route, clientIP);
    if (backends.length === 0) return plainAnswer(res, 503, '503 Service Temporarily Unavailable');
    const headers = forwardedHeaders(req, req.socket instanceof tls.TLSSocket ? 'https' : 'http');
    const attempt = (index: number) => {
      const backend = backends[index];
      const upstream = http.request({
        host: backend.ip,
        port: backend.port,
        method: req.method,
        path: req.url,
        headers,
        agent: this.agent,
        timeout: this.options.connectTimeoutMs ?? 1_000,
      });
      let connected = false;
      // The body flows only once a backend accepted the connection, so a refusal can still go to the next.
      const onConnected = () => {
        connected = true;
        upstream.setTimeout(0);
        balancer?.connected(clientIP, backend);
        req.pipe(upstream);
      };
      upstream.on('socket', (socket) => {
        if (socket.connecting) socket.once('connect', onConnected);
        else onConnected();
      });
      upstream.on('timeout', () => upstream.destroy(new Error('connect timed out')));
      upstream.on('response', (response) => {
        res.writeHead(response.statusCode ?? 502, withoutHopByHop(response.headers));
        response.pipe(res);
      });
      upstream.on('error', (error) => {
        // Before anything was sent the next backend may take the request; after, it is lost.
        if (!connected && index + 1 < backends.length) return attempt(index + 1);
        this.log(`ingress ${route.ingress}: ${backend.ip}:${backend.port}: ${messageOf(error)}`);
        if (!res.headersSent) plainAnswer(res, 502, '502 Bad Gateway');
        else res.destroy();
      });
    };
    attempt(0);
  }

  /** A WebSocket (or any Upgrade) request: the head written to the backend, then bytes both ways. */
  private upgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    const route = this.route(req);
    const { backends } = route ? this.backends(route, socket.remoteAddress ?? '') : { backends: [] };
    const backend = backends[0];
    if (!backend) {
      socket.end(`HTTP/1.1 ${route ? '503 Service Unavailable' : '404 Not Found'}\r\n\r\n`);
      return;
    }
    const upstream = net.connect(backend.port, backend.ip, () => {
      const headers = forwardedHeaders(req, socket instanceof tls.TLSSocket ? 'https' : 'http', true);
      const lines = Object.entries(headers).flatMap(([name, value]) =>
        (Array.isArray(value) ? value : [value]).map((v) => `${name}: ${v}`),
      );
      upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    const close = () => {
      upstream.destroy();
      socket.destroy();
    };
    upstream.on('error', close);
    socket.on('error', close);
  }
}

function plainAnswer(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}

function withoutHopByHop(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const kept: http.OutgoingHttpHeaders = { ...headers };
  for (const name of HOP_BY_HOP) delete kept[name];
  return kept;
}

/** The request's headers for the backend: its own Host kept, and who asked, as ingress-nginx adds them. */
function forwardedHeaders(
  req: http.IncomingMessage,
  scheme: 'http' | 'https',
  upgrade = false,
): http.OutgoingHttpHeaders {
  const headers = upgrade ? { ...req.headers } : withoutHopByHop(req.headers);
  const client = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '';
  const earlier = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = earlier ? `${earlier}, ${client}` : client;
  headers['x-real-ip'] = client;
  headers['x-forwarded-host'] = req.headers.host ?? '';
  headers['x-forwarded-proto'] = scheme;
  return headers;
}
