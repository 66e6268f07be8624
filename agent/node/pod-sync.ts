import { isDeepStrictEqual } from 'node:util';
import { isCode, type ResourceWriter } from '../../client/index.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Container } from '../../schema/kinds/pod.ts';
import type { EventType } from '../events.ts';
import type { PodObject } from '../objects.ts';
import { isPodFinished } from '../pod-state.ts';
import { timestamp } from '../timestamps.ts';
import { runLifecycleHook, runPreStopHooks } from './lifecycle-hooks.ts';
import type { NodeSource } from './node-sources.ts';
import type { PodEnvironment } from './pod-environment.ts';
import {
  backoffKey,
  buildPodStatus,
  isSidecar,
  planPod,
  type CrashLoopBackoff,
  type SyncPlan,
} from './pod-status.ts';
import type { PodUids } from './pod-uids.ts';
import type { SyncResult } from './pod-workers.ts';
import type { ProbeManager } from './probes/probe-manager.ts';
import {
  ContainerStartError,
  instancesOf,
  type ContainerRuntime,
  type RuntimeContainer,
  type RuntimePod,
} from './runtime/runtime.ts';
import { StartFailures } from './start-failures.ts';
import { unmountableVolume } from './unmountable-volumes.ts';

export interface PodSyncOptions {
  nodeName: string;
  /** The node's InternalIP: every pod's hostIP. */
  address: string;
  /** The range the runtime takes pod IPs from. */
  podCIDR?: string;
  runtime: ContainerRuntime;
  /** The pods bound to the node. */
  pods: NodeSource<PodObject>;
  /** Every uid seen per pod key: the stale ones are cleaned up. */
  uids: PodUids;
  /** Also the image pull back-off (ImagePullBackOff), as the kubelet's. */
  crashLoopBackoff: CrashLoopBackoff;
  /** Volumes, environment and DNS from the API, for runtimes that run real processes. */
  environment?: PodEnvironment;
  probes?: ProbeManager;
  /** Records one of the kubelet's Events about the pod (nothing while silent). */
  recordEvent: (pod: PodObject, type: EventType, reason: string, message: string) => void;
  /** While true nothing is written (a node cut off from the API server). */
  isSilent: () => boolean;
  /** The agent is stopping: no sync starts. */
  isStopped: () => boolean;
  clock: Clock;
}

/**
 * What one pod worker does to one pod: compares what the pod asks for with what the
 * runtime has and converges, reporting the pod's status through the status
 * subresource. Pods marked for deletion are stopped, given a final status, then
 * deleted for good (grace period 0); what the runtime still has of older pods of the
 * same name is removed.
 */
export class PodSync {
  private readonly startFailures: StartFailures;
  /** Pods whose termination has begun (preStop hooks run, stop requested). */
  private readonly stopping = new Set<string>();

  constructor(
    private readonly writer: ResourceWriter,
    private readonly options: PodSyncOptions,
  ) {
    this.startFailures = new StartFailures(options.crashLoopBackoff, options.clock);
  }

