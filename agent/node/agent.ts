import {
  keyOf,
  messageOf,
  resourceWriter,
  type KubeqlClient,
  type ResourceWriter,
} from '../../client/index.ts';
import { systemClock, type Clock } from '../../lib/clock.ts';
import type { NodeObject, PodObject } from '../objects.ts';
import { ApiEventRecorder, type EventRecorder, type EventType } from '../events.ts';
import { FaultInjection } from './fault-injection.ts';
import { MetricsReporter } from './metrics-reporter.ts';
import { NodeLease } from './node-lease.ts';
import { NodeRegistration, type NodeDescription } from './node-registration.ts';
import { informerSources, type NodeSource, type NodeSources } from './node-sources.ts';
import type { PodEnvironment } from './pod-environment.ts';
import { DEFAULT_CRASH_LOOP_BACKOFF, type CrashLoopBackoff } from './pod-status.ts';
import { PodStreams } from './pod-streams.ts';
import { PodSweep } from './pod-sweep.ts';
import { PodSync } from './pod-sync.ts';
import { PodUids } from './pod-uids.ts';
import { PodWorkers, type SyncResult } from './pod-workers.ts';
import { ProbeManager } from './probes/probe-manager.ts';
import type { ContainerRuntime, RuntimePod } from './runtime/runtime.ts';

export { NODE_LEASE_NAMESPACE } from './node-lease.ts';
export { AGENT_VERSION } from './node-registration.ts';

export interface NodeAgentOptions extends NodeDescription {
  /** The Node's name, also its `kubernetes.io/hostname` label and its Lease's name. */
  name: string;
  runtime: ContainerRuntime;
  /** (40) */
  leaseDurationSeconds: number;
  /** How often the Lease is renewed: the node's heartbeat (10 s). */
  leaseRenewIntervalMs: number;
  /** How often resource usage is sampled and reported to the API server (10 s). */
  metricsIntervalMs: number;
  /** Also the image pull back-off (ImagePullBackOff), as the kubelet's. */
  crashLoopBackoff: CrashLoopBackoff;
  /** Volumes, environment and DNS from the API, for runtimes that run real processes. */
  environment?: PodEnvironment;
  /** How often leftovers of pods no longer bound here are looked for (1 min). */
  sweepIntervalMs: number;
  /** Runs liveness, readiness and startup probes (runtimes whose pods have a network and exec). */
  probes: boolean;
  /** Records the kubelet's Events (Created, Started, Killing, BackOff, Unhealthy, Failed...). */
  recordEvents: boolean;
  /**
   * Where the agent reads its pods and its Node: by default its own two informers, as the
   * kubelet's; a process running many nodes (cmd/cluster.ts) shares one of each instead.
   */
  sources?: NodeSources;
  /**
   * Where every part of the agent reads the time (deadlines, back-offs, the timestamps it
   * writes): the system clock by default, a test's to drive them.
   */
  clock?: Clock;
  log: (line: string) => void;
}

