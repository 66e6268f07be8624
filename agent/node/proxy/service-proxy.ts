import {
  createInformer,
  keyOf,
  messageOf,
  type Informer,
  type ListWatchClient,
  type Resource,
} from '../../../client/index.ts';
import type { Clock } from '../../../lib/clock.ts';
import type { Endpoints } from '../../../schema/kinds/endpoints.ts';
import type { ServiceSpec } from '../../../schema/kinds/service.ts';
import { backendsOf } from './balancer.ts';
import { PortalTable, type Portal } from './iptables.ts';
import { ServicePortProxy, type ServicePortOptions, type ServicePortSpec } from './service-port.ts';

type ServiceObject = Resource & { spec?: ServiceSpec };
type EndpointsObject = Resource & Endpoints;

export interface ServiceProxyOptions {
  client: ListWatchClient;
  /** Names the iptables chain, so a restarted agent replaces what it left behind. */
  nodeName: string;
  /** The node's pod range: only traffic from it is redirected to this proxy. */
  podCIDR: string;
  /** The node bridge's address: where REDIRECT delivers pod traffic, so the portals listen there. */
  gateway: string;
  /** Where node ports listen (default every address, 127.0.0.1 included). */
  nodePortAddress?: string;
  /** How long a connection may look for a backend that accepts it (default 5 s). */
  connectDeadlineMs?: number;
  /** How long one connect attempt to a backend may take (default 1 s). */
  connectAttemptTimeoutMs?: number;
  /** How often a node port held by another process is tried again (default 3 s). */
  nodePortRetryMs?: number;
  /** Where session affinity and connect deadlines read the time (the system clock by default). */
  clock?: Clock;
  /** NetworkPolicy's verdict on a client reaching a backend (agent/node/network-policy); all pass without it. */
  allows?: ServicePortOptions['allows'];
  log?: (line: string) => void;
}

/** After a failed iptables write. */
const IPTABLES_RETRY_MS = 5_000;
/** Kubernetes' default sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
const DEFAULT_AFFINITY_SECONDS = 10_800;

/**
 * kube-proxy's userspace mode for one node: every TCP port of every service with a
 * cluster IP gets a local listener, and an iptables nat chain (jumped to from PREROUTING
 * for the node's pod range only) redirects `clusterIP:port` to it; NodePort and
 * LoadBalancer services also listen on their node port. A connection goes to the next
 * ready endpoint in turn (ClientIP affinity honoured) and, when that one refuses, to the
 * one after, so a rolling update costs clients nothing. Endpoints are read from the
 * informer's cache at each connection: changes apply at once, without touching iptables.
 * UDP and SCTP ports are not proxied.
 */
export class ServiceProxy {
  private readonly services: Informer<ServiceObject>;
  private readonly endpoints: Informer<EndpointsObject>;
  private readonly table: PortalTable;
  private readonly ports = new Map<string, ServicePortProxy>();
  private readonly log: (line: string) => void;
  private written?: string;
  private dirty = false;
  private syncing?: Promise<void>;
  private retry?: ReturnType<typeof setTimeout>;
  private stopped = false;

  constructor(private readonly options: ServiceProxyOptions) {
    this.log = options.log ?? ((line) => console.error(line));
    const onError = (error: unknown) => this.log(`service proxy: ${messageOf(error)}`);
    this.services = createInformer<ServiceObject>(options.client, 'Service', {}, { onError });
    this.endpoints = createInformer<EndpointsObject>(options.client, 'Endpoints', {}, { onError });
    this.table = new PortalTable(options.nodeName, options.podCIDR);
  }

  /** The iptables chain holding this node's redirects. */
  get chain(): string {
    return this.table.chain;
  }

  /**
   * Replaces any iptables state an earlier run under this node name left, then serves
   * every service; resolves once the services known at start are proxied.
   */
  async start(): Promise<void> {
    await this.table.install();
    const changed = () => this.schedule();
    this.services.addEventHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
    this.services.start();
    this.endpoints.start();
    await Promise.all([this.services.waitForSync(), this.endpoints.waitForSync()]);
    this.schedule();
    await this.syncing;
  }