  /**
   * Converges one pod (by `namespace/name`): the unit of work of its pod worker. It
   * compares and converges rather than following events, so it is safe to call again,
   * any number of times, and an agent restarted over a runtime that kept running adopts
   * its pods as they are.
   */
  async syncPod(key: string): Promise<SyncResult | void> {
    const { runtime, environment, probes, clock, uids } = this.options;
    if (this.options.isSilent() || this.options.isStopped()) return;
    const pod = this.options.pods.get(key);
    for (const uid of uids.of(key)) {
      if (uid === pod?.metadata.uid) continue;
      // Deleted from the API, or an older pod of the same name: nothing of it may keep running.
      await runtime.removePod(uid);
      await environment?.cleanup(uid);
      this.startFailures.forget(uid);
      this.stopping.delete(uid);
      probes?.removePod(uid);
      uids.forget(key, uid);
    }
    if (!pod) return;
    const uid = pod.metadata.uid!;
    if (pod.metadata.deletionTimestamp) return this.terminate(pod);
    if (isPodFinished(pod)) {
      // Finished for good: its sandbox goes, what is known of its containers stays.
      probes?.removePod(uid);
      await runtime.stopPod(uid, 0);
      return;
    }
    const deadline = activeDeadline(pod);
    if (deadline !== undefined && deadline <= clock.now()) return this.failPastDeadline(pod);

    let runtimePod = await runtime.getPod(uid);
    let ip = runtimePod?.ready ? runtimePod.ip : undefined;
    if (!runtimePod?.ready) {
      ip = (
        await runtime.runPodSandbox(pod, {
          nodeName: this.options.nodeName,
          hostIP: this.options.address,
          podCIDR: this.options.podCIDR,
          ...environment?.sandboxConfig(pod),
        })
      ).ip;
    }
    const plan = planPod(pod, runtimePod, this.options.crashLoopBackoff, clock.now());
    const started = await this.startContainers(pod, plan, ip);
    const stopped = await this.stopSidecars(pod, plan.stop ?? [], gracePeriod(pod));
    if (started > 0 || stopped || !runtimePod) runtimePod = await runtime.getPod(uid);
    for (const message of plan.backingOff.values())
      this.event(pod, 'Warning', 'BackOff', backOffEvent(message));
    probes?.sync(pod, runtimePod);
    const status = buildPodStatus(pod, runtimePod, plan, {
      hostIP: this.options.address,
      podIP: ip,
      probes: probes && ((name) => probes.state(uid, name)),
      now: timestamp(clock.now()),
    });
    await this.writePodStatus(pod, status);
    const untilDeadline = deadline === undefined ? undefined : deadline - clock.now();
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
    const { environment, runtime } = this.options;
    plan.startErrors = new Map();
    let started = 0;
    const fail = (key: string, reason: string, message: string) => {
      const retryIn = this.startFailures.record(uid, key, reason, message);
      plan.startErrors!.set(key, { reason, message });
      plan.retryAfterMs = Math.min(plan.retryAfterMs ?? Infinity, retryIn);
    };
    // Every sync, not only before a start: ConfigMap and Secret volumes follow their objects.
    try {
      // A volume no node here can mount fails the same way on every runtime, hollow ones included.
      const unmountable = unmountableVolume(pod);
      if (unmountable) throw unmountable.toStartError();
      await environment?.prepare(pod);
    } catch (error) {
      if (!(error instanceof ContainerStartError)) throw error;
      for (const { container, init } of plan.start) {
        fail(backoffKey(container.name, init), error.reason, error.message);
      }
      if (plan.start.length > 0 && error.event)
        this.event(pod, 'Warning', error.event.reason, error.event.message);
      return 0;
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
        await runtime.startContainer(pod, container, { init, attempt, config });
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
   * Stops sidecars one after the other, in the order given (the reverse of their start),
   * sharing `graceSeconds`; returns the seconds left. The kubelet stops a pod's sidecars
   * only after its other containers, so that what those need (a proxy, a log shipper) is
   * there until they are done.
   */
  private async stopSidecars(pod: PodObject, sidecars: RuntimeContainer[], graceSeconds: number) {
    const { runtime, clock } = this.options;
    let remaining = graceSeconds;
    for (const sidecar of sidecars) {
      if (!runtime.killContainer) break;
      this.event(pod, 'Normal', 'Killing', `Stopping container ${sidecar.name}`);
      const began = clock.now();
      await runtime.killContainer(sidecar.id, remaining);
      remaining = Math.max(0, remaining - (clock.now() - began) / 1000);
    }
    return remaining;
  }

  /**
   * A pod with sidecars stops in order: its other containers first (together), then its
   * sidecars, last started first. Returns the grace period left for stopping the rest.
   */
  private async stopInOrder(pod: PodObject, before: RuntimePod | undefined, graceSeconds: number) {
    const { runtime, clock } = this.options;
    const sidecars = new Set((pod.spec?.initContainers ?? []).filter(isSidecar).map((c) => c.name));
    if (!sidecars.size || !runtime.killContainer || !before) return graceSeconds;
    const running = before.containers.filter((c) => c.state === 'running');
    const began = clock.now();
    await Promise.all(
      running
        .filter((c) => !(c.init && sidecars.has(c.name)))
        .map((c) => runtime.killContainer!(c.id, graceSeconds)),
    );
    const remaining = Math.max(0, graceSeconds - (clock.now() - began) / 1000);
    const order = (pod.spec?.initContainers ?? [])
      .filter(isSidecar)
      .map((c) => c.name)
      .reverse();
    const runningSidecars = order
      .map((name) => running.find((c) => c.init && c.name === name))
      .filter((c): c is RuntimeContainer => c !== undefined);
    return this.stopSidecars(pod, runningSidecars, remaining);
  }

  /**
   * Runs the container's postStart hook right after it started, as the kubelet does (the
   * pod's sync waits for it); a failed hook kills the container, which then restarts as
   * its restart policy says.
   */
  private async postStart(pod: PodObject, container: Container, ip: string | undefined): Promise<void> {
    const { runtime, clock } = this.options;
    const grace = gracePeriod(pod);
    const outcome = await runLifecycleHook('postStart', pod, container, runtime, ip, grace * 1000, clock);
    if (outcome.result === 'success') return;
    this.event(pod, 'Warning', 'FailedPostStartHook', `PostStartHook failed: ${outcome.message}`);
    const { current } = instancesOf(await runtime.getPod(pod.metadata.uid!), container.name, false);
    if (current?.state === 'running') await runtime.killContainer?.(current.id, grace);
  }

  /** activeDeadlineSeconds passed: the kubelet kills the containers and fails the pod. */
  private async failPastDeadline(pod: PodObject): Promise<void> {
    const { runtime, probes } = this.options;
    const uid = pod.metadata.uid!;
    probes?.removePod(uid);
    await runtime.stopPod(uid, gracePeriod(pod));
    const status = buildPodStatus(pod, await runtime.getPod(uid), noPlan(), this.finalContext());
    await this.writePodStatus(pod, {
      ...status,
      phase: 'Failed',
      reason: 'DeadlineExceeded',
      message: 'Pod was active on the node longer than the specified deadline',
    });
  }

  /** Stops the pod's containers, reports their final state, then deletes the pod for good. */
  private async terminate(pod: PodObject): Promise<void> {
    const { runtime, probes, clock } = this.options;
    const uid = pod.metadata.uid!;
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    probes?.removePod(uid);
    let remaining = Number(grace);
    // A pod being deleted is synced again and again until it is gone: its hooks run once.
    if (!this.stopping.has(uid)) {
      this.stopping.add(uid);
      const before = await runtime.getPod(uid);
      for (const c of before?.containers.filter((c) => c.state === 'running') ?? []) {
        this.event(pod, 'Normal', 'Killing', `Stopping container ${c.name}`);
      }
      remaining = await runPreStopHooks(
        pod,
        before,
        runtime,
        remaining,
        (container, message) =>
          this.event(pod, 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${container}: ${message}`),
        clock,
      );
    }
    remaining = await this.stopInOrder(pod, await runtime.getPod(uid), remaining);
    await runtime.stopPod(uid, remaining);
    const status = buildPodStatus(pod, await runtime.getPod(uid), noPlan(), this.finalContext());
    const written = await this.writePodStatus(pod, status);
    if (written === null || this.options.isSilent()) return;
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

  /** How the status of a pod whose containers were stopped is built. */
  private finalContext() {
    return { hostIP: this.options.address, terminating: true, now: timestamp(this.options.clock.now()) };
  }

  /** The stored pod after the write, undefined when nothing changed, null when the pod is gone. */
  private async writePodStatus(pod: PodObject, status: unknown): Promise<PodObject | undefined | null> {
    // Compared as stored: fields left undefined are not stored at all.
    if (isDeepStrictEqual(JSON.parse(JSON.stringify(status)), pod.status) || this.options.isSilent())
      return undefined;
    try {
      return await this.writer.updateStatus(pod, status);
    } catch (error) {
      if (isCode(error, 'NOT_FOUND')) return null;
      throw error;
    }
  }

  private event(pod: PodObject, type: EventType, reason: string, message: string): void {
    this.options.recordEvent(pod, type, reason, message);
  }
}

const noPlan = (): SyncPlan => ({ start: [], backingOff: new Map() });

/** The pod's terminationGracePeriodSeconds (30 by default). */
function gracePeriod(pod: PodObject): number {
  return Number(pod.spec?.terminationGracePeriodSeconds ?? 30);
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
