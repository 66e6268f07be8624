import type { ResourceService } from '../resources/service.ts';

/** One container's usage: CPU as a rate over the sample's window, memory as the working set. */
export interface ContainerUsage {
  name: string;
  cpuNanoCores: number;
  memoryBytes: number;
}

export interface PodUsage {
  namespace: string;
  name: string;
  uid: string;
  /** When the later of the two samples the rate comes from was taken (ms since the epoch). */
  timestamp: number;
  /** The time between the two samples (ms). */
  windowMs: number;
  containers: ContainerUsage[];
}

export interface NodeUsage {
  name: string;
  timestamp: number;
  windowMs: number;
  cpuNanoCores: number;
  memoryBytes: number;
  /** The node's pods that had usage in this report, by uid. */
  pods: Map<string, PodUsage>;
  /** When the server received the report (ms): what expiry counts from. */
  receivedAt: number;
}

export interface UsageStoreOptions {
  /** A node's usage expires after this many of its windows without a new report (3). */
  expireAfterWindows: number;
  /** ...and never sooner than this (5 s), so a node reporting every 200 ms survives a busy moment. */
  minRetentionMs: number;
  now: () => number;
}

const DEFAULTS: UsageStoreOptions = { expireAfterWindows: 3, minRetentionMs: 5000, now: Date.now };

/**
 * The latest resource usage of every node and of the pods on it, as each node agent last
 * reported it: kubeql's metrics-server. Like metrics.k8s.io it keeps no history and is
 * never persisted (a restarted server knows usage again after one report interval). A
 * report replaces everything known of its node, so a pod that stopped running drops out
 * with the next report; a node that stops reporting drops out after a few windows.
 */
export class UsageStore {
  private readonly nodes = new Map<string, NodeUsage>();
  private readonly options: UsageStoreOptions;
  private swept = -Infinity;

  constructor(options: Partial<UsageStoreOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** Replaces the node's usage and its pods'. */
  report(node: Omit<NodeUsage, 'receivedAt'>): void {
    const now = this.options.now();
    this.nodes.set(node.name, { ...node, receivedAt: now });
    // Nodes gone silent are dropped here, so memory stays bounded without a timer; at most
    // once per minRetentionMs, as a thousand nodes report ~100 times a second (reads check expiry).
    if (now - this.swept < this.options.minRetentionMs) return;
    this.swept = now;
    for (const [name, usage] of this.nodes) if (!this.fresh(usage, now)) this.nodes.delete(name);
  }

  /** The node's latest usage, unless it has expired. */
  node(name: string): NodeUsage | undefined {
    const usage = this.nodes.get(name);
    return usage && this.fresh(usage, this.options.now()) ? usage : undefined;
  }

  /** The pod's latest usage, from the node it is bound to; only for that very pod (uid). */
  pod(nodeName: string | undefined, uid: string | undefined): PodUsage | undefined {
    if (!nodeName || !uid) return undefined;
    return this.node(nodeName)?.pods.get(uid);
  }

  forget(nodeName: string): void {
    this.nodes.delete(nodeName);
  }

  private fresh(usage: NodeUsage, now: number): boolean {
    const ttl = Math.max(this.options.minRetentionMs, usage.windowMs * this.options.expireAfterWindows);
    return now - usage.receivedAt <= ttl;
  }
}

const stores = new WeakMap<ResourceService, UsageStore>();

/**
 * The usage store of the API server that owns `resources`. Kept beside the resource
 * service rather than in the GraphQL context, so that every transport (HTTP, WebSocket,
 * in-process) that builds a context from the service reaches the same store.
 */
export function usageStoreOf(resources: ResourceService): UsageStore {
  let store = stores.get(resources);
  if (!store) stores.set(resources, (store = new UsageStore()));
  return store;
}
