import { isDeepStrictEqual } from 'node:util';
import { isCode, keyOf, type Informer, type Resource } from '../../client/index.ts';
import type { EndpointSubset } from '../../schema/kinds/endpoints.ts';
import type { Service, ServicePort } from '../../schema/kinds/service.ts';
import { enqueueSelf } from '../informers.ts';
import type { PodObject } from '../objects.ts';
import { isPodFinished, isPodReady } from '../pod-state.ts';
import { ReconcilingController, type ControllerContext, type ControllerFactory } from './controller.ts';

type ServiceObject = Service & Resource;
type EndpointsObject = Resource & { subsets?: EndpointSubset[] };
type EndpointAddress = NonNullable<EndpointSubset['addresses']>[number];
type EndpointPort = NonNullable<EndpointSubset['ports']>[number];

/** Marks a Service headless on its Endpoints, as Kubernetes labels them. */
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
/** Endpoints used as a leader-election lock (old-style): never a Service's, never deleted. */
const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';

/** A selector-less Service (or an ExternalName one) has no endpoints or slices managed for it. */
export function managedSelector(service: ServiceObject): Record<string, string> | undefined {
  const selector = service.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return undefined;
  if (service.spec?.type === 'ExternalName') return undefined;
  return selector;
}

export function selects(selector: Record<string, string>, pod: Resource): boolean {
  const labels = pod.metadata.labels ?? {};
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** The pod's IPv4 address (Endpoints and our slices hold IPv4 only), if it has one yet. */
export function podIPv4(pod: PodObject): string | undefined {
  const candidates = [pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((p) => p.ip)];
  return candidates.find((ip): ip is string => !!ip && !ip.includes(':'));
}

/**
 * What sends each pod event to the Services whose own selector picks the pod, before or
 * after the change: `servicesOf` enqueues those of any versions of a pod, `podHandlers`
 * are the pod informer's handlers.
 */
export function servicesSelectingPods(
  services: Informer<ServiceObject>,
  enqueue: (service: ServiceObject) => void,
) {
  const servicesOf = (...versions: Resource[]) => {
    for (const service of services.list(versions[0].metadata.namespace)) {
      const selector = managedSelector(service);
      if (selector && versions.some((pod) => selects(selector, pod))) enqueue(service);
    }
  };
  const podHandlers = {
    onAdd: (pod: Resource) => servicesOf(pod),
    onUpdate: (old: Resource, pod: Resource) => servicesOf(old, pod),
    onDelete: (pod: Resource) => servicesOf(pod),
  };
  return { servicesOf, podHandlers };
}

/**
 * The pod port a service port reaches (podutil.FindPort): a number as is, a name
 * looked up among the containers' ports with the same protocol; undefined when the pod
 * has no such named port.
 */
export function findPort(pod: PodObject, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  const protocol = servicePort.protocol ?? 'TCP';
  for (const container of pod.spec?.containers ?? []) {
    for (const port of container.ports ?? []) {
      if (port.name === target && (port.protocol ?? 'TCP') === protocol) return port.containerPort;
    }
  }
  return undefined;
}

const portKey = (p: EndpointPort) => `${p.name ?? ''}/${p.port}/${p.protocol ?? 'TCP'}`;
const addressKey = (a: EndpointAddress) => `${a.ip}/${a.targetRef?.name ?? ''}`;
const byKey =
  <T>(key: (item: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/**
 * The subsets Kubernetes' endpoints controller computes for a Service from the pods it
 * selects: one address per pod with an IP that is neither finished nor being deleted
 * (publishNotReadyAddresses keeps terminating ones, as Kubernetes does), ready pods
 * in `addresses` and the others in `notReadyAddresses` (all in `addresses` with
 * publishNotReadyAddresses), and addresses grouped into subsets by the set of ports
 * they resolve (a pod lacking a named target port is left out of that port only).
 * Sorted, so equal inputs give equal outputs.
 */
export function desiredSubsets(service: ServiceObject, pods: PodObject[]): EndpointSubset[] {
  const spec = service.spec ?? {};
  const publishNotReady = spec.publishNotReadyAddresses === true;
  const groups = new Map<
    string,
    Required<Pick<EndpointSubset, 'addresses' | 'notReadyAddresses' | 'ports'>>
  >();
  for (const pod of pods) {
    if (isPodFinished(pod)) continue;
    const ip = podIPv4(pod);
    if (!ip) continue;
    if (pod.metadata.deletionTimestamp && !publishNotReady) continue;

    const ports = podEndpointPorts(service, pod);
    if (!ports) continue;

    const hostname = podHostname(service, pod);
    const address: EndpointAddress = {
      ip,
      ...(hostname ? { hostname } : {}),
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: {
        kind: 'Pod',
        namespace: pod.metadata.namespace,
        name: pod.metadata.name,
        uid: pod.metadata.uid,
      },
    };
    ports.sort(byKey(portKey));
    const key = ports.map(portKey).join(',');
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { addresses: [], notReadyAddresses: [], ports }));
    if (publishNotReady || isPodReady(pod)) group.addresses.push(address);
    else group.notReadyAddresses.push(address);
  }
  return [...groups.entries()].sort(byKey(([key]) => key)).map(([, group]) => ({
    ...(group.addresses.length ? { addresses: group.addresses.sort(byKey(addressKey)) } : {}),
    ...(group.notReadyAddresses.length
      ? { notReadyAddresses: group.notReadyAddresses.sort(byKey(addressKey)) }
      : {}),
    ...(group.ports.length ? { ports: group.ports } : {}),
  }));
}

/**
 * The ports at which a pod serves a Service (targetPorts resolved on the pod), or
 * undefined when the pod is no endpoint of it: none of its ports resolves, or the Service
 * has no ports and is not headless (a headless one has addresses without ports).
 */
export function podEndpointPorts(service: ServiceObject, pod: PodObject): EndpointPort[] | undefined {
  const servicePorts = service.spec?.ports ?? [];
  const ports: EndpointPort[] = [];
  for (const servicePort of servicePorts) {
    const port = findPort(pod, servicePort);
    if (port === undefined) continue;
    ports.push({
      ...(servicePort.name ? { name: servicePort.name } : {}),
      port,
      protocol: servicePort.protocol ?? 'TCP',
      ...(servicePort.appProtocol ? { appProtocol: servicePort.appProtocol } : {}),
    });
  }
  if (servicePorts.length === 0 ? service.spec?.clusterIP !== 'None' : ports.length === 0) return undefined;
  return ports;
}

/** The pod's DNS hostname under the Service: its spec.hostname when its subdomain is the Service. */
export function podHostname(service: ServiceObject, pod: PodObject): string | undefined {
  return pod.spec?.hostname && pod.spec.subdomain === service.metadata.name ? pod.spec.hostname : undefined;
}

/** The labels Kubernetes gives a Service's Endpoints (and, with more, its slices): the Service's, plus the headless marker. */
export function endpointLabels(service: ServiceObject): Record<string, string> {
  const labels: Record<string, string> = { ...service.metadata.labels };
  delete labels[HEADLESS_LABEL];
  if (service.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  return labels;
}

/** Drops null and undefined members, so a stored object compares equal to what we would write. */
export function pruned(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pruned);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => [k, pruned(v)]),
    );
  }
  return value;
}

