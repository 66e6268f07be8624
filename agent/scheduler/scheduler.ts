import { isDeepStrictEqual } from 'node:util';
import {
  isCode,
  keyOf,
  messageOf,
  resourceWriter,
  type KubeqlClient,
  type ResourceWriter,
} from '../../client/index.ts';
import { ReconcileLoop } from '../controllers/reconcile-loop.ts';
import { ApiEventRecorder, type EventRecorder } from '../events.ts';
import { SharedInformers } from '../informers.ts';
import type { Condition, NodeObject, PodObject } from '../objects.ts';
import { isPodFinished } from '../pod-state.ts';
import { systemClock, type Clock } from '../../lib/clock.ts';
import { timestamp } from '../timestamps.ts';
import {
  DEFAULT_FILTERS,
  firstFailure,
  prepareFilters,
  unschedulableMessage,
  type Filter,
} from './filters.ts';
import { podInfo, SchedulerCache, type NodeInfo } from './node-info.ts';
import { DEFAULT_SCORES, pickBest, scoreNodes, type Score } from './scores.ts';
import { volumeBindingFilter } from './volume-binding.ts';

/** Bindings written at once; beyond this a decision waits for one to finish (back-pressure on the store). */
const MAX_BINDINGS_IN_FLIGHT = 64;

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export interface SchedulerOptions {
  /** Pods whose spec.schedulerName is this are ours (default "default-scheduler"). */
  schedulerName: string;
  /** Wait before retrying an unschedulable pod after the cluster changed; doubles per failed attempt (1 s). */
  podInitialBackoffMs: number;
  /** (10 s) */
  podMaxBackoffMs: number;
  /** An unschedulable pod is retried after this even when nothing seemed to change (5 min). */
  maxUnschedulableMs: number;
  filters: Filter[];
  scores: Score[];
  /** For tie breaks between equally good nodes. */
  random: () => number;
  /** Where back-offs and the times written are read. */
  clock: Clock;
  log: (line: string) => void;
}

export const DEFAULT_SCHEDULER_OPTIONS: SchedulerOptions = {
  schedulerName: DEFAULT_SCHEDULER_NAME,
  podInitialBackoffMs: 1000,
  podMaxBackoffMs: 10_000,
  maxUnschedulableMs: 5 * 60_000,
  filters: DEFAULT_FILTERS,
  scores: DEFAULT_SCORES,
  random: Math.random,
  clock: systemClock,
  log: (line) => console.error(line),
};

interface Unschedulable {
  attempts: number;
  lastAttempt: number;
}

/**
 * The scheduler, as a client of the API like any other: it watches Pods and Nodes,
 * keeps per-node totals of what bound pods request (updated one event at a time), and
 * places each pending pod of its schedulerName on the best feasible node by binding it.
 *
 * Decisions are made one at a time by a single worker of the shared reconcile loop:
 * each reads and updates the same totals, and a pod it binds is counted at once
 * ("assumed") so the next decision cannot overcommit its node. A pod no node can take
 * gets PodScheduled=False/Unschedulable and a FailedScheduling event, and waits until
 * a node appears or changes or a pod goes away, then is retried with per-pod back-off
 * (never in a loop: its own status write does not requeue it).
 *
 * What a decision costs is kept from growing with the cluster as kube-scheduler keeps
 * it: it stops filtering once enough nodes fit (nodesToFind), going on next time from
 * where it stopped; each filter reads the pod once per decision (PreFilter), not once
 * per node; and the binding is written in the background. kube-scheduler also copies
 * the node infos changed since the last cycle (by generation number) into a snapshot,
 * because its informers update the cache from other goroutines while a cycle runs. Here
 * filtering and scoring run in one synchronous stretch, so they read the cache itself,
 * which nothing can change under them: no copy at all.
 */