export const DEFAULT_NODE_AGENT_OPTIONS: Omit<NodeAgentOptions, 'name' | 'runtime'> = {
  capacity: { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' },
  labels: {},
  taints: [],
  address: '127.0.0.1',
  leaseDurationSeconds: 40,
  leaseRenewIntervalMs: 10_000,
  statusReportIntervalMs: 5 * 60_000,
  metricsIntervalMs: 10_000,
  sweepIntervalMs: 60_000,
  probes: false,
  recordEvents: false,
  crashLoopBackoff: DEFAULT_CRASH_LOOP_BACKOFF,
  log: (line) => console.error(line),
};

/**
 * The node agent (the kubelet's part in kubeql): registers its Node and reports its
 * status (node-registration.ts), heartbeats through a Lease in kube-node-lease
 * (node-lease.ts), watches the pods bound to it, and drives a container runtime to run
 * them, reporting each pod's status through the status subresource. One serial worker
 * per pod (pod-workers.ts) runs `syncPod` (pod-sync.ts), which compares what the pod
 * asks for with what the runtime has and converges, so it is safe to run any number
 * of times, and an agent restarted over a runtime that kept running adopts its pods
 * as they are. Pods marked for deletion are stopped, given a final status, then
 * deleted for good (grace period 0).
 *
 * `silence()` makes it behave as a node cut off from the API server (no lease, no
 * status, no writes at all) until `resume()`, for tests of node loss
 * (fault-injection.ts).
 */
export class NodeAgent {
  readonly name: string;
  readonly options: NodeAgentOptions;
  readonly runtime: ContainerRuntime;
  readonly pods: NodeSource<PodObject>;
  private readonly node: NodeSource<NodeObject>;
  private readonly clock: Clock;
  private readonly writer: ResourceWriter;
  private readonly faults: FaultInjection;
  private readonly uids = new PodUids();
  private readonly workers: PodWorkers;
  private readonly probes?: ProbeManager;
  private readonly events?: EventRecorder;
  private readonly sync: PodSync;
  private readonly registration: NodeRegistration;
  private readonly lease: NodeLease;
  private readonly sweep: PodSweep;
  private stopped = false;
  private metricsReporter?: MetricsReporter;
  private podStreams?: PodStreams;
  private unsubscribeRuntime?: () => void;
  private unsubscribeEnvironment?: () => void;

  constructor(
    private readonly client: KubeqlClient,
    options: Partial<NodeAgentOptions> & Pick<NodeAgentOptions, 'name' | 'runtime'>,
  ) {
    this.options = { ...DEFAULT_NODE_AGENT_OPTIONS, ...options };
    const { log, environment } = this.options;
    this.name = options.name;
    this.runtime = options.runtime;
    this.clock = this.options.clock ?? systemClock;
    this.writer = resourceWriter(client);
    this.faults = new FaultInjection(this.runtime);
    const isSilent = () => this.faults.isSilent;
    const onError = (error: unknown) => log(`node ${this.name}: ${messageOf(error)}`);
    this.workers = new PodWorkers(
      (key) => this.syncPod(key),
      (key, error) => log(`node ${this.name}: pod ${key}: ${messageOf(error)}`),
      this.clock,
    );
    if (this.options.recordEvents)
      this.events = new ApiEventRecorder(this.writer, 'kubelet', log, { clock: this.clock });
    if (this.options.probes) {
      this.probes = new ProbeManager({
        runtime: this.runtime,
        log,
        onChange: (key) => this.workers.update(key),
        onLivenessFailure: (pod, _name, message, { containerID, gracePeriodSeconds }) => {
          this.event(pod, 'Normal', 'Killing', message);
          void this.runtime
            .killContainer?.(containerID, gracePeriodSeconds)
            .catch((error: unknown) => onError(error))
            .finally(() => this.workers.update(keyOf(pod)));
        },
        recordEvent: (pod, type, reason, message) => this.event(pod, type, reason, message),
        clock: this.clock,
      });
    }
    const sources = this.options.sources ?? informerSources(client, onError);
    this.pods = sources.pods(this.name);
    this.pods.addEventHandler({
      onAdd: (pod) => this.podChanged(pod),
      onUpdate: (_old, pod) => this.podChanged(pod),
      onDelete: (pod) => this.podChanged(pod),
    });
    this.node = sources.node(this.name);
    this.registration = new NodeRegistration(client, this.writer, this.node, {
      nodeName: this.name,
      runtime: this.runtime,
      capacity: this.options.capacity,
      allocatable: this.options.allocatable,
      labels: this.options.labels,
      taints: this.options.taints,
      address: this.options.address,
      podCIDR: this.options.podCIDR,
      statusReportIntervalMs: this.options.statusReportIntervalMs,
      isSilent,
      clock: this.clock,
      log,
    });
    this.lease = new NodeLease(this.writer, {
      nodeName: this.name,
      durationSeconds: this.options.leaseDurationSeconds,
      renewIntervalMs: this.options.leaseRenewIntervalMs,
      nodeUid: () => this.registration.nodeUid,
      isSilent,
      clock: this.clock,
      log,
    });
    this.sync = new PodSync(this.writer, {
      nodeName: this.name,
      address: this.options.address,
      podCIDR: this.options.podCIDR,
      runtime: this.runtime,
      pods: this.pods,
      uids: this.uids,
      crashLoopBackoff: this.options.crashLoopBackoff,
      environment,
      probes: this.probes,
      recordEvent: (pod, type, reason, message) => this.event(pod, type, reason, message),
      isSilent,
      isStopped: () => this.stopped,
      clock: this.clock,
    });
    this.sweep = new PodSweep({
      nodeName: this.name,
      runtime: this.runtime,
      pods: this.pods,
      uids: this.uids,
      environment,
      intervalMs: this.options.sweepIntervalMs,
      update: (key) => this.workers.update(key),
      isSilent,
      log,
    });
  }

  /** Registers the node, starts heartbeats, adopts what the runtime runs and syncs every pod bound here. */
  async start(): Promise<void> {
    const { log, environment } = this.options;
    await this.registration.register();
    await this.lease.start();
    this.registration.start();
    this.metricsReporter = new MetricsReporter(this.client, {
      nodeName: this.name,
      runtime: this.runtime,
      intervalMs: this.options.metricsIntervalMs,
      isSilent: () => this.faults.isSilent,
      clock: this.clock,
      log,
    }).start();
    // Logs and exec reach the node through a subscription it holds: the API server cannot connect to it.
    this.podStreams = new PodStreams(this.client, {
      nodeName: this.name,
      runtime: this.runtime,
      clock: this.clock,
      log,
    }).start();
    this.unsubscribeRuntime = this.runtime.onChange((uid) => {
      const key = this.uids.keyOf(uid);
      if (key) this.workers.update(key);
    });
    await environment?.start();
    this.unsubscribeEnvironment = environment?.onChange((namespace) => {
      for (const key of this.pods.keys()) if (key.startsWith(`${namespace}/`)) this.workers.update(key);
    });
    // What the runtime already runs (an agent restart): known before the pods arrive.
    const adopted = await this.runtime.listPods();
    for (const pod of adopted) this.uids.remember(`${pod.namespace}/${pod.name}`, pod.uid);
    this.node.start();
    this.pods.start();
    await Promise.all([this.pods.waitForSync(), this.node.waitForSync()]);
    this.sweep.sweep(adopted);
    this.sweep.start();
  }

  /** Stops the agent; containers keep running in the runtime for the next agent to adopt. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.lease.stop();
    const statusWritten = this.registration.stop();
    this.sweep.stop();
    this.unsubscribeRuntime?.();
    this.unsubscribeEnvironment?.();
    await this.metricsReporter?.stop();
    await this.podStreams?.stop();
    await this.workers.stop();
    await this.probes?.stop();
    await Promise.all([this.pods.stop(), this.node.stop()]);
    await this.options.environment?.stop();
    await statusWritten;
  }

  get isSilent(): boolean {
    return this.faults.isSilent;
  }

  /** Stops every write to the API (lease, node and pod status, deletions), as if cut off. */
  silence(): void {
    this.faults.silence();
  }

  /** Back in touch: renews the lease, reports the node Ready and resyncs every pod. */
  resume(): void {
    if (!this.faults.resume()) return;
    this.lease.renewNow();
    this.registration.reportStatus();
    for (const key of new Set([...this.pods.keys(), ...this.uids.keys()])) this.workers.update(key);
  }

  /** Fault injection (simulated runtime): the running containers of the pods selected exit with `exitCode`. */
  failContainers(filter?: (pod: RuntimePod) => boolean, exitCode = 1): number {
    return this.faults.failContainers(filter, exitCode);
  }

  /** Converges one pod (by `namespace/name`): the unit of work of its pod worker; safe to call again. */
  syncPod(key: string): Promise<SyncResult | void> {
    return this.sync.syncPod(key);
  }

  private podChanged(pod: PodObject): void {
    const key = keyOf(pod);
    this.uids.remember(key, pod.metadata.uid!);
    this.workers.update(key);
  }

  private event(pod: PodObject, type: EventType, reason: string, message: string): void {
    if (!this.faults.isSilent) this.events?.record(pod, type, reason, message);
  }
}

/** Starts a node agent against any client; resolves once it is registered and has synced its pods. */
export async function startNodeAgent(
  client: KubeqlClient,
  options: Partial<NodeAgentOptions> & Pick<NodeAgentOptions, 'name' | 'runtime'>,
): Promise<NodeAgent> {
  const agent = new NodeAgent(client, options);
  await agent.start();
  return agent;
}
