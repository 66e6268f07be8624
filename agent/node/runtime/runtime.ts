import type { Container } from '../../../schema/kinds/pod.ts';
import type { PodObject } from '../../objects.ts';

/**
 * What the node agent asks of a container runtime, in the spirit of Kubernetes' CRI:
 * a sandbox per pod (its network identity), then containers started and stopped one
 * instance at a time, and their states reported back. The runtime decides nothing:
 * restart policy, back-off, phases and conditions are the agent's. A runtime outlives
 * the agent that drives it (an agent restart adopts the pods it finds running), so
 * every call is keyed by what the runtime itself records: the pod uid and the
 * container name and attempt.
 */
export interface ContainerRuntime {
  /** As in containerID and nodeInfo.containerRuntimeVersion: `<name>://<version>`. */
  readonly name: string;
  readonly version: string;
  /** What the runtime knows of the machine, for the Node's nodeInfo (a real engine reports its host's). */
  readonly hostInfo?: { kernelVersion: string; osImage: string };

  /** Creates the pod's sandbox (network namespace, IP) unless it has one; returns its IP. Idempotent. */
  runPodSandbox(pod: PodObject, config: SandboxConfig): Promise<{ ip: string }>;

  /**
   * Creates and starts instance number `attempt` (0 first, then one per restart) of a
   * container of the pod; the previous instance of that container has exited. May
   * resolve before the container runs: its state shows `created` until then.
   */
  startContainer(pod: PodObject, container: Container, options: StartContainerOptions): Promise<void>;

  /**
   * Stops every running container of the pod (TERM, then KILL after the grace period)
   * and tears down its sandbox, keeping what it knows of the exited containers until
   * `removePod`. Idempotent.
   */
  stopPod(uid: string, gracePeriodSeconds: number): Promise<void>;

  /**
   * Stops one container instance (TERM, KILL after the grace period): after a failed
   * liveness probe (the agent then restarts it as its restart policy says), and to stop a
   * pod's sidecars after its other containers.
   */
  killContainer?(containerID: string, gracePeriodSeconds: number): Promise<void>;

  /** Forgets the pod (stopping it first if needed). Idempotent. */
  removePod(uid: string): Promise<void>;

  /** The pod as the runtime has it, or undefined. */
  getPod(uid: string): Promise<RuntimePod | undefined>;

  /** Every pod the runtime has, running or not: what an agent adopts or cleans up when it starts. */
  listPods(): Promise<RuntimePod[]>;

  /** Calls `listener(uid)` whenever a container of a pod changes state on its own (started, exited). */
  onChange(listener: (uid: string) => void): () => void;

  /**
   * Fault injection, for runtimes that support it (the simulated one): makes the running
   * containers of the pods `filter` selects (all when omitted) exit with `exitCode`.
   */
  failContainers?(filter?: (pod: RuntimePod) => boolean, exitCode?: number): number;

  /**
   * The output of a container instance: the latest one, or the one before it with
   * `previous`. Ends when the output does (with `follow`, when the instance exits) or
   * when `signal` aborts.
   */
  logs(uid: string, container: string, options: LogOptions): AsyncIterable<LogLine>;

  /** Runs `command` in the pod's running container and collects its output and exit code. */
  exec(uid: string, container: string, command: string[], options: ExecOptions): Promise<ExecResult>;

  /**
   * Starts `command` in the pod's running container with its stdin open, for runtimes
   * that run real processes: output streams as it comes; `signal` aborting kills it.
   */
  execStream?(
    uid: string,
    container: string,
    command: string[],
    options: ExecStreamOptions,
  ): Promise<ExecProcess>;

  /** Cumulative CPU time and current memory of every running container, per pod. */
  stats(): Promise<PodStats[]>;

  /** Releases the runtime's own resources (timers, connections); containers are left as they are. */
  close(): Promise<void>;
}

export interface SandboxConfig {
  nodeName: string;
  /** The node's IP; a hostNetwork pod gets it as its own. */
  hostIP: string;
  /** The range pod IPs are taken from (CIDR), for runtimes that allocate them. */
  podCIDR?: string;
  /** The pod's resolv.conf (dnsPolicy and dnsConfig applied); the runtime's default when absent. */
  dns?: { servers: string[]; searches: string[]; options: string[] };
  /** Host ports the pod's containers ask for, published on the sandbox. */
  hostPorts?: Array<{ containerPort: number; hostPort: number; protocol: string; hostIP?: string }>;
}

