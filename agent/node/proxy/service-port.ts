import net from 'node:net';
import { messageOf } from '../../../client/index.ts';
import { systemClock, type Clock } from '../../../lib/clock.ts';
import { RoundRobin, type Backend } from './balancer.ts';
import { forward } from './tcp-forward.ts';

/** One TCP port of one service, as the proxy serves it. */
export interface ServicePortSpec {
  /** namespace/name:portName — stable while the service keeps the port. */
  key: string;
  /** namespace/name of the service (and of its Endpoints). */
  service: string;
  /** '' for an unnamed port. */
  portName: string;
  clusterIP: string;
  port: number;
  nodePort?: number;
  /** ClientIP session affinity's idle timeout; unset for none. */
  affinityMs?: number;
}

export interface ServicePortOptions {
  /** Where the portal listener binds (the node's bridge gateway, where REDIRECT delivers). */
  portalAddress: string;
  /** Where node ports bind. */
  nodePortAddress: string;
  /** The ready backends of the port, read at each connection so endpoint changes apply at once. */
  backends(): Backend[];
  /**
   * Whether NetworkPolicy lets the client reach a backend (every backend when absent):
   * the proxy connects from the node, so no chain sees the client's address.
   */
  allows?(clientIP: string, backend: Backend): boolean;
  deadlineMs: number;
  attemptTimeoutMs: number;
  /** How often a node port that is taken (by another agent on this machine) is tried again. */
  nodePortRetryMs: number;
  /** Where session affinity and connect deadlines read the time (the system clock by default). */
  clock?: Clock;
  log(line: string): void;
}

/**
 * The listeners of one service port: the portal (an ephemeral port that iptables
 * redirects the cluster IP to) and, for NodePort services, the node port. Both spread
 * connections over the same backends with the same round-robin.
 */
export class ServicePortProxy {
  private readonly balancer: RoundRobin;
  private readonly portal: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private nodePortServer?: net.Server;
  private nodePortTimer?: ReturnType<typeof setTimeout>;
  private closed = false;

  private constructor(
    public spec: ServicePortSpec,
    private readonly options: ServicePortOptions,
  ) {
    this.balancer = new RoundRobin(spec.affinityMs);
    this.portal = this.server();
  }

  /** Opens the portal listener (and the node port, in the background). */
  static async open(spec: ServicePortSpec, options: ServicePortOptions): Promise<ServicePortProxy> {
    const proxy = new ServicePortProxy(spec, options);
    await new Promise<void>((resolve, reject) => {
      proxy.portal.once('error', reject);
      proxy.portal.listen({ host: options.portalAddress, port: 0 }, () => {
        proxy.portal.off('error', reject);
        proxy.portal.on('error', (error) => options.log(`service ${spec.key}: ${messageOf(error)}`));
        resolve();
      });
    });
    proxy.openNodePort();
    return proxy;
  }

  /** The ephemeral port the cluster IP is redirected to. */
  get proxyPort(): number {
    return (this.portal.address() as net.AddressInfo).port;
  }

  /** Applies a changed service (cluster IP, port numbers, affinity); the portal port stays. */
  update(spec: ServicePortSpec): void {
    const nodePortChanged = spec.nodePort !== this.spec.nodePort;
    this.spec = spec;
    this.balancer.affinityMs = spec.affinityMs;
    if (nodePortChanged) {
      this.closeNodePort();
      this.openNodePort();
    }
  }

  /** Closes the listeners and the connections through them. */
  close(): void {
    this.closed = true;
    this.portal.close();
    this.closeNodePort();
    for (const socket of this.sockets) socket.destroy();
  }

  private server(): net.Server {
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
      const clientIP = client.remoteAddress?.replace(/^::ffff:/, '') ?? '';
      const clock = this.options.clock ?? systemClock;
      void forward(client, {
        candidates: () => this.balancer.order(this.allowedBackends(clientIP), clientIP, clock.now()),
        connected: (backend) => this.balancer.connected(clientIP, backend, clock.now()),
        clock,
        deadlineMs: this.options.deadlineMs,
        attemptTimeoutMs: this.options.attemptTimeoutMs,
        track: (socket) => {
          this.sockets.add(socket);
          socket.once('close', () => this.sockets.delete(socket));
        },
      });
    });
    return server;
  }

  /** A client no backend admits waits out the deadline and is reset, as a dropped connection times out. */
  private allowedBackends(clientIP: string): Backend[] {
    const { backends, allows } = this.options;
    return allows ? backends().filter((backend) => allows(clientIP, backend)) : backends();
  }

  /**
   * Listens on the node port; while another process holds it (the other agent of a
   * machine running two), tries again every few seconds, so this one takes over when
   * that one dies.
   */
  private openNodePort(): void {
    const port = this.spec.nodePort;
    if (port === undefined || this.closed) return;
    const server = this.server();
    this.nodePortServer = server;
    server.on('error', (error: NodeJS.ErrnoException) => {
      if (this.nodePortServer !== server) return;
      this.nodePortServer = undefined;
      if (error.code !== 'EADDRINUSE')
        this.options.log(`service ${this.spec.key}: node port ${port}: ${messageOf(error)}`);
      this.nodePortTimer = setTimeout(() => this.openNodePort(), this.options.nodePortRetryMs);
      this.nodePortTimer.unref();
    });
    server.listen({ host: this.options.nodePortAddress, port });
  }

  private closeNodePort(): void {
    clearTimeout(this.nodePortTimer);
    this.nodePortServer?.close();
    this.nodePortServer = undefined;
  }
}
