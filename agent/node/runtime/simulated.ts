import crypto from 'node:crypto';
import type { Container } from '../../../schema/kinds/pod.ts';
import type { PodObject } from '../../objects.ts';
import {
  instancesOf,
  type ContainerRuntime,
  type ExecOptions,
  type ExecResult,
  type LogLine,
  type LogOptions,
  type PodStats,
  type RuntimeContainer,
  type RuntimePod,
  type SandboxConfig,
  type StartContainerOptions,
} from './runtime.ts';
import { RuntimeError } from './runtime-error.ts';
import { instanceLogs } from './simulated-logs.ts';
import { playScript, type ScriptContext, type ScriptOutput } from './simulated-script.ts';
import { SimulatedUsage } from './simulated-usage.ts';

/** Pod annotations that script a simulated run: the exit code of every (non-init) container... */
export const SIMULATE_EXIT_CODE = 'kubeql.io/simulate-exit-code';
/** ...and how long each runs before it exits. Either one makes the containers finite. */
export const SIMULATE_RUN_MS = 'kubeql.io/simulate-run-ms';

/** The exit code of a container the agent stops (SIGTERM, unhandled). */
export const STOPPED_EXIT_CODE = 143;

export interface SimulatedRuntimeOptions {
  /** A container takes a uniform draw in [min, max] ms to go from created to running (0–50). */
  startDelayMs: [min: number, max: number];
  /**
   * How long a container runs whose command the simulation does not understand, in a pod
   * that does not restart always (a Job's): it then exits 0. With restartPolicy Always
   * such a container runs until stopped. (0)
   */
  defaultRunMs: number;
}

export const DEFAULT_SIMULATED_OPTIONS: SimulatedRuntimeOptions = { startDelayMs: [0, 50], defaultRunMs: 0 };

/** How a simulated container behaves once running: exits after `runMs` with `exitCode`, or (undefined) runs until stopped. */
export interface SimulatedRun {
  runMs: number;
  exitCode: number;
}

type Parsed = SimulatedRun | 'forever' | 'unknown';

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh']);
/** Commands that print or do nothing and succeed at once. */
const INSTANT = new Set(['echo', 'printf', 'date', 'env', 'hostname', 'true', ':', 'pwd', 'id', 'uname']);

/** `5`, `0.5`, `5s`, `2m`, `1h`, `1d` as `sleep` takes them; undefined for infinity or garbage. */
function sleepMs(arg: string): number | undefined {
  const match = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(arg);
  if (!match) return undefined;
  const unit = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2]]!;
  return Number(match[1]) * unit;
}

/** One simple command: what it takes and its exit status. */
function parseStatement(words: string[]): Parsed {
  const program = (words[0] ?? '').split('/').pop()!;
  if (program === 'sleep') {
    if (words[1] === 'infinity') return 'forever';
    const ms = words[1] === undefined ? undefined : sleepMs(words[1]);
    return ms === undefined ? 'unknown' : { runMs: ms, exitCode: 0 };
  }
  if (program === 'exit') {
    const code = words[1] === undefined ? 0 : Number(words[1]);
    return Number.isInteger(code) ? { runMs: 0, exitCode: code & 0xff } : 'unknown';
  }
  if (program === 'false') return { runMs: 0, exitCode: 1 };
  if (INSTANT.has(program)) return { runMs: 0, exitCode: 0 };
  if (program === 'tail' && words.includes('-f')) return 'forever';
  return 'unknown';
}

/** A shell script of simple commands separated by `;`, `&&` or newlines; loops run forever. */
function parseScript(script: string): Parsed {
  let runMs = 0;
  let exitCode = 0;
  for (const part of script.split(/;|&&|\n/)) {
    const words = part.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) continue;
    if (['while', 'until', 'for', 'do', 'done'].includes(words[0])) return 'forever';
    const parsed = parseStatement(words);
    if (parsed === 'forever' || parsed === 'unknown') return parsed;
    runMs += parsed.runMs;
    exitCode = parsed.exitCode;
    if (words[0] === 'exit') break;
  }
  return { runMs, exitCode };
}