export interface StartContainerOptions {
  /** 0 for the first instance, then one more per restart. */
  attempt: number;
  /** An init container: it runs to completion before the next one starts. */
  init: boolean;
  /** What the agent resolved for it (runtimes that run real processes need it). */
  config?: ContainerConfig;
}

/** A container's process environment, resolved by the agent from the API. */
export interface ContainerConfig {
  env: Array<{ name: string; value: string }>;
  /** Command and args with `$(VAR)` references expanded. */
  command?: string[];
  args?: string[];
  mounts: Array<{ source: string; target: string; readOnly: boolean; propagation?: 'rslave' | 'rshared' }>;
}

/**
 * A container that could not be started, with the reason the kubelet reports in its
 * waiting state (ErrImagePull, ErrImageNeverPull, CreateContainerConfigError,
 * CreateContainerError, ...).
 */
export class ContainerStartError extends Error {
  constructor(
    readonly reason: string,
    message: string,
    /** The Warning event the kubelet records about it (Failed with the message when absent). */
    readonly event?: { reason: string; message: string },
  ) {
    super(message);
    this.name = 'ContainerStartError';
  }
}

export interface LogOptions {
  previous?: boolean;
  follow?: boolean;
  /** Only the last N lines (before following). */
  tailLines?: number;
  /** Only lines newer than this many seconds. */
  sinceSeconds?: number;
  signal?: AbortSignal;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  /** RFC 3339 with nanoseconds, when the runtime saw the line. */
  time: string;
  /** Without its line break. */
  text: string;
}

export interface ExecOptions {
  /** Written to the command's standard input, which is then closed. */
  stdin?: string;
  /** Kills the command after this long (default 60 s). */
  timeoutMs?: number;
}

export interface ExecStreamOptions {
  /** In a terminal: output is raw and all on stdout. */
  tty: boolean;
  signal: AbortSignal;
}

/** A running interactive command. */
export interface ExecProcess {
  stdin: { write(data: string): void; end(): void };
  /** Its output as text, in order; ends when the process does (or is killed). */
  output: AsyncIterable<{ stream: 'stdout' | 'stderr'; data: string }>;
  /** Its exit code, once its output has ended. */
  exit: Promise<number>;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ContainerStats {
  name: string;
  /** CPU time used since the container started, in nanoseconds (cumulative). */
  cpuUsageNanoSeconds: number;
  /** Working set (usage minus inactive file cache), in bytes. */
  memoryWorkingSetBytes: number;
}

export interface PodStats {
  uid: string;
  namespace: string;
  name: string;
  /** When the sample was taken, ms since the epoch. */
  timestamp: number;
  containers: ContainerStats[];
}

export type ContainerRunState = 'created' | 'running' | 'exited';

/** One instance of a container. */
export interface RuntimeContainer {
  name: string;
  /** `<runtime>://<id>`. */
  id: string;
  attempt: number;
  init: boolean;
  image: string;
  imageID: string;
  state: ContainerRunState;
  /** RFC 3339, at the runtime's precision (the agent reports seconds). */
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  /** Why it exited: Completed, Error, OOMKilled... */
  reason?: string;
  message?: string;
}

export interface RuntimePod {
  uid: string;
  namespace: string;
  name: string;
  /** The sandbox's IP while it has one. */
  ip?: string;
  /** Whether the sandbox is up (false once stopped). */
  ready: boolean;
  /** The latest instance of each container, and the one before it (for lastState), oldest first. */
  containers: RuntimeContainer[];
}

/** The latest instance of a container in a runtime pod, and the one before it. */
export function instancesOf(
  pod: RuntimePod | undefined,
  name: string,
  init: boolean,
): { current?: RuntimeContainer; previous?: RuntimeContainer } {
  let current: RuntimeContainer | undefined;
  let previous: RuntimeContainer | undefined;
  for (const container of pod?.containers ?? []) {
    if (container.name !== name || container.init !== init) continue;
    if (!current || container.attempt > current.attempt) {
      previous = current;
      current = container;
    } else if (!previous || container.attempt > previous.attempt) {
      previous = container;
    }
  }
  return { current, previous };
}