/**
 * Keeps every selector Service's Endpoints object (same namespace and name) equal to
 * the pods it selects, as Kubernetes' endpoints controller.
 */
export class EndpointsController extends ReconcilingController {
  private readonly services: Informer<ServiceObject>;
  private readonly pods: Informer<PodObject>;
  private readonly endpoints: Informer<EndpointsObject>;

  constructor(ctx: ControllerContext) {
    super('endpoints', ctx);
    this.services = ctx.informers.get<ServiceObject>('Service');
    this.pods = ctx.informers.get<PodObject>('Pod');
    this.endpoints = ctx.informers.get<EndpointsObject>('Endpoints');
  }

  /**
   * Reconciles the Endpoints of the Service `namespace/name`.
   *
   * - Service gone: deletes the Endpoints of that name (NOT_FOUND is success), whether
   *   or not the cache has seen them yet, so a just-written object cannot leak.
   * - Service without selector, or of type ExternalName: leaves the Endpoints alone
   *   (they are the user's).
   * - Otherwise computes the subsets from the cached pods (`desiredSubsets`) and the
   *   labels from the Service, and creates or replaces the Endpoints only when they
   *   differ from the cached ones. The replace carries the cached resourceVersion: a
   *   CONFLICT (or ALREADY_EXISTS for a create the cache has not seen) throws, and the
   *   key is retried with back-off against a fresher cache.
   *
   * Idempotent; reads only the caches; one write at most per call.
   */
  async reconcile(key: string): Promise<void> {
    const [namespace, name] = key.split('/');
    const service = this.services.get(key);
    const current = this.endpoints.get(key);
    if (!service) {
      if (current?.metadata.annotations?.[LEADER_ANNOTATION] !== undefined) return;
      try {
        await this.ctx.writer.delete('Endpoints', name, namespace);
      } catch (error) {
        if (!isCode(error, 'NOT_FOUND')) throw error;
      }
      return;
    }
    const selector = managedSelector(service);
    if (!selector) return;

    const selected = this.pods.list(namespace).filter((pod) => selects(selector, pod));
    const subsets = desiredSubsets(service, selected);
    const labels = endpointLabels(service);
    if (!current) {
      await this.ctx.writer.create<EndpointsObject>({
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name, namespace, ...(Object.keys(labels).length ? { labels } : {}) },
        subsets,
      });
      return;
    }
    const sameSubsets = isDeepStrictEqual(pruned(current.subsets ?? []), pruned(subsets));
    const sameLabels = isDeepStrictEqual(current.metadata.labels ?? {}, labels);
    if (sameSubsets && sameLabels) return;
    await this.ctx.writer.replace<EndpointsObject>({
      ...current,
      metadata: { ...current.metadata, labels: Object.keys(labels).length ? labels : undefined },
      subsets,
    });
  }

  protected register(): void {
    const enqueue = (obj: Resource) => this.loop.enqueue(keyOf(obj));
    const serviceExists = (obj: Resource) => this.services.get(keyOf(obj)) !== undefined;

    this.watch(this.services, enqueueSelf(enqueue));
    this.watch(this.pods, servicesSelectingPods(this.services, enqueue).podHandlers);
    this.watch(this.endpoints, {
      // Leftovers of Services deleted while the controller was down are found in the
      // initial list (Kubernetes' checkLeftoverEndpoints); later, Endpoints without a
      // Service are someone's own and left alone, while ours are repaired.
      onAdd: (ep, initial) => {
        if (initial || serviceExists(ep)) enqueue(ep);
      },
      onUpdate: (_old, ep) => {
        if (serviceExists(ep)) enqueue(ep);
      },
      onDelete: (ep) => {
        if (serviceExists(ep)) enqueue(ep);
      },
    });
  }
}

export const endpointsController: ControllerFactory = (ctx) => new EndpointsController(ctx);