function parseCommand(argv: string[]): Parsed {
  const program = (argv[0] ?? '').split('/').pop()!;
  if (SHELLS.has(program) && argv[1] === '-c')
    return argv[2] === undefined ? 'unknown' : parseScript(argv[2]);
  return parseStatement(argv);
}

function annotationNumber(pod: PodObject, key: string): number | undefined {
  const text = pod.metadata.annotations?.[key];
  if (text === undefined) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * How a container of a pod runs in the simulation. The pod's simulate annotations
 * decide for its containers; otherwise the command and args are read for `sleep N`,
 * `exit N`, `true`, `false`, `echo ...` (directly or in `sh -c "..."`); a command the
 * simulation does not understand, or none, runs until stopped when the pod restarts
 * always and finishes with 0 after `defaultRunMs` otherwise. Init containers always
 * finish (0 unless their command says otherwise).
 */
export function simulatedRun(
  pod: PodObject,
  container: Container,
  init: boolean,
  defaultRunMs = DEFAULT_SIMULATED_OPTIONS.defaultRunMs,
): SimulatedRun | undefined {
  const exitCode = annotationNumber(pod, SIMULATE_EXIT_CODE);
  const runMs = annotationNumber(pod, SIMULATE_RUN_MS);
  if (!init && (exitCode !== undefined || runMs !== undefined)) {
    return { runMs: Math.max(0, runMs ?? 0), exitCode: (exitCode ?? 0) & 0xff };
  }
  const argv = [...(container.command ?? []), ...(container.args ?? [])];
  const parsed: Parsed = argv.length > 0 ? parseCommand(argv) : 'unknown';
  if (typeof parsed === 'object') return parsed;
  if (init) return { runMs: 0, exitCode: 0 };
  if (parsed === 'forever' || (pod.spec?.restartPolicy ?? 'Always') === 'Always') return undefined;
  return { runMs: defaultRunMs, exitCode: 0 };
}

interface SimulatedPod extends RuntimePod {
  timers: Set<ReturnType<typeof setTimeout>>;
}

function randomId(): string {
  return crypto.randomBytes(16).toString('hex');
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/**
 * The hollow runtime, as kwok's: nothing runs, but containers go through the states a
 * real one reports, on timers. A container is created, runs after a short delay and
 * is ready at once; it exits when the pod's annotations or its command say it does
 * (see `simulatedRun`), or when failed on purpose (`failContainers`) or stopped. Pod
 * IPs come from the node's podCIDR.
 */
export class SimulatedRuntime implements ContainerRuntime {
  readonly name = 'simulated';
  readonly version = '0.1.0';
  readonly options: SimulatedRuntimeOptions;
  private readonly pods = new Map<string, SimulatedPod>();
  private readonly listeners = new Set<(uid: string) => void>();
  private readonly usedIPs = new Set<string>();
  private readonly usage = new SimulatedUsage();
  /** The node's image store: one ID per image, shared by every container that runs it. */
  private readonly imageIds = new Map<string, string>();
  /** What each container instance prints and the environment exec sees in it (gone with the instance). */
  private readonly scripts = new WeakMap<
    RuntimeContainer,
    { output: ScriptOutput; context: ScriptContext }
  >();
  /** Log followers waiting for an instance to exit. */
  private readonly followers = new Set<() => void>();

  constructor(options: Partial<SimulatedRuntimeOptions> = {}) {
    this.options = { ...DEFAULT_SIMULATED_OPTIONS, ...options };
  }

  async runPodSandbox(pod: PodObject, config: SandboxConfig): Promise<{ ip: string }> {
    const uid = pod.metadata.uid!;
    let sim = this.pods.get(uid);
    if (sim?.ready && sim.ip) return { ip: sim.ip };
    const ip = pod.spec?.hostNetwork ? config.hostIP : this.allocateIP(config.podCIDR);
    if (!sim) {
      sim = {
        uid,
        namespace: pod.metadata.namespace ?? 'default',
        name: pod.metadata.name!,
        ready: true,
        ip,
        containers: [],
        timers: new Set(),
      };
      this.pods.set(uid, sim);
    } else {
      sim.ready = true;
      sim.ip = ip;
    }
    return { ip };
  }

  private imageId(image: string): string {
    let id = this.imageIds.get(image);
    if (id === undefined) {
      id = `${this.name}://sha256:${crypto.createHash('sha256').update(image).digest('hex')}`;
      this.imageIds.set(image, id);
    }
    return id;
  }

  async startContainer(pod: PodObject, container: Container, options: StartContainerOptions): Promise<void> {
    const sim = this.pods.get(pod.metadata.uid!);
    if (!sim?.ready) throw new Error(`pod ${pod.metadata.uid} has no sandbox`);
    this.usage.observe(pod);
    const image = container.image ?? '';
    const instance: RuntimeContainer = {
      name: container.name,
      id: `${this.name}://${randomId()}`,
      attempt: options.attempt,
      init: options.init,
      image,
      imageID: this.imageId(image),
      state: 'created',
      createdAt: new Date().toISOString(),
    };
    // Keep the instance before this one (the agent's lastState), drop older ones.
    sim.containers = sim.containers.filter(
      (c) => c.name !== container.name || c.init !== options.init || c.attempt >= options.attempt - 1,
    );
    sim.containers.push(instance);
    const context = scriptContext(pod, container);
    this.scripts.set(instance, {
      output: playScript([...(container.command ?? []), ...(container.args ?? [])], context),
      context,
    });
    const run = simulatedRun(pod, container, options.init, this.options.defaultRunMs);
    const [min, max] = this.options.startDelayMs;
    this.after(sim, min + Math.random() * Math.max(0, max - min), () => {
      if (instance.state !== 'created') return;
      instance.state = 'running';
      instance.startedAt = new Date().toISOString();
      this.notify(sim.uid);
      if (run) this.after(sim, run.runMs, () => this.exit(sim, instance, run.exitCode, run.runMs));
    });
  }

  async stopPod(uid: string, _gracePeriodSeconds: number): Promise<void> {
    const sim = this.pods.get(uid);
    if (!sim) return;
    for (const timer of sim.timers) clearTimeout(timer);
    sim.timers.clear();
    for (const container of sim.containers) {
      if (container.state !== 'exited') this.finish(container, STOPPED_EXIT_CODE);
    }
    if (sim.ready) {
      sim.ready = false;
      if (sim.ip) this.usedIPs.delete(sim.ip);
    }
  }

  async killContainer(id: string, _gracePeriodSeconds: number): Promise<void> {
    for (const sim of this.pods.values()) {
      const container = sim.containers.find((c) => c.id === id);
      if (container?.state === 'running') this.exit(sim, container, STOPPED_EXIT_CODE);
    }
  }

  async removePod(uid: string): Promise<void> {
    await this.stopPod(uid, 0);
    this.pods.delete(uid);
  }

  async getPod(uid: string): Promise<RuntimePod | undefined> {
    const sim = this.pods.get(uid);
    return sim ? snapshot(sim) : undefined;
  }

  async listPods(): Promise<RuntimePod[]> {
    return [...this.pods.values()].map(snapshot);
  }

  onChange(listener: (uid: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  failContainers(filter: (pod: RuntimePod) => boolean = () => true, exitCode = 1): number {
    let failed = 0;
    for (const sim of this.pods.values()) {
      if (!filter(snapshot(sim))) continue;
      for (const container of sim.containers) {
        if (container.state !== 'running') continue;
        this.exit(sim, container, exitCode);
        failed++;
      }
    }
    return failed;
  }

  /** Usage as the pods' simulate-cpu and simulate-memory annotations script it (see SimulatedUsage). */
  async stats(): Promise<PodStats[]> {
    return this.usage.sample(this.pods.values(), Date.now());
  }

  /** Where the current version of a pod is read (its annotations may change while it runs): the node agent's cache. */
  setPodSource(source: (namespace: string, name: string) => PodObject | undefined): void {
    this.usage.setPodSource(source);
  }

  logs(uid: string, container: string, options: LogOptions): AsyncIterable<LogLine> {
    const instance = this.instance(uid, container, options.previous ?? false);
    const script = this.scripts.get(instance);
    if (!script) return (async function* () {})();
    return instanceLogs(instance, script.output, options, (wake) => {
      this.followers.add(wake);
      return () => this.followers.delete(wake);
    });
  }

  /** Plays the command against the container's environment (see playScript); it takes no time. */
  async exec(uid: string, container: string, command: string[], options: ExecOptions): Promise<ExecResult> {
    const instance = this.instance(uid, container, false);
    const pod = this.pods.get(uid)!;
    if (instance.state !== 'running') {
      throw new RuntimeError('BAD_REQUEST', `container "${container}" in pod "${pod.name}" is not running`);
    }
    const context = this.scripts.get(instance)?.context ?? { env: {}, hostname: pod.name, strict: true };
    const { lines, exitCode } = playScript(command, { ...context, stdin: options.stdin, strict: true });
    const text = (stream: string) =>
      lines
        .filter((l) => l.stream === stream)
        .map((l) => `${l.text}\n`)
        .join('');
    return { stdout: text('stdout'), stderr: text('stderr'), exitCode };
  }

  async close(): Promise<void> {
    for (const sim of this.pods.values()) for (const timer of sim.timers) clearTimeout(timer);
    this.listeners.clear();
  }

  /**
   * A run ends (failContainers: now): it finished `ranMs` after it started, whatever the timer's own
   * rounding (a timer may fire a millisecond before the wall clock says), so output the
   * script printed at its very end is within its lifetime.
   */
  private exit(sim: SimulatedPod, container: RuntimeContainer, exitCode: number, ranMs = 0): void {
    if (container.state === 'exited') return;
    const end = Math.max(Date.now(), Date.parse(container.startedAt!) + ranMs);
    this.finish(container, exitCode, end);
    this.notify(sim.uid);
  }

  /** The latest instance of a container (or init container) of the pod, or the one before it. */
  private instance(uid: string, name: string, previous: boolean): RuntimeContainer {
    const sim = this.pods.get(uid);
    if (!sim) throw new RuntimeError('NOT_FOUND', `the runtime has no pod with uid ${uid}`);
    const main = instancesOf(sim, name, false);
    const { current, previous: before } = main.current ? main : instancesOf(sim, name, true);
    if (previous) {
      if (!before) {
        throw new RuntimeError(
          'BAD_REQUEST',
          `previous terminated container "${name}" in pod "${sim.name}" not found`,
        );
      }
      return before;
    }
    if (!current) {
      throw new RuntimeError(
        'BAD_REQUEST',
        `container "${name}" in pod "${sim.name}" is waiting to start: ContainerCreating`,
      );
    }
    return current;
  }

  private finish(container: RuntimeContainer, exitCode: number, at = Date.now()): void {
    container.state = 'exited';
    container.exitCode = exitCode;
    container.reason = exitCode === 0 ? 'Completed' : 'Error';
    container.finishedAt = new Date(at).toISOString();
    for (const wake of [...this.followers]) wake();
  }

  private after(sim: SimulatedPod, ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      sim.timers.delete(timer);
      run();
    }, ms);
    sim.timers.add(timer);
  }

  private notify(uid: string): void {
    for (const listener of [...this.listeners]) listener(uid);
  }

  /** The next free address of the range, skipping the network address and the gateway (.1). */
  private allocateIP(cidr = '10.244.0.0/24'): string {
    const [base, bits] = cidr.split('/');
    const size = 2 ** (32 - Number(bits ?? 24));
    const start = ipToInt(base) - (ipToInt(base) % size);
    for (let offset = 2; offset < size - 1; offset++) {
      const ip = intToIp(start + offset);
      if (this.usedIPs.has(ip)) continue;
      this.usedIPs.add(ip);
      return ip;
    }
    throw new Error(`no free pod IP in ${cidr}`);
  }
}

function snapshot(sim: SimulatedPod): RuntimePod {
  const { timers: _, containers, ...rest } = sim;
  return { ...rest, containers: containers.map((container) => ({ ...container })) };
}

/** What a simulated container's commands see: its `env` values (references to sources left out) and the pod's name as hostname. */
function scriptContext(pod: PodObject, container: Container): ScriptContext {
  const env: Record<string, string> = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  };
  env.HOSTNAME = pod.metadata.name!;
  for (const variable of container.env ?? [])
    if (variable.value !== undefined) env[variable.name] = variable.value;
  env.HOME = '/root';
  return { env, hostname: pod.metadata.name!, strict: false };
}
