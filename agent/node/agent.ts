import crypto from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import {
  isCode,
  keyOf,
  messageOf,
  resourceWriter,
  type KubeqlClient,
  type ResourceWriter,
} from '../../client/index.ts';
import type { NodeStatus, Taint } from '../../schema/kinds/node.ts';
import type { Container } from '../../schema/kinds/pod.ts';
import type { Condition, LeaseObject, NodeObject, PodObject } from '../objects.ts';
import { ApiEventRecorder, type EventRecorder } from '../events.ts';
import { isPodFinished } from '../pod-state.ts';
import { microTimestamp, timestamp } from '../timestamps.ts';
import type { PodEnvironment } from './pod-environment.ts';
import {
  backoffKey,
  buildPodStatus,
  DEFAULT_CRASH_LOOP_BACKOFF,
  planPod,
  type CrashLoopBackoff,
  type SyncPlan,
} from './pod-status.ts';
import { MetricsReporter } from './metrics-reporter.ts';
import { informerSources, type NodeSource, type NodeSources } from './node-sources.ts';
import { PodStreams } from './pod-streams.ts';
import { PodWorkers, type SyncResult } from './pod-workers.ts';
import { StartFailures } from './start-failures.ts';
import { ProbeManager } from './probes/probe-manager.ts';
import { runLifecycleHook, runPreStopHooks } from './lifecycle-hooks.ts';
import {
  ContainerStartError,
  instancesOf,
  type ContainerRuntime,
  type RuntimePod,
} from './runtime/runtime.ts';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/**
 * Each wait between lease renewals is up to 4 % longer, at random (the kubelet's lease
 * controller runs JitterUntil with factor 0.04): nodes started together, or whose timers
 * a busy process fired late together, drift apart instead of renewing in lockstep.
 */
const LEASE_RENEW_JITTER = 0.04;
export const AGENT_VERSION = 'kubeql-0.1.0';

export interface NodeAgentOptions {
  /** The Node's name, also its `kubernetes.io/hostname` label and its Lease's name. */
  name: string;
  runtime: ContainerRuntime;
  /** What the node has (cpu '4', memory '8Gi', pods '110', ephemeral-storage '100Gi'). */
  capacity: Record<string, string>;
  /** What pods may request; defaults to capacity. */
  allocatable?: Record<string, string>;
  /** Added to the well-known ones (hostname, os, arch). */
  labels: Record<string, string>;
  /** Registered with the node (--register-with-taints). */
  taints: Taint[];
  /** The node's InternalIP (127.0.0.1). */
  address: string;
  /** The range the runtime takes pod IPs from. */
  podCIDR?: string;
  /** (40) */
  leaseDurationSeconds: number;
  /** How often the Lease is renewed: the node's heartbeat (10 s). */
  leaseRenewIntervalMs: number;
  /** How often the Node status is written when nothing changed (5 min). */
  statusReportIntervalMs: number;
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

const BOOT_ID = crypto.randomUUID();
const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' };

/**
 * The node agent (the kubelet's part in kubeql): registers its Node, heartbeats
 * through a Lease in kube-node-lease, watches the pods bound to it, and drives a
 * container runtime to run them, reporting each pod's status through the status
 * subresource. One serial worker per pod runs `syncPod`, which compares what the pod
 * asks for with what the runtime has and converges, so it is safe to run any number
 * of times, and an agent restarted over a runtime that kept running adopts its pods
 * as they are. Pods marked for deletion are stopped, given a final status, then
 * deleted for good (grace period 0).
 *
 * `silence()` makes it behave as a node cut off from the API server (no lease, no
 * status, no writes at all) until `resume()`, for tests of node loss.
 */
export class NodeAgent {
  readonly name: string;
  readonly options: NodeAgentOptions;
  readonly runtime: ContainerRuntime;
  readonly pods: NodeSource<PodObject>;
  private readonly nodes: NodeSource<NodeObject>;
  private readonly writer: ResourceWriter;
  private readonly workers: PodWorkers;
  private readonly probes?: ProbeManager;
  private readonly events?: EventRecorder;
  /** Every pod uid seen per key (from the API and the runtime), so that stale incarnations get cleaned up. */
  private readonly uids = new Map<string, Set<string>>();
  private readonly keyOfUid = new Map<string, string>();
  private nodeUid?: string;
  private silent = false;
  private stopped = false;
  private leaseTimer?: ReturnType<typeof setTimeout>;
  private statusTimer?: ReturnType<typeof setInterval>;
  private sweepTimer?: ReturnType<typeof setInterval>;
  private leaseFailures = 0;
  private nodeStatusChain: Promise<void> = Promise.resolve();
  private unsubscribeRuntime?: () => void;
  private unsubscribeEnvironment?: () => void;
  private readonly startFailures: StartFailures;
  /** Pods whose termination has begun (preStop hooks run, stop requested). */
  private readonly stopping = new Set<string>();
  private metricsReporter?: MetricsReporter;
  private podStreams?: PodStreams;