export class Scheduler {
  readonly options: SchedulerOptions;
  readonly cache = new SchedulerCache();
  /** Resolves once the informers have listed and the scheduling loop runs. */
  readonly synced: Promise<void>;
  private readonly informers: SharedInformers;
  /** False when the informers are shared with other components (which stop them). */
  private readonly ownInformers: boolean;
  private readonly removeHandlers: () => void;
  private readonly writer: ResourceWriter;
  private readonly events: EventRecorder & { flush?(): Promise<void> };
  private readonly loop: ReconcileLoop;
  private readonly unschedulable = new Map<string, Unschedulable>();
  /**
   * The unschedulable pods waiting for the cluster to change (kube-scheduler's
   * unschedulable queue). A change moves them all to their back-off at once and they
   * wait here again only once they have failed again, so a burst of changes (nodes
   * registering) costs each pod one move rather than one per change.
   */
  private readonly parked = new Set<string>();
  /** Counts cluster changes that may let an unschedulable pod fit, to catch those during a decision. */
  private clusterChanges = 0;
  private stopped = false;
  /** Where the next decision starts looking, so sampled nodes rotate (see nodesToFind). */
  private nextStart = 0;
  /** Bindings being written (see schedule). */
  private readonly bindings = new Set<Promise<void>>();
  /** The configured filters, then VolumeBinding (which reads the claims this scheduler's informers hold). */
  private readonly filters: Filter[];

  constructor(client: KubeqlClient, options: Partial<SchedulerOptions> & SchedulerParts = {}) {
    this.options = { ...DEFAULT_SCHEDULER_OPTIONS, ...options };
    const { log } = this.options;
    this.writer = options.writer ?? resourceWriter(client);
    this.events =
      options.events ??
      new ApiEventRecorder(this.writer, this.options.schedulerName, log, { clock: this.options.clock });
    this.ownInformers = !options.informers;
    this.informers =
      options.informers ??
      new SharedInformers(client, (error) => log(`scheduler informer: ${messageOf(error)}`));
    this.loop = new ReconcileLoop('scheduler', (key) => this.schedule(key), {
      workers: 1,
      onError: (key, error) => log(`scheduler: pod ${key}: ${messageOf(error)}`),
    });

    const nodes = this.informers.get<NodeObject>('Node');
    const removeNodeHandlers = nodes.addEventHandler({
      onAdd: (node) => {
        this.cache.setNode(node);
        this.clusterChanged();
      },
      onUpdate: (old, node) => {
        this.cache.setNode(node);
        if (schedulingChanged(old, node)) this.clusterChanged();
      },
      onDelete: (node) => this.cache.removeNode(node.metadata.name!),
    });
    const volumeBinding = volumeBindingFilter(this.informers, () => this.clusterChanged());
    this.filters = [...this.options.filters, volumeBinding];
    const pods = this.informers.get<PodObject>('Pod');
    const removePodHandlers = pods.addEventHandler({
      onAdd: (pod) => {
        this.cache.updatePod(pod);
        if (this.isPending(pod)) this.loop.enqueue(keyOf(pod));
      },
      onUpdate: (old, pod) => {
        this.cache.updatePod(pod);
        const key = keyOf(pod);
        if (this.isPending(pod)) {
          // Its own status (the Unschedulable condition this scheduler wrote) changes nothing.
          if (!this.unschedulable.has(key) || podChanged(old, pod)) this.loop.enqueue(key);
        } else {
          this.forgetUnschedulable(key);
          // A pod that finished frees what it requested.
          if (old.spec?.nodeName && !isPodFinished(old) && isPodFinished(pod)) this.clusterChanged();
        }
      },
      onDelete: (pod) => {
        const key = keyOf(pod);
        this.cache.removePod(key);
        this.forgetUnschedulable(key);
        if (pod.spec?.nodeName && !isPodFinished(pod)) this.clusterChanged();
      },
    });

    this.removeHandlers = () => {
      removeNodeHandlers();
      removePodHandlers();
      volumeBinding.dispose();
    };
    this.informers.start();
    this.synced = this.informers.waitForSync().then(() => {
      // Only decide on a complete picture of the nodes: pods found meanwhile wait in the queue.
      if (!this.stopped) this.loop.start();
    });
    // Stopped before it synced: whoever awaits `synced` sees that; nobody else must.
    this.synced.catch(() => {});
  }

