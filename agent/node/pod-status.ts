import { exponentialDelay, type Backoff } from '../../lib/backoff.ts';
import { systemClock } from '../../lib/clock.ts';
import type { Container, PodStatus } from '../../schema/kinds/pod.ts';
import type { Condition, PodObject } from '../objects.ts';
import { timestamp } from '../timestamps.ts';
import { instancesOf, type RuntimeContainer, type RuntimePod } from './runtime/runtime.ts';

/**
 * The node agent's decisions about one pod, as pure functions of the pod (desired
 * state) and what the runtime reports (actual state): which container instances to
 * start now, and the status to report. The agent calls them on every sync, so they
 * converge and are safe to repeat.
 */

export interface CrashLoopBackoff {
  /** Wait before the second restart of a container; doubles per restart (10 s). */
  baseMs: number;
  /** (5 min); a container that ran twice this long restarts at once, its back-off reset. */
  maxMs: number;
}

export const DEFAULT_CRASH_LOOP_BACKOFF: CrashLoopBackoff = { baseMs: 10_000, maxMs: 300_000 };

/** The crash-loop back-off as a capped exponential: base, doubling, up to the max. */
export function crashLoopDelays({ baseMs, maxMs }: CrashLoopBackoff): Backoff {
  return { baseMs, factor: 2, capMs: maxMs };
}

export interface StartAction {
  container: Container;
  init: boolean;
  attempt: number;
}

export interface SyncPlan {
  start: StartAction[];
  /** Containers held back by crash-loop back-off: `name` (init containers `init:name`) → message. */
  backingOff: Map<string, string>;
  /** When to sync again to end a back-off, in ms from now. */
  retryAfterMs?: number;
  /**
   * Containers the runtime could not start (keyed as `backingOff`): the waiting reason
   * and message the kubelet reports, e.g. ErrImagePull, ImagePullBackOff,
   * CreateContainerConfigError.
   */
  startErrors?: Map<string, { reason: string; message: string }>;
  /**
   * Running sidecars to stop, last started first: the pod's own containers have all exited
   * for good, and sidecars do not hold a finished pod open.
   */
  stop?: RuntimeContainer[];
}

/** A native sidecar: an init container with `restartPolicy: Always`, running beside the pod's containers. */
export function isSidecar(container: Container): boolean {
  return container.restartPolicy === 'Always';
}

type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

function restartPolicy(pod: PodObject): RestartPolicy {
  return pod.spec?.restartPolicy ?? 'Always';
}

function shouldRestart(policy: RestartPolicy, exitCode: number | undefined): boolean {
  return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
}

/** When an exited instance may be replaced: at once the first time, then after a doubling back-off. */
export function restartAt(exited: RuntimeContainer, backoff: CrashLoopBackoff): number {
  const finished = Date.parse(exited.finishedAt ?? exited.createdAt);
  const ranFor = finished - Date.parse(exited.createdAt);
  if (exited.attempt === 0 || ranFor > 2 * backoff.maxMs) return finished;
  return finished + exponentialDelay(exited.attempt - 1, crashLoopDelays(backoff));
}

export const backoffKey = (name: string, init: boolean) => (init ? `init:${name}` : name);