  constructor(
    private readonly client: KubeqlClient,
    options: Partial<NodeAgentOptions> & Pick<NodeAgentOptions, 'name' | 'runtime'>,
  ) {
    this.options = { ...DEFAULT_NODE_AGENT_OPTIONS, ...options };
    this.name = options.name;
    this.runtime = options.runtime;
    this.writer = resourceWriter(client);
    const log = this.options.log;
    const onError = (error: unknown) => log(`node ${this.name}: ${messageOf(error)}`);
    this.workers = new PodWorkers(
      (key) => this.syncPod(key),
      (key, error) => log(`node ${this.name}: pod ${key}: ${messageOf(error)}`),
    );
    this.startFailures = new StartFailures(this.options.crashLoopBackoff);
    if (this.options.recordEvents) this.events = new ApiEventRecorder(this.writer, 'kubelet', log);
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
      });
    }
    const sources = this.options.sources ?? informerSources(client, onError);
    this.pods = sources.pods(this.name);
    this.pods.addEventHandler({
      onAdd: (pod) => this.podChanged(pod),
      onUpdate: (_old, pod) => this.podChanged(pod),
      onDelete: (pod) => this.podChanged(pod),
    });
    this.nodes = sources.node(this.name);
    // Someone else (the node lifecycle controller) marked the node not ready while it is
    // fine: report again at once, as the kubelet's next status update would.
    const check = (node: NodeObject) => {
      const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
      if (ready?.status !== 'True') this.reportNodeStatus();
    };
    this.nodes.addEventHandler({ onAdd: check, onUpdate: (_old, node) => check(node) });
  }

  /** Registers the node, starts heartbeats, adopts what the runtime runs and syncs every pod bound here. */
  async start(): Promise<void> {
    // The API server may not be up yet (or restarting): keep trying, as the kubelet does.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.register();
        break;
      } catch (error) {
        if (!isCode(error, 'UNAVAILABLE') || this.stopped) throw error;
        this.options.log(`node ${this.name}: cannot register yet: ${messageOf(error)}`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 200 * 2 ** attempt)));
      }
    }
    await this.renewLease();
    this.scheduleLease(this.options.leaseRenewIntervalMs);
    this.statusTimer = setInterval(() => this.reportNodeStatus(), this.options.statusReportIntervalMs);
    this.statusTimer.unref?.();
    this.metricsReporter = new MetricsReporter(this.client, {
      nodeName: this.name,
      runtime: this.runtime,
      intervalMs: this.options.metricsIntervalMs,
      isSilent: () => this.silent,
      log: this.options.log,
    }).start();
    // Logs and exec reach the node through a subscription it holds: the API server cannot connect to it.
    this.podStreams = new PodStreams(this.client, {
      nodeName: this.name,
      runtime: this.runtime,
      log: this.options.log,
    }).start();
    this.unsubscribeRuntime = this.runtime.onChange((uid) => {
      const key = this.keyOfUid.get(uid);
      if (key) this.workers.update(key);
    });
    await this.options.environment?.start();
    this.unsubscribeEnvironment = this.options.environment?.onChange((namespace) => {
      for (const key of this.pods.keys()) if (key.startsWith(`${namespace}/`)) this.workers.update(key);
    });
    // What the runtime already runs (an agent restart): known before the pods arrive.
    const adopted = await this.runtime.listPods();
    for (const pod of adopted) this.remember(`${pod.namespace}/${pod.name}`, pod.uid);
    this.nodes.start();
    this.pods.start();
    await Promise.all([this.pods.waitForSync(), this.nodes.waitForSync()]);
    this.sweep(adopted);
    this.sweepTimer = setInterval(() => {
      void this.runtime
        .listPods()
        .then((pods) => this.sweep(pods))
        .catch((error: unknown) => this.options.log(`node ${this.name}: sweep: ${messageOf(error)}`));
    }, this.options.sweepIntervalMs);
    this.sweepTimer.unref?.();
  }

  /**
   * The node-level sweep: what the runtime has (or the environment kept on disk) for pods
   * no longer bound here — deleted while the agent was away, or missed — is stopped and
   * removed by those pods' workers.
   */
  private sweep(runtimePods: RuntimePod[]): void {
    if (this.silent || this.stopped) return;
    for (const pod of runtimePods) {
      const key = `${pod.namespace}/${pod.name}`;
      if (this.pods.get(key)?.metadata.uid === pod.uid) continue;
      this.remember(key, pod.uid);
      this.workers.update(key);
    }
    // Volumes go once the pod's containers are gone too (a pod being deleted still runs).
    const bound = new Set([
      ...this.pods.list().map((pod) => pod.metadata.uid!),
      ...runtimePods.map((p) => p.uid),
    ]);
    void this.options.environment
      ?.sweep(bound)
      .catch((error: unknown) => this.options.log(`node ${this.name}: sweep: ${messageOf(error)}`));
  }

  /** Stops the agent; containers keep running in the runtime for the next agent to adopt. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.leaseTimer);
    clearInterval(this.statusTimer);
    clearInterval(this.sweepTimer);
    this.unsubscribeRuntime?.();
    this.unsubscribeEnvironment?.();
    await this.metricsReporter?.stop();
    await this.podStreams?.stop();
    await this.workers.stop();
    await this.probes?.stop();
    await Promise.all([this.pods.stop(), this.nodes.stop()]);
    await this.options.environment?.stop();
    await this.nodeStatusChain;
  }

  get isSilent(): boolean {
    return this.silent;
  }

  /** Stops every write to the API (lease, node and pod status, deletions), as if cut off. */
  silence(): void {
    this.silent = true;
  }

  /** Back in touch: renews the lease, reports the node Ready and resyncs every pod. */
  resume(): void {
    if (!this.silent) return;
    this.silent = false;
    clearTimeout(this.leaseTimer);
    void this.renewLease().finally(() => this.scheduleLease(this.options.leaseRenewIntervalMs));
    this.reportNodeStatus();
    for (const key of new Set([...this.pods.keys(), ...this.uids.keys()])) this.workers.update(key);
  }

  /** Fault injection (simulated runtime): the running containers of the pods selected exit with `exitCode`. */
  failContainers(filter?: (pod: RuntimePod) => boolean, exitCode = 1): number {
    if (!this.runtime.failContainers) throw new Error(`runtime ${this.runtime.name} cannot fail containers`);
    return this.runtime.failContainers(filter, exitCode);
  }

  /** Converges one pod (by `namespace/name`): the unit of work of its pod worker. */
  async syncPod(key: string): Promise<SyncResult | void> {
    if (this.silent || this.stopped) return;
    const pod = this.pods.get(key);
    for (const uid of this.uids.get(key) ?? []) {
      if (uid === pod?.metadata.uid) continue;
      // Deleted from the API, or an older pod of the same name: nothing of it may keep running.
      await this.runtime.removePod(uid);
      await this.options.environment?.cleanup(uid);
      this.startFailures.forget(uid);
      this.stopping.delete(uid);
      this.forget(key, uid);
    }
    if (!pod) return;
    const uid = pod.metadata.uid!;
    if (pod.metadata.deletionTimestamp) return this.terminate(pod);
    if (isPodFinished(pod)) {
      // Finished for good: its sandbox goes, what is known of its containers stays.
      this.probes?.removePod(uid);
      await this.runtime.stopPod(uid, 0);
      return;
    }
    const deadline = activeDeadline(pod);
    if (deadline !== undefined && deadline <= Date.now()) return this.failPastDeadline(pod);

    let runtimePod = await this.runtime.getPod(uid);
    let ip = runtimePod?.ready ? runtimePod.ip : undefined;
    if (!runtimePod?.ready) {
      ip = (
        await this.runtime.runPodSandbox(pod, {
          nodeName: this.name,
          hostIP: this.options.address,
          podCIDR: this.options.podCIDR,
          ...this.options.environment?.sandboxConfig(pod),
        })
      ).ip;
    }
    const plan = planPod(pod, runtimePod, this.options.crashLoopBackoff);
    const started = await this.startContainers(pod, plan, ip);
    if (started > 0 || !runtimePod) runtimePod = await this.runtime.getPod(uid);
    for (const message of plan.backingOff.values())
      this.event(pod, 'Warning', 'BackOff', backOffEvent(message));
    const probes = this.probes;
    probes?.sync(pod, runtimePod);
    const status = buildPodStatus(pod, runtimePod, plan, {
      hostIP: this.options.address,
      podIP: ip,
      probes: probes && ((name) => probes.state(uid, name)),
    });
    await this.writePodStatus(pod, status);
    const untilDeadline = deadline === undefined ? undefined : deadline - Date.now();
    const retries = [plan.retryAfterMs, untilDeadline].filter((ms) => ms !== undefined);
    return { retryAfterMs: retries.length > 0 ? Math.min(...retries) : undefined };
  }

  /**
   * Starts what the plan says, each container unless it is backing off from a failed
   * start; records the failures (ErrImagePull, CreateContainerConfigError...) in the
   * plan for the status, and when to try again. Returns how many started.
   */
  private async startContainers(pod: PodObject, plan: SyncPlan, ip: string | undefined): Promise<number> {
    const uid = pod.metadata.uid!;
    const environment = this.options.environment;
    plan.startErrors = new Map();
    let started = 0;
    const fail = (key: string, reason: string, message: string) => {
      const retryIn = this.startFailures.record(uid, key, reason, message);
      plan.startErrors!.set(key, { reason, message });
      plan.retryAfterMs = Math.min(plan.retryAfterMs ?? Infinity, retryIn);
    };
    if (environment) {
      // Every sync, not only before a start: ConfigMap and Secret volumes follow their objects.
      try {
        await environment.prepare(pod);
      } catch (error) {
        if (!(error instanceof ContainerStartError)) throw error;
        for (const { container, init } of plan.start) {
          fail(backoffKey(container.name, init), error.reason, error.message);
        }
        if (plan.start.length > 0 && error.event)
          this.event(pod, 'Warning', error.event.reason, error.event.message);
        return 0;
      }
    }
    for (const { container, init, attempt } of plan.start) {
      const key = backoffKey(container.name, init);
      const waiting = this.startFailures.waiting(uid, key, container.image);
      if (waiting) {
        plan.startErrors.set(key, { reason: waiting.reason, message: waiting.message });
        this.event(pod, 'Normal', 'BackOff', waiting.message);
        plan.retryAfterMs = Math.min(plan.retryAfterMs ?? Infinity, waiting.retryInMs);
        continue;
      }
      try {
        const config = await environment?.containerConfig(pod, container, ip);
        await this.runtime.startContainer(pod, container, { init, attempt, config });
        this.startFailures.started(uid, key);
        started++;
        this.event(pod, 'Normal', 'Started', `Started container ${container.name}`);
        if (container.lifecycle?.postStart) await this.postStart(pod, container, ip);
      } catch (error) {
        if (!(error instanceof ContainerStartError)) throw error;
        fail(key, error.reason, error.message);
        this.event(pod, 'Warning', error.event?.reason ?? 'Failed', error.event?.message ?? error.message);
        if (!error.event) this.event(pod, 'Warning', 'Failed', `Error: ${error.reason}`);
      }
    }
    return started;
  }

  /**
   * Runs the container's postStart hook right after it started, as the kubelet does (the
   * pod's sync waits for it); a failed hook kills the container, which then restarts as
   * its restart policy says.
   */
  private async postStart(pod: PodObject, container: Container, ip: string | undefined): Promise<void> {
    const grace = Number(pod.spec?.terminationGracePeriodSeconds ?? 30);
    const outcome = await runLifecycleHook('postStart', pod, container, this.runtime, ip, grace * 1000);
    if (outcome.result === 'success') return;
    this.event(pod, 'Warning', 'FailedPostStartHook', `PostStartHook failed: ${outcome.message}`);
    const { current } = instancesOf(await this.runtime.getPod(pod.metadata.uid!), container.name, false);
    if (current?.state === 'running') await this.runtime.killContainer?.(current.id, grace);
  }

  /** activeDeadlineSeconds passed: the kubelet kills the containers and fails the pod. */
  private async failPastDeadline(pod: PodObject): Promise<void> {
    const uid = pod.metadata.uid!;
    this.probes?.removePod(uid);
    await this.runtime.stopPod(uid, Number(pod.spec?.terminationGracePeriodSeconds ?? 30));
    const status = buildPodStatus(
      pod,
      await this.runtime.getPod(uid),
      { start: [], backingOff: new Map() },
      { hostIP: this.options.address, terminating: true },
    );
    await this.writePodStatus(pod, {
      ...status,
      phase: 'Failed',
      reason: 'DeadlineExceeded',
      message: 'Pod was active on the node longer than the specified deadline',
    });
  }

  /** Stops the pod's containers, reports their final state, then deletes the pod for good. */
  private async terminate(pod: PodObject): Promise<void> {
    const uid = pod.metadata.uid!;
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    this.probes?.removePod(uid);
    let remaining = Number(grace);
    // A pod being deleted is synced again and again until it is gone: its hooks run once.
    if (!this.stopping.has(uid)) {
      this.stopping.add(uid);
      const before = await this.runtime.getPod(uid);
      for (const c of before?.containers.filter((c) => c.state === 'running') ?? []) {
        this.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`);
      }
      remaining = await runPreStopHooks(pod, before, this.runtime, remaining, (container, message) =>
        this.event(pod, 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${container}: ${message}`),
      );
    }
    await this.runtime.stopPod(uid, remaining);
    const runtimePod = await this.runtime.getPod(uid);
    const status = buildPodStatus(
      pod,
      runtimePod,
      { start: [], backingOff: new Map() },
      { hostIP: this.options.address, terminating: true },
    );
    const written = await this.writePodStatus(pod, status);
    if (written === null || this.silent) return;
    try {
      // Only the version just seen: a newer pod of the same name must not go with it.
      await this.writer.delete('Pod', pod.metadata.name!, pod.metadata.namespace, {
        gracePeriodSeconds: 0,
        resourceVersion: written?.metadata.resourceVersion ?? pod.metadata.resourceVersion,
      });
    } catch (error) {
      // Changed since: the informer brings the newer version, and with it another sync.
      if (!isCode(error, 'NOT_FOUND') && !isCode(error, 'CONFLICT')) throw error;
    }
  }

  /** The stored pod after the write, undefined when nothing changed, null when the pod is gone. */
  private async writePodStatus(pod: PodObject, status: unknown): Promise<PodObject | undefined | null> {
    // Compared as stored: fields left undefined are not stored at all.
    if (isDeepStrictEqual(JSON.parse(JSON.stringify(status)), pod.status) || this.silent) return undefined;
    try {
      return await this.writer.updateStatus(pod, status);
    } catch (error) {
      if (isCode(error, 'NOT_FOUND')) return null;
      throw error;
    }
  }

  private podChanged(pod: PodObject): void {
    const key = keyOf(pod);
    this.remember(key, pod.metadata.uid!);
    this.workers.update(key);
  }

  private remember(key: string, uid: string): void {
    let uids = this.uids.get(key);
    if (!uids) this.uids.set(key, (uids = new Set()));
    uids.add(uid);
    this.keyOfUid.set(uid, key);
  }

  private event(pod: PodObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (!this.silent) this.events?.record(pod, type, reason, message);
  }

  private forget(key: string, uid: string): void {
    this.probes?.removePod(uid);
    const uids = this.uids.get(key);
    uids?.delete(uid);
    if (uids?.size === 0) this.uids.delete(key);
    this.keyOfUid.delete(uid);
  }

  private nodeObject(): NodeObject {
    const { options } = this;
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: this.name, labels: this.labels() },
      spec: {
        ...(options.podCIDR ? { podCIDR: options.podCIDR } : {}),
        ...(options.taints.length > 0 ? { taints: options.taints } : {}),
        providerID: `${this.runtime.name}://${this.name}`,
      },
      status: this.nodeStatus(undefined),
    };
  }

  private labels(): Record<string, string> {
    return {
      'kubernetes.io/hostname': this.name,
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': ARCH[process.arch] ?? process.arch,
      ...this.options.labels,
    };
  }

  private nodeStatus(current: NodeStatus | undefined): NodeStatus {
    const now = timestamp();
    const condition = (type: string, ok: boolean, reason: string, message: string): Condition => {
      const status = ok ? 'True' : 'False';
      const before = current?.conditions?.find((c) => c.type === type);
      return {
        type,
        status,
        reason,
        message,
        lastHeartbeatTime: now,
        lastTransitionTime:
          before?.status === status && before.lastTransitionTime ? before.lastTransitionTime : now,
      };
    };
    const { capacity, allocatable = capacity } = this.options;
    return {
      capacity: { ...capacity },
      allocatable: { ...allocatable },
      conditions: [
        condition(
          'MemoryPressure',
          false,
          'KubeletHasSufficientMemory',
          'kubelet has sufficient memory available',
        ),
        condition('DiskPressure', false, 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', false, 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        condition('Ready', true, 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address: this.options.address },
        { type: 'Hostname', address: this.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: crypto.createHash('sha256').update(this.name).digest('hex').slice(0, 32),
        systemUUID: crypto.createHash('md5').update(this.name).digest('hex'),
        bootID: BOOT_ID,
        kernelVersion: this.runtime.hostInfo?.kernelVersion ?? this.runtime.name,
        osImage: this.runtime.hostInfo?.osImage ?? `kubeql node (${this.runtime.name} runtime)`,
        containerRuntimeVersion: `${this.runtime.name}://${this.runtime.version}`,
        kubeletVersion: AGENT_VERSION,
        kubeProxyVersion: AGENT_VERSION,
        operatingSystem: 'linux',
        architecture: ARCH[process.arch] ?? process.arch,
      },
    };
  }

  /** Creates the Node, or takes over the one registered before (an agent restart): labels merged, status reported. */
  private async register(): Promise<void> {
    try {
      const created = await this.writer.create(this.nodeObject());
      this.nodeUid = created.metadata.uid;
      this.options.log(`node ${this.name}: registered`);
      return;
    } catch (error) {
      if (!isCode(error, 'ALREADY_EXISTS')) throw error;
    }
    const existing = await this.client.get<NodeObject>('Node', this.name);
    if (!existing) return this.register();
    this.nodeUid = existing.metadata.uid;
    const labels = this.labels();
    if (Object.entries(labels).some(([key, value]) => existing.metadata.labels?.[key] !== value)) {
      await this.writer.patch('Node', this.name, undefined, { metadata: { labels } });
    }
    await this.writer.updateStatus(existing, this.nodeStatus(existing.status));
  }

  /** Writes the node's status (serialized: one write at a time, the latest state each time). */
  private reportNodeStatus(): void {
    if (this.silent || this.stopped) return;
    this.nodeStatusChain = this.nodeStatusChain
      .then(async () => {
        if (this.silent || this.stopped) return;
        const current = this.nodes.get(this.name) ?? (await this.client.get<NodeObject>('Node', this.name));
        if (!current) return;
        await this.writer.updateStatus(current, this.nodeStatus(current.status));
      })
      .catch((error: unknown) => this.options.log(`node ${this.name}: status: ${messageOf(error)}`));
  }

  private scheduleLease(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.leaseTimer);
    this.leaseTimer = setTimeout(
      async () => {
        const ok = await this.renewLease();
        this.scheduleLease(
          ok
            ? this.options.leaseRenewIntervalMs
            : Math.min(this.options.leaseRenewIntervalMs, 200 * 2 ** this.leaseFailures),
        );
      },
      ms * (1 + LEASE_RENEW_JITTER * Math.random()),
    );
  }

  /** Renews (or creates) the node's Lease: the heartbeat the node lifecycle controller watches. */
  private async renewLease(): Promise<boolean> {
    if (this.silent || this.stopped) return true;
    const spec = {
      holderIdentity: this.name,
      leaseDurationSeconds: this.options.leaseDurationSeconds,
      renewTime: microTimestamp(),
    };
    try {
      try {
        await this.writer.patch('Lease', this.name, NODE_LEASE_NAMESPACE, { spec });
      } catch (error) {
        if (!isCode(error, 'NOT_FOUND')) throw error;
        const lease: LeaseObject = {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: {
            name: this.name,
            namespace: NODE_LEASE_NAMESPACE,
            // Goes with its Node (garbage collector).
            ownerReferences: this.nodeUid
              ? [{ apiVersion: 'v1', kind: 'Node', name: this.name, uid: this.nodeUid }]
              : undefined,
          },
          spec,
        };
        if (!lease.metadata.ownerReferences) delete lease.metadata.ownerReferences;
        await this.writer.create(lease);
      }
      this.leaseFailures = 0;
      return true;
    } catch (error) {
      this.leaseFailures++;
      this.options.log(`node ${this.name}: lease: ${messageOf(error)}`);
      return false;
    }
  }
}

/** The kubelet's BackOff event for a crash-looping container, from the waiting message. */
function backOffEvent(waitingMessage: string): string {
  const match = /container=(\S+) pod=(\S+)/.exec(waitingMessage);
  return match ? `Back-off restarting failed container ${match[1]} in pod ${match[2]}` : waitingMessage;
}

/** When the pod's activeDeadlineSeconds run out (ms since the epoch), counted from its startTime. */
function activeDeadline(pod: PodObject): number | undefined {
  const seconds = pod.spec?.activeDeadlineSeconds;
  const started = pod.status?.startTime;
  if (seconds === undefined || !started) return undefined;
  return Date.parse(started) + seconds * 1000;
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