  /** Whether the pod waits for this scheduler: unbound, ours, not gated, not being deleted, not finished. */
  isPending(pod: PodObject): boolean {
    return (
      !pod.spec?.nodeName &&
      !pod.spec?.schedulingGates?.length &&
      (pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME) === this.options.schedulerName &&
      !pod.metadata.deletionTimestamp &&
      !isPodFinished(pod)
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop.stop();
    await Promise.all(this.bindings);
    this.removeHandlers();
    if (this.ownInformers) await this.informers.stop();
    await this.events.flush?.();
  }

  /** One scheduling decision for the pod with this key (the reconcile of the loop). */
  private async schedule(key: string): Promise<void> {
    const pod = this.informers.get<PodObject>('Pod').get(key);
    if (!pod || !this.isPending(pod)) {
      this.forgetUnschedulable(key);
      return;
    }
    // Bound by this scheduler already; the informer has not caught up.
    if (this.cache.isAssumed(key)) return;

    const changesBefore = this.clusterChanges;
    const info = podInfo(pod);
    const checks = prepareFilters(info, this.filters);
    const nodes = this.cache.nodeInfos();
    const feasible: NodeInfo[] = [];
    const reasons = new Map<string, number>();
    const start = this.nextStart % Math.max(1, nodes.length);
    const wanted = nodesToFind(nodes.length);
    let looked = 0;
    let index = start;
    for (; looked < nodes.length && feasible.length < wanted; looked++) {
      const node = nodes[index];
      if (++index === nodes.length) index = 0;
      const failed = firstFailure(checks, node);
      if (!failed) feasible.push(node);
      else if (failed.length === 1) reasons.set(failed[0], (reasons.get(failed[0]) ?? 0) + 1);
      else for (const reason of new Set(failed)) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    this.nextStart = index;
    if (feasible.length === 0) {
      await this.markUnschedulable(pod, unschedulableMessage(nodes.length, reasons), changesBefore);
      return;
    }
    const totals = scoreNodes(info, feasible, this.options.scores);
    const nodeName = feasible[pickBest(totals, this.options.random)].name;

    // kube-scheduler's binding cycle: the pod counts on its node at once and the next
    // decision goes ahead while the binding is written, instead of one decision per commit.
    this.cache.assume(pod, nodeName, info);
    this.forgetUnschedulable(key);
    const binding: Promise<void> = this.bind(pod, key, nodeName).finally(() => this.bindings.delete(binding));
    this.bindings.add(binding);
    if (this.bindings.size >= MAX_BINDINGS_IN_FLIGHT) await Promise.race(this.bindings);
  }

  /** Writes a decision; on failure the assumption is dropped and the pod retried unless someone else placed it. */
  private async bind(pod: PodObject, key: string, nodeName: string): Promise<void> {
    const { namespace = 'default', name = '' } = pod.metadata;
    try {
      await this.writer.bind(namespace, name, nodeName);
      this.events.record(
        pod,
        'Normal',
        'Scheduled',
        `Successfully assigned ${namespace}/${name} to ${nodeName}`,
      );
    } catch (error) {
      this.cache.removePod(key);
      // Bound by someone else, being deleted, or gone: not ours to place any more.
      if (isCode(error, 'CONFLICT') || isCode(error, 'NOT_FOUND')) {
        this.options.log(`scheduler: dropping pod ${key}: ${messageOf(error)}`);
        return;
      }
      this.options.log(`scheduler: binding ${key} to ${nodeName} failed, retrying: ${messageOf(error)}`);
      if (!this.stopped) this.loop.enqueueAfter(key, 1000);
    }
  }

  private async markUnschedulable(pod: PodObject, message: string, changesBefore: number): Promise<void> {
    const key = keyOf(pod);
    const entry = this.unschedulable.get(key) ?? { attempts: 0, lastAttempt: 0 };
    entry.attempts++;
    entry.lastAttempt = this.options.clock.now();
    this.unschedulable.set(key, entry);
    this.events.record(pod, 'Warning', 'FailedScheduling', message);

    const conditions = pod.status?.conditions ?? [];
    const previous = conditions.find((condition) => condition.type === 'PodScheduled');
    if (previous?.status !== 'False' || previous.reason !== 'Unschedulable' || previous.message !== message) {
      const condition: Condition = {
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message,
        lastTransitionTime:
          previous?.status === 'False' ? previous.lastTransitionTime : timestamp(this.options.clock.now()),
      };
      const status = {
        ...pod.status,
        conditions: [...conditions.filter((c) => c.type !== 'PodScheduled'), condition],
      };
      try {
        // The version precondition keeps a binding made meanwhile from being overwritten.
        await this.writer.updateStatus(pod, status, pod.metadata.resourceVersion);
      } catch (error) {
        if (isCode(error, 'NOT_FOUND')) return;
        if (!isCode(error, 'CONFLICT')) throw error;
        // Changed meanwhile: look again once the informer has the new version.
        this.loop.enqueueAfter(key, this.backoff(entry));
        return;
      }
    }
    if (this.clusterChanges !== changesBefore) this.loop.enqueueAfter(key, this.backoff(entry));
    else {
      this.loop.enqueueAfter(key, this.options.maxUnschedulableMs);
      this.parked.add(key);
    }
  }

  /** The time left of the pod's back-off since its last attempt. */
  private backoff(entry: Unschedulable): number {
    const { podInitialBackoffMs, podMaxBackoffMs } = this.options;
    const wait = Math.min(podMaxBackoffMs, podInitialBackoffMs * 2 ** Math.max(0, entry.attempts - 1));
    return Math.max(0, entry.lastAttempt + wait - this.options.clock.now());
  }

  /** Something changed that may let unschedulable pods fit: retry each waiting one after its back-off. */
  private clusterChanged(): void {
    this.clusterChanges++;
    for (const key of this.parked) this.loop.enqueueAfter(key, this.backoff(this.unschedulable.get(key)!));
    this.parked.clear();
  }

  private forgetUnschedulable(key: string): void {
    this.unschedulable.delete(key);
    this.parked.delete(key);
  }
}

/** Whether a node update matters to placement (not a heartbeat). */
function schedulingChanged(old: NodeObject, node: NodeObject): boolean {
  const view = (n: NodeObject) => ({
    labels: n.metadata.labels,
    spec: n.spec,
    allocatable: n.status?.allocatable ?? n.status?.capacity,
    conditions: n.status?.conditions?.map(({ type, status }) => ({ type, status })),
  });
  return !isDeepStrictEqual(view(old), view(node));
}

/** Whether a pending pod changed in a way that may change where it fits (not its status). */
function podChanged(old: PodObject, pod: PodObject): boolean {
  return (
    !isDeepStrictEqual(old.spec, pod.spec) ||
    !isDeepStrictEqual(old.metadata.labels, pod.metadata.labels) ||
    old.metadata.uid !== pod.metadata.uid
  );
}

/** Starts a scheduler against any client (in-process or over the network). */
/** What a scheduler may be given instead of making its own. */
export interface SchedulerParts {
  writer?: ResourceWriter;
  events?: EventRecorder;
  /**
   * Informers shared with the other components of the process (a cluster in one
   * process: one Pod cache and one Pod watch for the controllers and the scheduler).
   * Whoever passes them stops them.
   */
  informers?: SharedInformers;
}

export function startScheduler(
  client: KubeqlClient,
  options: Partial<SchedulerOptions> & SchedulerParts = {},
): Scheduler {
  return new Scheduler(client, options);
}

/**
 * How many feasible nodes a decision scores: kube-scheduler's adaptive
 * percentageOfNodesToScore (50 % minus 1 % per 125 nodes, at least 5 %, at least 100
 * nodes). Small clusters score every node; a thousand-node cluster stops after ~420,
 * which keeps decisions cheap without losing the spread the scores aim for.
 */
export function nodesToFind(total: number): number {
  if (total < 100) return total;
  const percent = Math.max(5, 50 - total / 125);
  return Math.max(100, Math.floor((total * percent) / 100));
}