/** What to start now: the next init container, or (once they all succeeded) every container not running. */
export function planPod(
  pod: PodObject,
  runtimePod: RuntimePod | undefined,
  backoff: CrashLoopBackoff = DEFAULT_CRASH_LOOP_BACKOFF,
  now = systemClock.now(),
): SyncPlan {
  const policy = restartPolicy(pod);
  const plan: SyncPlan = { start: [], backingOff: new Map() };
  const podName = `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
  const restartOrWait = (container: Container, init: boolean, exited: RuntimeContainer) => {
    const at = restartAt(exited, backoff);
    if (at <= now) {
      plan.start.push({ container, init, attempt: exited.attempt + 1 });
      return;
    }
    const seconds = Math.round((at - Date.parse(exited.finishedAt ?? exited.createdAt)) / 1000);
    plan.backingOff.set(
      backoffKey(container.name, init),
      `back-off ${seconds}s restarting failed container=${container.name} pod=${podName}`,
    );
    plan.retryAfterMs = Math.min(plan.retryAfterMs ?? Infinity, at - now);
  };

  const finished = containersFinished(pod, runtimePod, policy);
  const sidecars: RuntimeContainer[] = [];
  for (const container of pod.spec?.initContainers ?? []) {
    const { current } = instancesOf(runtimePod, container.name, true);
    if (isSidecar(container)) {
      // Started in turn, each before the next init container; restarted whatever the pod's
      // policy while the pod's containers run; stopped once they are all done.
      if (finished) {
        if (current?.state === 'running') sidecars.push(current);
        continue;
      }
      if (!current) {
        plan.start.push({ container, init: true, attempt: 0 });
        return plan;
      }
      if (current.state === 'created') return plan;
      if (current.state === 'exited') restartOrWait(container, true, current);
      continue;
    }
    if (!current) {
      plan.start.push({ container, init: true, attempt: 0 });
      return plan;
    }
    if (current.state !== 'exited') return plan;
    if (current.exitCode === 0) continue;
    // A failed init container is retried unless the pod never restarts (then the pod fails).
    if (policy !== 'Never') restartOrWait(container, true, current);
    return plan;
  }
  if (sidecars.length) plan.stop = sidecars.reverse();
  for (const container of pod.spec?.containers ?? []) {
    const { current } = instancesOf(runtimePod, container.name, false);
    if (!current) plan.start.push({ container, init: false, attempt: 0 });
    else if (current.state === 'exited' && shouldRestart(policy, current.exitCode)) {
      restartOrWait(container, false, current);
    }
  }
  return plan;
}

/** Whether every one of the pod's own containers has run and exited for good (none will restart). */
function containersFinished(
  pod: PodObject,
  runtimePod: RuntimePod | undefined,
  policy: RestartPolicy,
): boolean {
  const containers = pod.spec?.containers ?? [];
  return (
    containers.length > 0 &&
    containers.every((container) => {
      const { current } = instancesOf(runtimePod, container.name, false);
      return current?.state === 'exited' && !shouldRestart(policy, current.exitCode);
    })
  );
}

type ContainerStatus = NonNullable<PodStatus['containerStatuses']>[number];
type ContainerState = NonNullable<ContainerStatus['state']>;

const seconds = (iso: string | undefined) => (iso === undefined ? undefined : timestamp(Date.parse(iso)));

function terminated(container: RuntimeContainer): ContainerState {
  return {
    terminated: compact({
      exitCode: container.exitCode ?? 0,
      reason: container.reason,
      message: container.message,
      startedAt: seconds(container.startedAt),
      finishedAt: seconds(container.finishedAt),
      containerID: container.id,
    }),
  };
}

function containerStatus(
  container: Container,
  init: boolean,
  runtimePod: RuntimePod | undefined,
  plan: SyncPlan,
  initialized: boolean,
  probes?: ProbeStates,
): ContainerStatus {
  const { current, previous } = instancesOf(runtimePod, container.name, init);
  const image = container.image ?? current?.image ?? '';
  const startError = plan.startErrors?.get(backoffKey(container.name, init));
  if (startError && (!current || current.state === 'exited')) {
    return compact({
      name: container.name,
      state: { waiting: startError },
      lastState: current ? terminated(current) : undefined,
      ready: false,
      restartCount: current?.attempt ?? 0,
      image,
      imageID: current?.imageID ?? '',
      containerID: current?.id,
      started: false,
    });
  }
  if (!current) {
    const reason = init || initialized ? 'ContainerCreating' : 'PodInitializing';
    return {
      name: container.name,
      state: { waiting: { reason } },
      ready: false,
      restartCount: 0,
      image,
      imageID: '',
      started: false,
    };
  }
  const waitingMessage = plan.backingOff.get(backoffKey(container.name, init));
  let state: ContainerState;
  let lastState: ContainerState | undefined = previous?.state === 'exited' ? terminated(previous) : undefined;
  if (current.state === 'created') state = { waiting: { reason: 'ContainerCreating' } };
  else if (current.state === 'running') state = { running: { startedAt: seconds(current.startedAt) } };
  else if (waitingMessage !== undefined) {
    state = { waiting: { reason: 'CrashLoopBackOff', message: waitingMessage } };
    lastState = terminated(current);
  } else state = terminated(current);
  return compact({
    name: container.name,
    state,
    lastState,
    // Without probes a running container is ready and started; a finished init container is
    // ready, a sidecar while it runs.
    ready: init
      ? isSidecar(container)
        ? current.state === 'running'
        : current.state === 'exited' && current.exitCode === 0
      : current.state === 'running' && (probes?.(container.name).ready ?? true),
    restartCount: current.attempt,
    image,
    imageID: current.imageID,
    containerID: current.id,
    started: current.state === 'running' && (init || (probes?.(container.name).started ?? true)),
  });
}

/**
 * The pod's phase from its containers' states, as the kubelet's getPhase: Pending
 * until every container has started (and the init containers all succeeded), then
 * Running while any runs or will restart, and Succeeded or Failed once all have
 * exited for good. A pod being deleted, its containers stopped, is Succeeded when they
 * all exited 0 and Failed otherwise.
 */
export function podPhase(
  pod: PodObject,
  statuses: ContainerStatus[],
  initStatuses: ContainerStatus[],
  terminating = false,
): NonNullable<PodStatus['phase']> {
  const policy = restartPolicy(pod);
  if (terminating) {
    const clean = statuses.length > 0 && statuses.every((s) => s.state?.terminated?.exitCode === 0);
    return clean ? 'Succeeded' : 'Failed';
  }
  let pendingInit = 0;
  let failedInit = 0;
  const initContainers = pod.spec?.initContainers ?? [];
  for (const [i, status] of initStatuses.entries()) {
    if (isSidecar(initContainers[i])) {
      // A sidecar holds the pod Pending only until it first starts; how it ends is not the pod's outcome.
      if (!hasStarted(status)) pendingInit++;
      continue;
    }
    const exited =
      status.state?.terminated ?? (status.state?.waiting ? status.lastState?.terminated : undefined);
    if (!exited) pendingInit++;
    else if (exited.exitCode !== 0) failedInit++;
  }
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const status of statuses) {
    if (status.state?.running) running++;
    else if (status.state?.terminated) {
      stopped++;
      if (status.state.terminated.exitCode === 0) succeeded++;
    } else if (status.lastState?.terminated) stopped++;
    else waiting++;
  }
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if (pendingInit > 0 || failedInit > 0 || waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped === 0) return 'Pending';
  // Everything exited: what will restart keeps the pod Running.
  if (policy === 'Always') return 'Running';
  if (stopped === succeeded) return 'Succeeded';
  return policy === 'Never' ? 'Failed' : 'Running';
}

/** Whether a container has run: running now, or exited after it started. */
function hasStarted(status: ContainerStatus): boolean {
  return !!(status.state?.running || status.state?.terminated?.startedAt || status.lastState?.terminated);
}

/** A condition, keeping its lastTransitionTime when its status did not change. */
function condition(
  previous: Condition[] | undefined,
  type: string,
  ok: boolean,
  reason: string | undefined,
  message: string | undefined,
  now: string,
): Condition {
  const status = ok ? 'True' : 'False';
  const before = previous?.find((c) => c.type === type);
  return compact({
    type,
    status,
    reason,
    message,
    lastProbeTime: before?.lastProbeTime,
    lastTransitionTime: before?.status === status ? (before.lastTransitionTime ?? now) : now,
  });
}

/** What the probes say of a pod's (non-init) container, by name; absent when the node does not probe. */
export type ProbeStates = (container: string) => { ready: boolean; started: boolean };

export interface StatusContext {
  hostIP: string;
  podIP?: string;
  /** The pod is being deleted and its containers were stopped. */
  terminating?: boolean;
  probes?: ProbeStates;
  now?: string;
}

/**
 * The status to report: phase, conditions, container statuses, IPs and start time.
 * Fields the agent does not own (qosClass, nominatedNodeName, other conditions such as
 * DisruptionTarget) are kept as they are; timestamps of unchanged facts keep their
 * value, so a sync with nothing new yields the status already stored.
 */
export function buildPodStatus(
  pod: PodObject,
  runtimePod: RuntimePod | undefined,
  plan: SyncPlan,
  context: StatusContext,
): PodStatus {
  const now = context.now ?? timestamp(systemClock.now());
  const current = pod.status ?? {};
  const spec = pod.spec;
  const initStatuses = (spec?.initContainers ?? []).map((c) =>
    containerStatus(c, true, runtimePod, plan, false),
  );
  const initDone = (status: ContainerStatus, i: number) =>
    isSidecar(spec!.initContainers![i]) ? hasStarted(status) : status.ready;
  const initialized = initStatuses.every(initDone);
  const statuses = (spec?.containers ?? []).map((c) =>
    containerStatus(c, false, runtimePod, plan, initialized, context.probes),
  );
  const phase = podPhase(pod, statuses, initStatuses, context.terminating);
  const terminal = phase === 'Succeeded' || phase === 'Failed';

  const previous = current.conditions;
  const pending = (list: ContainerStatus[], ok: (s: ContainerStatus) => boolean) =>
    list.filter((s) => !ok(s)).map((s) => s.name);
  const uninitialized = initStatuses.filter((s, i) => !initDone(s, i)).map((s) => s.name);
  const sidecarStatuses = initStatuses.filter((_, i) => isSidecar(spec!.initContainers![i]));
  const unready = pending([...sidecarStatuses, ...statuses], (s) => s.ready);
  const notReady = terminal
    ? { reason: phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed', message: undefined }
    : { reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` };
  const ready = !terminal && unready.length === 0;
  // Ready also waits for the conditions of the readiness gates, which other controllers set.
  const gate = ready ? unmetReadinessGate(spec?.readinessGates, previous) : undefined;
  const own = new Set(['Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
  const conditions: Condition[] = [
    uninitialized.length === 0
      ? condition(previous, 'Initialized', true, undefined, undefined, now)
      : condition(
          previous,
          'Initialized',
          false,
          'ContainersNotInitialized',
          `containers with incomplete status: [${uninitialized.join(' ')}]`,
          now,
        ),
    ready && !gate
      ? condition(previous, 'Ready', true, undefined, undefined, now)
      : gate
        ? condition(previous, 'Ready', false, 'ReadinessGatesNotReady', gate, now)
        : condition(previous, 'Ready', false, notReady.reason, notReady.message, now),
    ready
      ? condition(previous, 'ContainersReady', true, undefined, undefined, now)
      : condition(previous, 'ContainersReady', false, notReady.reason, notReady.message, now),
    previous?.find((c) => c.type === 'PodScheduled') ??
      condition(previous, 'PodScheduled', true, undefined, undefined, now),
    ...(previous ?? []).filter((c) => !own.has(c.type)),
  ];

  const podIP = spec?.hostNetwork ? context.hostIP : (context.podIP ?? current.podIP);
  return compact({
    ...current,
    phase,
    conditions,
    hostIP: context.hostIP,
    podIP,
    podIPs: podIP ? [{ ip: podIP }] : undefined,
    startTime: current.startTime ?? now,
    initContainerStatuses: initStatuses.length > 0 ? initStatuses : undefined,
    containerStatuses: statuses,
  });
}

/** Why the first readiness gate whose condition is not True holds the pod back, in the kubelet's words. */
function unmetReadinessGate(
  gates: Array<{ conditionType: string }> | undefined,
  conditions: Condition[] | undefined,
): string | undefined {
  for (const { conditionType } of gates ?? []) {
    const found = conditions?.find((c) => c.type === conditionType);
    if (!found) return `corresponding condition of pod readiness gate "${conditionType}" does not exist.`;
    if (found.status !== 'True')
      return `the status of pod readiness gate "${conditionType}" is not "True", but ${found.status}`;
  }
  return undefined;
}

/** The object without its undefined fields: stored objects have none, and equality checks must agree. */
export function compact<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, value]) => value !== undefined)) as T;
}
