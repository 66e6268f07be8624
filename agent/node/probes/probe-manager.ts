import { systemClock, type Clock } from '../../../lib/clock.ts';
import type { Container, Probe } from '../../../schema/kinds/pod.ts';
import type { PodObject } from '../../objects.ts';
import {
  instancesOf,
  type ContainerRuntime,
  type RuntimeContainer,
  type RuntimePod,
} from '../runtime/runtime.ts';
import { messageOf } from '../../../client/index.ts';
import { timeOf } from '../../timestamps.ts';
import { runProbe, type ProbeResult } from './prober.ts';

export type ProbeType = 'liveness' | 'readiness' | 'startup';

/** What the probes say of a container's current instance, for its containerStatus. */
export interface ContainerProbeState {
  /** containerStatuses[].ready: started, running, and its readiness probe (if any) passing. */
  ready: boolean;
  /** containerStatuses[].started: running, and its startup probe (if any) passed once. */
  started: boolean;
}

/** Which instance a failed liveness or startup probe condemns, and how gently to stop it. */
export interface ProbeKill {
  /** The instance probed (`<runtime>://<id>`): kill only this one, it may have been replaced since. */
  containerID: string;
  /** The probe's terminationGracePeriodSeconds, else the pod's (30). */
  gracePeriodSeconds: number;
}

export interface ProbeManagerOptions {
  /** Runs exec probes. */
  runtime: Pick<ContainerRuntime, 'exec'>;
  /** A container's ready or started flipped: re-sync the pod (`namespace/name`) and report its status. */
  onChange(podKey: string): void;
  /** The liveness probe failed failureThreshold times in a row: kill the instance (the agent restarts it per restartPolicy). */
  onLivenessFailure(pod: PodObject, containerName: string, message: string, kill: ProbeKill): void;
  /** Likewise for the startup probe; the liveness path when omitted. */
  onStartupFailure?(pod: PodObject, containerName: string, message: string, kill: ProbeKill): void;
  /** Records an Event about the pod (the recorder deduplicates repeats). */
  recordEvent(pod: PodObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** Where errors of the callbacks above go (console.error). */
  log?: (line: string) => void;
  /** Where probe timing reads the time (the system clock by default). */
  clock?: Clock;
  /** How long a probe second lasts, in ms (1000): tests shrink probe periods, delays and timeouts with it. */
  secondMs?: number;
}

interface PodEntry {
  key: string;
  pod: PodObject;
  podIP?: string;
  /** The instance of each container seen at the last sync, by container name. */
  instances: Map<string, Instance>;
}

/** One instance of a container, with its probe results: a restart is a new instance, probed afresh. */
interface Instance {
  id: string;
  spec: Container;
  running: boolean;
  /** When it started running (ms), where initialDelaySeconds count from. */
  startedAt: number;
  startupPassed: boolean;
  readinessPassed: boolean;
  workers: Map<ProbeType, ProbeWorker>;
}

const PROBE_FIELD = {
  liveness: 'livenessProbe',
  readiness: 'readinessProbe',
  startup: 'startupProbe',
} as const;
const TITLE = { liveness: 'Liveness', readiness: 'Readiness', startup: 'Startup' } as const;
const NOT_RUNNING: ContainerProbeState = { ready: false, started: false };

/**
 * The node agent's probing, as the kubelet's prober manager: one worker per probe of
 * each running container instance, each probing on its own timer. The agent calls
 * `sync` on every pod sync (idempotent: it starts the workers of new running
 * instances and stops those of instances that exited or were replaced) and reads
 * `state` when it builds containerStatuses. Results are kept per instance, so a
 * restarted container starts over: not ready until its readiness probe passes, not
 * started until its startup probe does, which holds its liveness and readiness probes
 * back. Whenever ready or started flips the manager calls `onChange` so that the
 * status is reported at once; a liveness or startup probe that fails failureThreshold
 * times in a row calls the kill path once for that instance and then stops probing it.
 */
export class ProbeManager {
  private readonly pods = new Map<string, PodEntry>();
  private readonly clock: WorkerClock;
  private readonly log: (line: string) => void;
  private stopped = false;

  constructor(private readonly options: ProbeManagerOptions) {
    const clock = options.clock ?? systemClock;
    this.clock = { now: () => clock.now(), secondMs: options.secondMs ?? 1000 };
    this.log = options.log ?? ((line) => console.error(line));
  }

