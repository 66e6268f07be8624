import { isDeepStrictEqual } from 'node:util';
import { isCode, keyOf, type Informer, type Resource } from '../../client/index.ts';
import type { Endpoint, EndpointSlice } from '../../schema/kinds/endpointslice.ts';
import type { Service } from '../../schema/kinds/service.ts';
import { enqueueSelf } from '../informers.ts';
import type { NodeObject, PodObject } from '../objects.ts';
import { isPodFinished, isPodReady } from '../pod-state.ts';
import { ReconcilingController, type ControllerContext, type ControllerFactory } from './controller.ts';
import {
  endpointLabels,
  managedSelector,
  podEndpointPorts,
  podHostname,
  podIPv4,
  pruned,
  selects,
  servicesSelectingPods,
} from './endpoints.ts';
import { Expectations } from './expectations.ts';

type ServiceObject = Service & Resource;
type SliceObject = EndpointSlice & Resource;
type EndpointPort = NonNullable<EndpointSlice['ports']>[number];

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** Kubernetes' --max-endpoints-per-slice default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

/** The endpoints of one set of ports: every slice of a Service holds endpoints resolving the same ports. */
interface PortGroup {
  ports: EndpointPort[];
  endpoints: Endpoint[];
}

const portKey = (p: EndpointPort) => `${p.name ?? ''}/${p.port}/${p.protocol ?? 'TCP'}`;
const portsKey = (ports: readonly EndpointPort[]) => ports.map(portKey).join(',');
const endpointKey = (e: Endpoint) => `${e.addresses[0]}/${e.targetRef?.name ?? ''}`;

/**
 * The endpoints of a Service by the ports they resolve, as Kubernetes' endpointslice
 * controller computes them: every selected pod with an IPv4 address that has not finished,
 * terminating ones included (ready false, terminating true), with its node, its node's zone
 * and its hostname when the Service is its subdomain. Sorted, so equal inputs give equal
 * outputs.
 */
export function desiredPortGroups(
  service: ServiceObject,
  pods: PodObject[],
  zoneOf: (nodeName: string) => string | undefined,
): PortGroup[] {
  const spec = service.spec ?? {};
  const groups = new Map<string, PortGroup>();
  for (const pod of pods) {
    if (isPodFinished(pod)) continue;
    const ip = podIPv4(pod);
    if (!ip) continue;
    const ports = podEndpointPorts(service, pod);
    if (!ports) continue;
    ports.sort((a, b) => (portKey(a) < portKey(b) ? -1 : 1));

    const serving = isPodReady(pod);
    const terminating = pod.metadata.deletionTimestamp !== undefined;
    const nodeName = pod.spec?.nodeName;
    const zone = nodeName ? zoneOf(nodeName) : undefined;
    const hostname = podHostname(service, pod);
    const endpoint: Endpoint = {
      addresses: [ip],
      conditions: {
        ready: spec.publishNotReadyAddresses === true || (serving && !terminating),
        serving,
        terminating,
      },
      ...(hostname ? { hostname } : {}),
      targetRef: {
        kind: 'Pod',
        namespace: pod.metadata.namespace,
        name: pod.metadata.name,
        uid: pod.metadata.uid,
      },
      ...(nodeName ? { nodeName } : {}),
      ...(zone ? { zone } : {}),
    };
    const key = portsKey(ports);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ports, endpoints: [] }));
    group.endpoints.push(endpoint);
  }
  for (const group of groups.values())
    group.endpoints.sort((a, b) => (endpointKey(a) < endpointKey(b) ? -1 : 1));
  return [...groups.values()];
}

/** What one slice should become: an existing one changed or kept, or a new one. */
interface SlicePlan {
  existing?: SliceObject;
  ports: EndpointPort[];
  endpoints: Endpoint[];
}

/**
 * Fits the desired endpoints into the Service's slices with as few writes as Kubernetes
 * makes: an endpoint stays in the slice that has it (updated in place), new ones fill slices
 * with room (at most `maxPerSlice`), then new slices. Slices left empty are dropped, except
 * one: a Service with no endpoints keeps a placeholder slice without ports, as Kubernetes does.
 */
