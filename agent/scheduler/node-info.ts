import { keyOf } from '../../client/index.ts';
import type { Taint } from '../../schema/kinds/node.ts';
import type { Container } from '../../schema/kinds/pod.ts';
import { parseQuantity } from '../../schema/quantity.ts';
import { controllerRef } from '../controllers/controller-ref.ts';
import type { NodeObject, PodObject } from '../objects.ts';
import { isPodFinished } from '../pod-state.ts';
import { isNodeReady, schedulingTaint } from '../node-eligibility.ts';

/**
 * Amounts by resource name, in integer base units: cpu in millicores, memory and
 * storage in bytes, everything else (pods, extended resources) as counts.
 */
export type Amounts = Record<string, number>;

/** What the scores assume a container without a request uses (kube-scheduler's non-zero defaults). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** A quantity in the integer unit the scheduler counts in; rounds up, as Kubernetes' MilliValue/Value do. */
export function amountOf(resource: string, quantity: string | number): number {
  const value = parseQuantity(quantity) ?? 0;
  const scaled = resource === 'cpu' ? value * 1000 : value;
  // Tolerates binary floating point ("0.3" * 1000 is 300.00000000000006).
  return Math.ceil(scaled - 1e-6);
}

export function amountsOf(list: Record<string, string | number> | undefined): Amounts {
  const out: Amounts = {};
  for (const [name, quantity] of Object.entries(list ?? {})) out[name] = amountOf(name, quantity);
  return out;
}

function add(into: Amounts, from: Amounts, sign = 1): void {
  for (const [name, amount] of Object.entries(from)) into[name] = (into[name] ?? 0) + sign * amount;
}

function maxInto(into: Amounts, from: Amounts): void {
  for (const [name, amount] of Object.entries(from)) into[name] = Math.max(into[name] ?? 0, amount);
}

/**
 * What a pod requests: the sum over its containers, or the largest init container's
 * request when that is more (init containers run one at a time, before the others).
 */
export function podRequests(pod: PodObject): Amounts {
  return effective(pod, (container) => amountsOf(container.resources?.requests));
}

/** Requests with the non-zero defaults for cpu and memory: what the scores count. */
export function nonZeroRequests(pod: PodObject): Amounts {
  return effective(pod, (container) => {
    const requests = amountsOf(container.resources?.requests);
    return {
      cpu: requests.cpu || DEFAULT_MILLI_CPU_REQUEST,
      memory: requests.memory || DEFAULT_MEMORY_REQUEST,
    };
  });
}