  /** Brings the workers of the pod in line with its instances in `runtimePod` (undefined: none). */
  sync(pod: PodObject, runtimePod: RuntimePod | undefined): void {
    if (this.stopped) return;
    const uid = pod.metadata.uid!;
    let entry = this.pods.get(uid);
    if (!entry) {
      entry = { key: `${pod.metadata.namespace}/${pod.metadata.name}`, pod, instances: new Map() };
      this.pods.set(uid, entry);
    }
    entry.pod = pod;
    if (runtimePod?.ip) entry.podIP = runtimePod.ip;
    const specs = new Map((pod.spec?.containers ?? []).map((c) => [c.name, c]));
    for (const [name, instance] of entry.instances) {
      if (!specs.has(name)) this.drop(entry, name, instance);
    }
    for (const spec of specs.values()) {
      const { current } = instancesOf(runtimePod, spec.name, false);
      let instance = entry.instances.get(spec.name);
      if (instance && instance.id !== current?.id) {
        this.drop(entry, spec.name, instance);
        instance = undefined;
      }
      if (!current) continue;
      if (!instance) {
        instance = {
          id: current.id,
          spec,
          running: false,
          startedAt: 0,
          startupPassed: false,
          readinessPassed: false,
          workers: new Map(),
        };
        entry.instances.set(spec.name, instance);
      }
      this.update(entry, instance, current);
    }
  }

  /** What the probes say of the container's instance seen at the last sync. */
  state(uid: string, containerName: string): ContainerProbeState {
    const instance = this.pods.get(uid)?.instances.get(containerName);
    return instance ? stateOf(instance) : NOT_RUNNING;
  }

  /** Stops probing the pod and forgets it (deleted, finished, or stopped). */
  removePod(uid: string): void {
    const entry = this.pods.get(uid);
    if (!entry) return;
    for (const [name, instance] of entry.instances) this.drop(entry, name, instance);
    this.pods.delete(uid);
  }

  /** Stops every worker for good (later syncs do nothing); resolves once the probes in flight have ended (they are cancelled). */
  async stop(): Promise<void> {
    this.stopped = true;
    const workers = [...this.pods.values()].flatMap((e) =>
      [...e.instances.values()].flatMap((i) => [...i.workers.values()]),
    );
    this.pods.clear();
    await Promise.all(workers.map((w) => w.stop()));
  }

  private update(entry: PodEntry, instance: Instance, current: RuntimeContainer): void {
    const running = current.state === 'running';
    if (running && !instance.running) {
      instance.running = true;
      instance.startedAt = timeOf(current.startedAt) ?? this.clock.now();
      for (const type of ['startup', 'readiness', 'liveness'] as const) {
        const probe = instance.spec[PROBE_FIELD[type]];
        if (!probe) continue;
        const worker = new ProbeWorker(this.clock, type, probe, instance, {
          probe: (signal, timeoutMs) =>
            runProbe(probe, {
              runtime: this.options.runtime,
              uid: entry.pod.metadata.uid!,
              container: instance.spec,
              podIP: entry.podIP,
              timeoutMs,
              signal,
              clock: this.clock,
            }),
          failed: (message) =>
            this.options.recordEvent(
              entry.pod,
              'Warning',
              'Unhealthy',
              `${TITLE[type]} probe failed: ${message}`,
            ),
          settle: (passed) => this.settle(entry, instance, type, passed),
          error: (error) =>
            this.log(`pod ${entry.key}: ${type} probe of ${instance.spec.name}: ${messageOf(error)}`),
        });
        instance.workers.set(type, worker);
        worker.start();
      }
    } else if (!running && instance.running) {
      // Exited: its results mean nothing any more (the next instance starts over).
      instance.running = false;
      this.stopWorkers(instance);
    }
  }

  private drop(entry: PodEntry, name: string, instance: Instance): void {
    this.stopWorkers(instance);
    entry.instances.delete(name);
  }

  private stopWorkers(instance: Instance): void {
    for (const worker of instance.workers.values()) void worker.stop();
    instance.workers.clear();
  }