export function planSlices(
  groups: PortGroup[],
  existing: SliceObject[],
  maxPerSlice = MAX_ENDPOINTS_PER_SLICE,
): { keep: SlicePlan[]; remove: SliceObject[] } {
  const wanted = groups.length ? groups : [{ ports: [], endpoints: [] }];
  const byPorts = new Map<string, SliceObject[]>();
  for (const slice of [...existing].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1))) {
    const key = portsKey(slice.ports ?? []);
    byPorts.set(key, [...(byPorts.get(key) ?? []), slice]);
  }
  const keep: SlicePlan[] = [];
  for (const group of wanted) {
    const key = portsKey(group.ports);
    const desired = new Map(group.endpoints.map((e) => [endpointKey(e), e]));
    const plans: SlicePlan[] = (byPorts.get(key) ?? []).map((slice) => {
      const endpoints: Endpoint[] = [];
      for (const endpoint of slice.endpoints ?? []) {
        const update = desired.get(endpointKey(endpoint));
        if (!update) continue;
        desired.delete(endpointKey(endpoint));
        endpoints.push(update);
      }
      return { existing: slice, ports: group.ports, endpoints };
    });
    byPorts.delete(key);
    const fresh = [...desired.values()];
    for (const plan of plans) {
      while (plan.endpoints.length < maxPerSlice && fresh.length) plan.endpoints.push(fresh.shift()!);
    }
    while (fresh.length) plans.push({ ports: group.ports, endpoints: fresh.splice(0, maxPerSlice) });
    const filled = plans.filter((plan) => plan.endpoints.length);
    if (filled.length) keep.push(...filled);
    // No endpoints at all: one slice stays (or is made) as the placeholder.
    else if (!groups.length) keep.push(plans[0] ?? { ports: group.ports, endpoints: [] });
  }
  const kept = new Set(keep.map((plan) => plan.existing).filter(Boolean));
  const remove = existing.filter((slice) => !kept.has(slice));
  return { keep, remove };
}

/** The labels Kubernetes gives a Service's slices: the Service's, its name, the manager, and the headless marker. */
function sliceLabels(service: ServiceObject): Record<string, string> {
  const labels = endpointLabels(service);
  labels[SERVICE_NAME_LABEL] = service.metadata.name!;
  labels[MANAGED_BY_LABEL] = MANAGED_BY;
  return labels;
}

/**
 * Keeps the EndpointSlices (discovery.k8s.io/v1, IPv4) of every selector Service equal to
 * the pods it selects, beside the Endpoints the endpoints controller keeps, as Kubernetes'
 * endpointslice controller. Its slices carry the Service as controller owner: the garbage
 * collector deletes them with it.
 */
export class EndpointSliceController extends ReconcilingController {
  private readonly services: Informer<ServiceObject>;
  private readonly pods: Informer<PodObject>;
  private readonly nodes: Informer<NodeObject>;
  private readonly slices: Informer<SliceObject>;
  private readonly expectations: Expectations;

  constructor(ctx: ControllerContext) {
    super('endpointslice', ctx);
    this.services = ctx.informers.get<ServiceObject>('Service');
    this.pods = ctx.informers.get<PodObject>('Pod');
    this.nodes = ctx.informers.get<NodeObject>('Node');
    this.slices = ctx.informers.get<SliceObject>('EndpointSlice');
    this.expectations = new Expectations(ctx.clock);
  }