function effective(pod: PodObject, of: (container: Container) => Amounts): Amounts {
  const total: Amounts = {};
  for (const container of pod.spec?.containers ?? []) add(total, of(container));
  for (const container of pod.spec?.initContainers ?? []) maxInto(total, of(container));
  return total;
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

const ANY_IP = '0.0.0.0';

/** The host ports the pod's containers claim. */
export function hostPorts(pod: PodObject): HostPort[] {
  const out: HostPort[] = [];
  for (const container of pod.spec?.containers ?? []) {
    for (const port of container.ports ?? []) {
      if (!port.hostPort || port.hostPort <= 0) continue;
      out.push({ ip: port.hostIP || ANY_IP, protocol: port.protocol ?? 'TCP', port: port.hostPort });
    }
  }
  return out;
}

/** What the scheduler keeps of a pod bound to a node: all it needs to account for it. */
export interface PodInfo {
  key: string;
  uid?: string;
  pod: PodObject;
  requests: Amounts;
  /** The positive requests but `pods`, as a list: what NodeResourcesFit checks on every node it looks at. */
  fitRequests: Array<[resource: string, amount: number]>;
  nonZero: Amounts;
  ports: HostPort[];
  /** The uid of the controller owning the pod (ReplicaSet, StatefulSet, Job...), for spreading. */
  owner?: string;
}

export function podInfo(pod: PodObject): PodInfo {
  const requests = podRequests(pod);
  return {
    key: keyOf(pod),
    uid: pod.metadata.uid,
    pod,
    requests,
    fitRequests: Object.entries(requests).filter(([resource, amount]) => amount > 0 && resource !== 'pods'),
    nonZero: nonZeroRequests(pod),
    ports: hostPorts(pod),
    owner: controllerRef(pod)?.uid,
  };
}

// Where NodeInfo.hot keeps each figure.
const ALLOCATABLE_CPU = 0;
const ALLOCATABLE_MEMORY = 1;
const ALLOCATABLE_PODS = 2;
const REQUESTED_CPU = 3;
const REQUESTED_MEMORY = 4;
const NON_ZERO_CPU = 5;
const NON_ZERO_MEMORY = 6;
const POD_COUNT = 7;

/** The taints of every node without any: one shared array (never added to), read from cache. */
const NO_TAINTS: Taint[] = [];
const noneOr = (taints: Taint[]) => (taints.length === 0 ? NO_TAINTS : taints);

/**
 * One node and the totals of the pods bound to it, kept up to date one pod at a time
 * so that a scheduling decision reads each node in constant time.
 */
export class NodeInfo {
  node?: NodeObject;
  // What the filters and scores read of the node, worked out once per change of it rather
  // than once per decision that looks at it.
  /** Its Ready condition is True. */
  ready = false;
  cordoned = false;
  /** The NoSchedule and NoExecute taints: those a pod must tolerate. */
  schedulingTaints = NO_TAINTS;
  preferNoScheduleTaints = NO_TAINTS;
  /**
   * The cpu, memory and pod figures resource fit and the resource scores read of every
   * node they look at (hundreds per decision), side by side and unboxed: one or two cache
   * lines a node rather than a walk through maps and objects. Read through the getters.
   */
  private readonly hot = new Float64Array(8);
  allocatable: Amounts = {};
  readonly pods = new Map<string, PodInfo>();
  readonly requested: Amounts = {};
  readonly nonZeroRequested: Amounts = {};
  /** `protocol/port` → IP → how many pods claim it. */
  private readonly ports = new Map<string, Map<string, number>>();
  private readonly owners = new Map<string, number>();

  constructor(readonly name: string) {}

  setNode(node: NodeObject | undefined): void {
    this.node = node;
    this.ready = isNodeReady(node);
    this.cordoned = !!node?.spec?.unschedulable;
    const taints = node?.spec?.taints ?? [];
    this.schedulingTaints = noneOr(taints.filter(schedulingTaint));
    this.preferNoScheduleTaints = noneOr(taints.filter((taint) => taint.effect === 'PreferNoSchedule'));
    this.allocatable = amountsOf(node?.status?.allocatable ?? node?.status?.capacity);
    this.hot[ALLOCATABLE_CPU] = this.allocatable.cpu ?? 0;
    this.hot[ALLOCATABLE_MEMORY] = this.allocatable.memory ?? 0;
    this.hot[ALLOCATABLE_PODS] = this.allocatable.pods ?? 0;
  }

  get allocatableCpu(): number {
    return this.hot[ALLOCATABLE_CPU];
  }
  get allocatableMemory(): number {
    return this.hot[ALLOCATABLE_MEMORY];
  }
  get allocatablePods(): number {
    return this.hot[ALLOCATABLE_PODS];
  }
  get requestedCpu(): number {
    return this.hot[REQUESTED_CPU];
  }
  get requestedMemory(): number {
    return this.hot[REQUESTED_MEMORY];
  }
  /** What the node's pods request of cpu with the non-zero defaults (what the scores count). */
  get nonZeroCpu(): number {
    return this.hot[NON_ZERO_CPU];
  }
  get nonZeroMemory(): number {
    return this.hot[NON_ZERO_MEMORY];
  }
  get podCount(): number {
    return this.hot[POD_COUNT];
  }

  addPod(info: PodInfo): void {
    this.removePod(info.key);
    this.pods.set(info.key, info);
    add(this.requested, info.requests);
    add(this.nonZeroRequested, info.nonZero);
    for (const { ip, protocol, port } of info.ports) {
      const slot = `${protocol}/${port}`;
      let ips = this.ports.get(slot);
      if (!ips) this.ports.set(slot, (ips = new Map()));
      ips.set(ip, (ips.get(ip) ?? 0) + 1);
    }
    if (info.owner) this.owners.set(info.owner, (this.owners.get(info.owner) ?? 0) + 1);
    this.counted();
  }

  removePod(key: string): PodInfo | undefined {
    const info = this.pods.get(key);
    if (!info) return undefined;
    this.pods.delete(key);
    add(this.requested, info.requests, -1);
    add(this.nonZeroRequested, info.nonZero, -1);
    for (const { ip, protocol, port } of info.ports) {
      const slot = `${protocol}/${port}`;
      const ips = this.ports.get(slot)!;
      const left = ips.get(ip)! - 1;
      if (left > 0) ips.set(ip, left);
      else ips.delete(ip);
      if (ips.size === 0) this.ports.delete(slot);
    }
    if (info.owner) {
      const left = this.owners.get(info.owner)! - 1;
      if (left > 0) this.owners.set(info.owner, left);
      else this.owners.delete(info.owner);
    }
    this.counted();
    return info;
  }

  /** Whether a wanted host port is taken: same protocol and port, and either IP is 0.0.0.0 or both are equal. */
  portTaken({ ip, protocol, port }: HostPort): boolean {
    const ips = this.ports.get(`${protocol}/${port}`);
    if (!ips) return false;
    return ip === ANY_IP || ips.has(ip) || ips.has(ANY_IP);
  }

  /** How many of the node's pods the controller with this uid owns. */
  ownerCount(owner: string): number {
    return this.owners.get(owner) ?? 0;
  }

  /** Brings the hot figures in step with the pods' totals. */
  private counted(): void {
    this.hot[REQUESTED_CPU] = this.requested.cpu ?? 0;
    this.hot[REQUESTED_MEMORY] = this.requested.memory ?? 0;
    this.hot[NON_ZERO_CPU] = this.nonZeroRequested.cpu ?? 0;
    this.hot[NON_ZERO_MEMORY] = this.nonZeroRequested.memory ?? 0;
    this.hot[POD_COUNT] = this.pods.size;
  }
}

/**
 * The scheduler's view of the cluster: nodes with the pods bound to them, fed one
 * change at a time by the informers, plus the pods it bound itself whose binding the
 * Pod informer has not shown yet ("assumed", as kube-scheduler's cache calls them),
 * so that the next decision already counts them. Terminal pods (Succeeded, Failed)
 * hold nothing.
 */
export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  /**
   * The nodes with a Node object, as every decision walks them: kept in step one node
   * at a time (a node that goes takes the last one's place), never rebuilt, so nodes
   * registering while pods wait cost no decision a pass over all of them.
   */
  private readonly known: NodeInfo[] = [];
  private readonly knownIndex = new Map<string, number>();
  /** Pod key → the node it is counted on. */
  private readonly placed = new Map<string, string>();
  /** Pod key → uid of the pods this scheduler bound and has not seen bound yet. */
  private readonly assumed = new Map<string, string | undefined>();

  setNode(node: NodeObject): void {
    const name = node.metadata.name!;
    const info = this.info(name);
    info.setNode(node);
    if (!this.knownIndex.has(name)) {
      this.knownIndex.set(name, this.known.length);
      this.known.push(info);
    }
  }

  removeNode(name: string): void {
    const info = this.nodes.get(name);
    if (!info) return;
    this.forget(name);
    // Its pods stay counted until they go (they may still be running): keep them, nameless.
    if (info.pods.size > 0) info.setNode(undefined);
    else this.nodes.delete(name);
  }

  /** Files the pod under its node, or nowhere when it is unbound or finished. */
  updatePod(pod: PodObject): void {
    const key = keyOf(pod);
    const nodeName = pod.spec?.nodeName;
    if (this.assumed.has(key)) {
      // Events from before the binding still show it unbound: keep the assumption.
      if (!nodeName && this.assumed.get(key) === pod.metadata.uid) return;
      this.assumed.delete(key);
    }
    if (!nodeName || isPodFinished(pod)) return this.removePod(key);
    // Most events of a placed pod change nothing it is counted for: its status, or the
    // binding of a pod this scheduler assumed there. The in-process transport hands out
    // the stored objects, which keep their containers and owners across such writes.
    const placed = this.placed.get(key) === nodeName ? this.nodes.get(nodeName)?.pods.get(key) : undefined;
    if (placed && countsTheSame(placed.pod, pod)) {
      placed.pod = pod;
      return;
    }
    this.place(podInfo(pod), nodeName);
  }

  removePod(key: string): void {
    this.assumed.delete(key);
    const nodeName = this.placed.get(key);
    if (nodeName === undefined) return;
    this.placed.delete(key);
    const info = this.nodes.get(nodeName);
    info?.removePod(key);
    if (info && !info.node && info.pods.size === 0) this.nodes.delete(nodeName);
  }

  /**
   * Counts a pod this scheduler just bound on its node before the informer shows it;
   * `counted` is what the decision worked out of the pod already.
   */
  assume(pod: PodObject, nodeName: string, counted?: PodInfo): void {
    const bound = { ...pod, spec: { ...pod.spec!, nodeName } };
    const info = counted ? { ...counted, pod: bound } : podInfo(bound);
    this.place(info, nodeName);
    this.assumed.set(info.key, info.uid);
  }

  isAssumed(key: string): boolean {
    return this.assumed.has(key);
  }

  /** The nodes the scheduler knows (those with a Node object); not to be changed by the caller. */
  nodeInfos(): readonly NodeInfo[] {
    return this.known;
  }

  nodeInfo(name: string): NodeInfo | undefined {
    return this.nodes.get(name);
  }

  private forget(name: string): void {
    const index = this.knownIndex.get(name);
    if (index === undefined) return;
    this.knownIndex.delete(name);
    const last = this.known.pop()!;
    if (index < this.known.length) {
      this.known[index] = last;
      this.knownIndex.set(last.name, index);
    }
  }

  private place(info: PodInfo, nodeName: string): void {
    const previous = this.placed.get(info.key);
    if (previous !== undefined && previous !== nodeName) this.removePod(info.key);
    this.placed.set(info.key, nodeName);
    this.info(nodeName).addPod(info);
  }

  private info(name: string): NodeInfo {
    let info = this.nodes.get(name);
    if (!info) this.nodes.set(name, (info = new NodeInfo(name)));
    return info;
  }
}

/** Whether two versions of a pod request, claim and are owned alike: all podInfo reads. */
function countsTheSame(a: PodObject, b: PodObject): boolean {
  return (
    a.metadata.uid === b.metadata.uid &&
    a.metadata.ownerReferences === b.metadata.ownerReferences &&
    a.spec?.containers === b.spec?.containers &&
    a.spec?.initContainers === b.spec?.initContainers
  );
}