  /** A worker's probe crossed its threshold: records the result, reports flips, kills on liveness/startup failure. */
  private settle(entry: PodEntry, instance: Instance, type: ProbeType, passed: boolean): void {
    const before = stateOf(instance);
    if (type === 'startup') instance.startupPassed = passed;
    if (type === 'readiness') instance.readinessPassed = passed;
    const after = stateOf(instance);
    if (before.ready !== after.ready || before.started !== after.started) this.options.onChange(entry.key);
    // Started: readiness need not wait for its next period (the kubelet triggers it on the status update).
    if (type === 'startup' && passed) instance.workers.get('readiness')?.trigger();
    if (passed || type === 'readiness') return;
    const restarts = entry.pod.spec?.restartPolicy !== 'Never';
    const message = `Container ${instance.spec.name} failed ${type} probe${restarts ? ', will be restarted' : ''}`;
    const kill =
      type === 'startup'
        ? (this.options.onStartupFailure ?? this.options.onLivenessFailure)
        : this.options.onLivenessFailure;
    const gracePeriodSeconds =
      instance.spec[PROBE_FIELD[type]]?.terminationGracePeriodSeconds ??
      entry.pod.spec?.terminationGracePeriodSeconds ??
      30;
    kill(entry.pod, instance.spec.name, message, {
      containerID: instance.id,
      gracePeriodSeconds: Number(gracePeriodSeconds),
    });
  }
}

function stateOf(instance: Instance): ContainerProbeState {
  if (!instance.running) return NOT_RUNNING;
  const started = !instance.spec.startupProbe || instance.startupPassed;
  const ready = started && (!instance.spec.readinessProbe || instance.readinessPassed);
  return { ready, started };
}

/**
 * Probes one instance with one probe until stopped, as the kubelet's probe worker: the
 * first run initialDelaySeconds after the container started, then one per period
 * (never overlapping: the next is timed from the end of a run that took longer). A
 * result counts once it repeats successThreshold (failureThreshold) times in a row.
 */
interface WorkerClock {
  now: () => number;
  secondMs: number;
}

/** What a worker does with its instance: probe it, and report failures and results. */
interface WorkerActions {
  probe(signal: AbortSignal, timeoutMs: number): Promise<ProbeResult>;
  /** Every failed run, for the Unhealthy event. */
  failed(message: string): void;
  /** A result that reached its threshold. */
  settle(passed: boolean): void;
  error(error: unknown): void;
}

class ProbeWorker {
  private timer?: ReturnType<typeof setTimeout>;
  private inFlight?: Promise<unknown>;
  private readonly abort = new AbortController();
  private stopped = false;
  private lastPassed?: boolean;
  private run = 0;
  private readonly periodMs: number;
  private readonly timeoutMs: number;
  private readonly successThreshold: number;
  private readonly failureThreshold: number;

  constructor(
    private readonly clock: WorkerClock,
    private readonly type: ProbeType,
    private readonly probe: Probe,
    private readonly instance: Instance,
    private readonly actions: WorkerActions,
  ) {
    const second = clock.secondMs;
    this.periodMs = Math.max(1, probe.periodSeconds ?? 10) * second;
    this.timeoutMs = Math.max(1, probe.timeoutSeconds ?? 1) * second;
    // Liveness and startup probes act on the first success whatever the spec says (validation requires 1).
    this.successThreshold = type === 'readiness' ? Math.max(1, probe.successThreshold ?? 1) : 1;
    this.failureThreshold = Math.max(1, probe.failureThreshold ?? 3);
  }

  start(): void {
    this.schedule(this.untilInitialDelay());
  }

  /** Probes now rather than at the next period, unless a probe is running or the initial delay has not passed. */
  trigger(): void {
    if (this.stopped || this.inFlight || this.untilInitialDelay() > 0) return;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
    await this.inFlight;
  }

  private untilInitialDelay(): number {
    const delay = (this.probe.initialDelaySeconds ?? 0) * this.clock.secondMs;
    return Math.max(0, this.instance.startedAt + delay - this.clock.now());
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const run = this.probeOnce();
      this.inFlight = run;
      void run.finally(() => {
        if (this.inFlight === run) this.inFlight = undefined;
      });
    }, ms);
    // Probing alone must never keep the process alive.
    this.timer.unref?.();
  }

  private async probeOnce(): Promise<void> {
    const began = this.clock.now();
    let done = false;
    try {
      // Liveness and readiness wait for the startup probe (the container is still starting).
      if (this.type === 'startup' || stateOf(this.instance).started) {
        const result = await this.actions.probe(this.abort.signal, this.timeoutMs);
        if (this.stopped) return;
        done = this.record(result);
      }
    } catch (error) {
      // A callback of the agent's failed: say so, and keep probing.
      this.actions.error(error);
    }
    if (!done) this.schedule(Math.max(0, began + this.periodMs - this.clock.now()));
  }

  /** Counts the result; true when this worker is done with its instance. */
  private record({ result, message }: ProbeResult): boolean {
    const passed = result === 'success';
    if (!passed) this.actions.failed(message);
    this.run = this.lastPassed === passed ? this.run + 1 : 1;
    this.lastPassed = passed;
    if (this.run < (passed ? this.successThreshold : this.failureThreshold)) return false;
    this.actions.settle(passed);
    // A started container needs no more startup probes; a failed liveness/startup one is being killed.
    if (this.type === 'startup' && passed) return true;
    if (this.type !== 'readiness' && !passed) return true;
    return false;
  }
}