  /**
   * Reconciles the slices of the Service `namespace/name`.
   *
   * - Service gone, without selector, or ExternalName: nothing (the garbage collector
   *   removes the slices of a deleted Service; slices of others are their owners').
   * - Until the cache shows the slices this controller last created and deleted, nothing:
   *   a lagging cache would make it create them twice.
   * - Otherwise plans the slices (`planSlices`) from the cached pods and writes the
   *   differences: replaces carry the cached resourceVersion, so a stale cache fails with
   *   CONFLICT and the key is retried with back-off.
   *
   * Idempotent; reads only the caches.
   */
  async reconcile(key: string): Promise<void> {
    const [namespace] = key.split('/');
    const service = this.services.get(key);
    if (!service) return this.expectations.forget(key);
    const selector = managedSelector(service);
    if (!selector || !this.expectations.satisfied(key)) return;

    const pods = this.pods.list(namespace).filter((pod) => selects(selector, pod));
    const groups = desiredPortGroups(
      service,
      pods,
      (node) => this.nodes.get(node)?.metadata.labels?.[ZONE_LABEL],
    );
    const { keep, remove } = planSlices(groups, this.ownedSlices(service));
    const labels = sliceLabels(service);
    const creates = keep.filter((plan) => !plan.existing);
    this.expectations.expect(key, creates.length, remove.length);

    for (const slice of remove) {
      try {
        await this.ctx.writer.delete('EndpointSlice', slice.metadata.name!, namespace);
      } catch (error) {
        this.expectations.observedDelete(key);
        if (!isCode(error, 'NOT_FOUND')) throw error;
      }
    }
    for (const plan of keep) {
      const body = { addressType: 'IPv4' as const, endpoints: plan.endpoints, ports: plan.ports };
      if (!plan.existing) {
        try {
          await this.ctx.writer.create<SliceObject>({
            apiVersion: 'discovery.k8s.io/v1',
            kind: 'EndpointSlice',
            metadata: {
              generateName: `${service.metadata.name}-`,
              namespace,
              labels,
              ownerReferences: [ownerOf(service)],
            },
            ...body,
          });
        } catch (error) {
          this.expectations.observedAdd(key);
          throw error;
        }
        continue;
      }
      const current = plan.existing;
      const same =
        isDeepStrictEqual(pruned(current.endpoints ?? []), pruned(body.endpoints)) &&
        isDeepStrictEqual(pruned(current.ports ?? []), pruned(body.ports)) &&
        isDeepStrictEqual(current.metadata.labels ?? {}, labels);
      if (same) continue;
      await this.ctx.writer.replace<SliceObject>({
        ...current,
        metadata: { ...current.metadata, labels },
        ...body,
      });
    }
  }

  /** The slices this controller made for the Service (by its labels), in the cache. */
  private ownedSlices(service: ServiceObject): SliceObject[] {
    return this.slices
      .list(service.metadata.namespace)
      .filter(
        (slice) =>
          slice.metadata.labels?.[SERVICE_NAME_LABEL] === service.metadata.name &&
          slice.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY,
      );
  }

  protected register(): void {
    const enqueue = (obj: Resource) => this.loop.enqueue(keyOf(obj));
    const { servicesOf, podHandlers } = servicesSelectingPods(this.services, enqueue);
    /** The Service key of one of our slices, or undefined for a slice someone else manages. */
    const serviceKeyOf = (slice: SliceObject) => {
      const service = slice.metadata.labels?.[SERVICE_NAME_LABEL];
      if (!service || slice.metadata.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY) return undefined;
      return `${slice.metadata.namespace}/${service}`;
    };
    this.watch(this.services, enqueueSelf(enqueue));
    this.watch(this.pods, podHandlers);
    // A node's zone shows in its pods' endpoints.
    this.watch(this.nodes, {
      onUpdate: (old, node) => {
        if (old.metadata.labels?.[ZONE_LABEL] === node.metadata.labels?.[ZONE_LABEL]) return;
        for (const pod of this.pods.list()) if (pod.spec?.nodeName === node.metadata.name) servicesOf(pod);
      },
    });
    this.watch(this.slices, {
      onAdd: (slice) => {
        const key = serviceKeyOf(slice);
        if (!key) return;
        this.expectations.observedAdd(key);
        this.loop.enqueue(key);
      },
      onUpdate: (_old, slice) => {
        const key = serviceKeyOf(slice);
        if (key) this.loop.enqueue(key);
      },
      onDelete: (slice) => {
        const key = serviceKeyOf(slice);
        if (!key) return;
        this.expectations.observedDelete(key);
        this.loop.enqueue(key);
      },
    });
  }
}

function ownerOf(service: ServiceObject) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    name: service.metadata.name!,
    uid: service.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export const endpointSliceController: ControllerFactory = (ctx) => new EndpointSliceController(ctx);