  /**
   * Closes every listener and connection and removes the chain and its jump. The
   * machine's pod-to-pod rules stay: they serve the pod networks, which may outlive the
   * proxy (see `releasePodToPod`).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await Promise.all([this.services.stop(), this.endpoints.stop()]);
    await this.syncing;
    for (const proxy of this.ports.values()) proxy.close();
    this.ports.clear();
    await this.table.remove();
  }

  private schedule(): void {
    this.dirty = true;
    this.syncing ??= this.syncLoop();
  }

  private async syncLoop(): Promise<void> {
    while (this.dirty && !this.stopped) {
      this.dirty = false;
      try {
        await this.sync();
      } catch (error) {
        this.written = undefined;
        this.log(`service proxy: ${messageOf(error)}; retrying in ${IPTABLES_RETRY_MS / 1000}s`);
        clearTimeout(this.retry);
        this.retry = setTimeout(() => this.schedule(), IPTABLES_RETRY_MS);
        this.retry.unref();
      }
    }
    this.syncing = undefined;
  }

  /** Opens, updates and closes listeners to match the services, then rewrites the chain if its rules changed. */
  private async sync(): Promise<void> {
    const wanted = new Map(
      this.services
        .list()
        .flatMap(servicePorts)
        .map((spec) => [spec.key, spec]),
    );
    for (const [key, proxy] of this.ports) {
      if (wanted.has(key)) continue;
      proxy.close();
      this.ports.delete(key);
    }
    for (const spec of wanted.values()) {
      const existing = this.ports.get(spec.key);
      if (existing) {
        existing.update(spec);
        continue;
      }
      const proxy = await ServicePortProxy.open(spec, {
        portalAddress: this.options.gateway,
        nodePortAddress: this.options.nodePortAddress ?? '0.0.0.0',
        backends: () => backendsOf(this.endpoints.get(proxy.spec.service), proxy.spec.portName),
        allows: this.options.allows,
        deadlineMs: this.options.connectDeadlineMs ?? 5_000,
        attemptTimeoutMs: this.options.connectAttemptTimeoutMs ?? 1_000,
        nodePortRetryMs: this.options.nodePortRetryMs ?? 3_000,
        clock: this.options.clock,
        log: this.log,
      });
      if (this.stopped) {
        proxy.close();
        return;
      }
      this.ports.set(spec.key, proxy);
    }
    const portals: Portal[] = [...this.ports.values()].map((proxy) => ({
      comment: proxy.spec.key,
      address: proxy.spec.clusterIP,
      port: proxy.spec.port,
      proxyPort: proxy.proxyPort,
    }));
    portals.sort((a, b) => a.comment.localeCompare(b.comment));
    const rules = JSON.stringify(portals);
    if (rules === this.written) return;
    await this.table.write(portals);
    this.written = rules;
  }
}

/** The TCP ports of a service that the proxy serves: none for headless and ExternalName services. */
function servicePorts(service: ServiceObject): ServicePortSpec[] {
  const spec = service.spec ?? {};
  const clusterIP = spec.clusterIP;
  if (spec.type === 'ExternalName' || !clusterIP || clusterIP === 'None') return [];
  const affinityMs =
    spec.sessionAffinity === 'ClientIP'
      ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS) * 1000
      : undefined;
  const nodePorts = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  const key = keyOf(service);
  return (spec.ports ?? [])
    .filter((port) => (port.protocol ?? 'TCP') === 'TCP')
    .map((port) => ({
      key: `${key}:${port.name ?? ''}`,
      service: key,
      portName: port.name ?? '',
      clusterIP,
      port: port.port,
      nodePort: nodePorts ? (port.nodePort ?? undefined) : undefined,
      affinityMs,
    }));
}
