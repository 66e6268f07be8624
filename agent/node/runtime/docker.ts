import type { Readable } from 'node:stream';
import Docker from 'dockerode';
import { exponentialDelay } from '../../../lib/backoff.ts';
import { systemClock, type Clock } from '../../../lib/clock.ts';
import type { Container } from '../../../schema/kinds/pod.ts';
import type { AppArmorProfile, SeccompProfile } from '../../../schema/kinds/security-context.ts';
import { parseQuantity } from '../../../schema/quantity.ts';
import type { PodObject } from '../../objects.ts';
import { PAUSE_IMAGE } from '../images.ts';
import { dockerContainerName, LABEL, type DockerContainerType } from './docker-labels.ts';
import { ensurePodNetwork, type PodNetwork } from './docker-network.ts';
import { ensureImage } from './docker-pull.ts';
import { startExecStream } from './docker-exec-stream.ts';
import { chunksOf, FrameDecoder, LineSplitter } from './docker-stream.ts';
import { engineMessage, RuntimeError } from './runtime-error.ts';
import {
  ContainerStartError,
  instancesOf,
  type ContainerRunState,
  type ContainerRuntime,
  type ExecOptions,
  type ExecProcess,
  type ExecResult,
  type ExecStreamOptions,
  type LogLine,
  type LogOptions,
  type PodStats,
  type RuntimeContainer,
  type RuntimePod,
  type SandboxConfig,
  type StartContainerOptions,
  type ContainerConfig,
} from './runtime.ts';

export interface DockerRuntimeOptions {
  /** The node the containers belong to: a label on each, so agents sharing an engine keep apart. */
  nodeName: string;
  /** The engine (default: the local socket, or DOCKER_HOST). */
  docker?: Docker;
  /** Where the runtime reads the time: log `since` cut-offs, stats timestamps (the system clock by default). */
  clock?: Clock;
  log: (line: string) => void;
}

/** Between reconnections to the engine's event stream: 200 ms doubling, up to 5 s. */
const EVENTS_RETRY = { baseMs: 200, factor: 2, capMs: 5000 };

type Summary = Docker.ContainerInfo;

/** Engine timestamps for "never" are the zero time. */
function timeOrUndefined(iso: string | undefined): string | undefined {
  return !iso || iso.startsWith('0001-') ? undefined : iso;
}

function runState(state: string): ContainerRunState {
  if (state === 'created') return 'created';
  if (state === 'exited' || state === 'dead') return 'exited';
  return 'running';
}

function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number }).statusCode === 404;
}

function isNotModified(error: unknown): boolean {
  return (error as { statusCode?: number }).statusCode === 304;
}

/** How the kubelet maps requests and limits onto the engine's cgroup settings. */
function resourceConfig(container: Container): Partial<Docker.HostConfig> {
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  const cpuLimit = limits.cpu === undefined ? undefined : parseQuantity(limits.cpu);
  const memoryLimit = limits.memory === undefined ? undefined : parseQuantity(limits.memory);
  const cpuRequest = requests.cpu === undefined ? undefined : parseQuantity(requests.cpu);
  return {
    ...(cpuLimit ? { CpuPeriod: 100_000, CpuQuota: Math.max(1000, Math.round(cpuLimit * 100_000)) } : {}),
    ...(memoryLimit ? { Memory: Math.round(memoryLimit) } : {}),
    CpuShares: cpuRequest ? Math.max(2, Math.round(cpuRequest * 1024)) : 2,
  };
}

/** A mount as the engine's Binds take it: `source:target[:options]`. */
function bind(mount: ContainerConfig['mounts'][number]): string {
  const options = [mount.readOnly ? 'ro' : undefined, mount.propagation].filter(Boolean);
  return `${mount.source}:${mount.target}${options.length ? `:${options.join(',')}` : ''}`;
}

/**
 * The security settings of a container as the engine takes them, as dockershim mapped
 * them: the user, privileges and capabilities; the process namespace (the node's with
 * hostPID, the sandbox's with shareProcessNamespace); supplementalGroups and fsGroup as
 * extra groups; seccomp and AppArmor profiles (the container's, else the pod's).
 */
function securityConfig(
  pod: PodObject,
  container: Container,
  sandboxId: string,
): { user?: string; host: Partial<Docker.HostConfig> } {
  const spec = pod.spec;
  const podContext = spec?.securityContext;
  const own = container.securityContext;
  const uid = own?.runAsUser ?? podContext?.runAsUser;
  const gid = own?.runAsGroup ?? podContext?.runAsGroup;
  const groups = [...(podContext?.supplementalGroups ?? []), podContext?.fsGroup].filter(
    (g) => g !== undefined,
  );
  const securityOpt = [
    ...(own?.allowPrivilegeEscalation === false ? ['no-new-privileges'] : []),
    ...seccompOption(own?.seccompProfile ?? podContext?.seccompProfile),
    ...appArmorOption(own?.appArmorProfile ?? podContext?.appArmorProfile),
  ];
  const pidMode = spec?.hostPID ? 'host' : spec?.shareProcessNamespace ? `container:${sandboxId}` : undefined;
  return {
    user: uid === undefined ? undefined : gid === undefined ? String(uid) : `${uid}:${gid}`,
    host: {
      Privileged: own?.privileged ?? false,
      ReadonlyRootfs: own?.readOnlyRootFilesystem ?? false,
      ...(own?.capabilities?.add ? { CapAdd: own.capabilities.add } : {}),
      ...(own?.capabilities?.drop ? { CapDrop: own.capabilities.drop } : {}),
      ...(securityOpt.length ? { SecurityOpt: securityOpt } : {}),
      ...(pidMode ? { PidMode: pidMode } : {}),
      ...(groups.length ? { GroupAdd: groups.map(String) } : {}),
    },
  };
}

/** RuntimeDefault is the engine's own profile; a Localhost one would be a file of the kubelet's this node does not keep. */
function seccompOption(profile: SeccompProfile | undefined): string[] {
  if (profile?.type === 'Unconfined') return ['seccomp=unconfined'];
  if (profile?.type === 'Localhost') {
    throw new ContainerStartError(
      'CreateContainerError',
      `seccomp profile "${profile.localhostProfile}": Localhost profiles are not supported on this node`,
    );
  }
  return [];
}

/** Localhost names a profile loaded into the node's kernel, as the engine names them too. */
function appArmorOption(profile: AppArmorProfile | undefined): string[] {
  if (profile?.type === 'Unconfined') return ['apparmor=unconfined'];
  if (profile?.type === 'Localhost') return [`apparmor=${profile.localhostProfile}`];
  return [];
}

/**
 * The container runtime over a Docker engine, as dockershim was: a pause container per
 * pod holds its network namespace (and its IP on the node's bridge, the node's
 * podCIDR); the pod's containers join it, so they share localhost, hostname and
 * resolv.conf. Everything the agent needs to pick up after a restart is in the
 * containers' labels; exited instances are kept (the current and the previous one per
 * container) for status, `previous` logs and restart counts. State changes come from
 * the engine's event stream.
 */
export class DockerRuntime implements ContainerRuntime {
  readonly name = 'docker';
  version = 'unknown';
  hostInfo?: { kernelVersion: string; osImage: string };
  readonly docker: Docker;
  private network?: PodNetwork;
  private readonly listeners = new Set<(uid: string) => void>();
  /** Inspections of exited containers, which never change again. */
  private readonly exited = new Map<string, Docker.ContainerInspectInfo>();
  private events?: Readable;
  private closed = false;
  private readonly clock: Clock;

  constructor(private readonly options: DockerRuntimeOptions) {
    this.docker = options.docker ?? new Docker();
    this.clock = options.clock ?? systemClock;
  }

  /** Connects to the engine, reads its version and sets up the node's pod network. */
  async init(): Promise<PodNetwork> {
    const [version, info] = await Promise.all([this.docker.version(), this.docker.info()]);
    this.version = version.Version;
    this.hostInfo = { kernelVersion: info.KernelVersion, osImage: info.OperatingSystem };
    this.network = await ensurePodNetwork(this.docker, this.options.nodeName);
    await ensureImage(this.docker, PAUSE_IMAGE, 'IfNotPresent');
    void this.watchEvents();
    return this.network;
  }

  get podNetwork(): PodNetwork {
    if (!this.network) throw new Error('the Docker runtime is not initialised');
    return this.network;
  }

  async runPodSandbox(pod: PodObject, config: SandboxConfig): Promise<{ ip: string }> {
    const uid = pod.metadata.uid!;
    const containers = await this.containersOf(uid);
    const sandboxes = containers.filter((c) => c.Labels[LABEL.type] === 'sandbox');
    const running = sandboxes.find((c) => c.State === 'running');
    if (running) return { ip: this.ipOf(running, pod) };
    // A dead sandbox takes the pod's network with it: what still runs in it restarts in the new one.
    await Promise.all(
      containers
        .filter((c) => c.Labels[LABEL.type] !== 'sandbox' && c.State === 'running')
        .map((c) => this.stopContainer(c.Id, 0)),
    );
    await Promise.all(sandboxes.map((c) => this.remove(c.Id)));
    const hostNetwork = pod.spec?.hostNetwork === true;
    const hostname = (pod.spec?.hostname ?? pod.metadata.name!).slice(0, 63);
    const subdomain = pod.spec?.subdomain;
    const created = await this.docker.createContainer({
      name: dockerContainerName('POD', this.podRef(pod), 0),
      Image: PAUSE_IMAGE,
      ...(hostNetwork ? {} : { Hostname: hostname }),
      ...(subdomain && !hostNetwork
        ? { Domainname: `${subdomain}.${pod.metadata.namespace}.svc.cluster.local` }
        : {}),
      Labels: this.labels(pod, 'POD', 'sandbox', 0),
      HostConfig: {
        NetworkMode: hostNetwork ? 'host' : this.podNetwork.name,
        IpcMode: pod.spec?.hostIPC ? 'host' : 'shareable',
        // The pod's containers share the sandbox's /etc/hosts.
        ...(pod.spec?.hostAliases?.length && !hostNetwork
          ? {
              ExtraHosts: pod.spec.hostAliases.flatMap((alias) =>
                (alias.hostnames ?? []).map((hostname) => `${hostname}:${alias.ip}`),
              ),
            }
          : {}),
        RestartPolicy: { Name: 'no' },
        ...(config.dns && !hostNetwork
          ? { Dns: config.dns.servers, DnsSearch: config.dns.searches, DnsOptions: config.dns.options }
          : {}),
        ...(config.hostPorts?.length && !hostNetwork
          ? {
              PortBindings: Object.fromEntries(
                config.hostPorts.map((p) => [
                  `${p.containerPort}/${p.protocol.toLowerCase()}`,
                  [{ HostPort: String(p.hostPort), HostIp: p.hostIP ?? '' }],
                ]),
              ),
            }
          : {}),
      },
    });
    await created.start();
    const inspected = await created.inspect();
    const ip = hostNetwork
      ? config.hostIP
      : (inspected.NetworkSettings.Networks[this.podNetwork.name]?.IPAddress ?? '');
    return { ip };
  }

  async startContainer(pod: PodObject, container: Container, options: StartContainerOptions): Promise<void> {
    const uid = pod.metadata.uid!;
    const image = container.image ?? '';
    await ensureImage(this.docker, image, container.imagePullPolicy ?? 'IfNotPresent', this.options.log);
    const containers = await this.containersOf(uid);
    const sandbox = containers.find((c) => c.Labels[LABEL.type] === 'sandbox' && c.State === 'running');
    if (!sandbox)
      throw new ContainerStartError(
        'CreateContainerError',
        `the sandbox of pod ${pod.metadata.name} is not running`,
      );
    const name = dockerContainerName(container.name, this.podRef(pod), options.attempt);
    // A start that failed halfway left its container behind: replace it.
    const leftover = containers.find((c) => c.Names.includes(`/${name}`));
    if (leftover) await this.remove(leftover.Id);
    const config = options.config;
    const security = securityConfig(pod, container, sandbox.Id);
    const type: DockerContainerType = options.init ? 'init' : 'container';
    let created: Docker.Container;
    try {
      created = await this.docker.createContainer({
        name,
        Image: image,
        ...(config?.command ? { Entrypoint: config.command } : {}),
        ...(config?.args ? { Cmd: config.args } : config?.command ? { Cmd: [] } : {}),
        Env: (config?.env ?? []).map(({ name: key, value }) => `${key}=${value}`),
        ...(container.workingDir ? { WorkingDir: container.workingDir } : {}),
        ...(security.user ? { User: security.user } : {}),
        Tty: container.tty ?? false,
        OpenStdin: container.stdin ?? false,
        Labels: this.labels(pod, container.name, type, options.attempt),
        HostConfig: {
          NetworkMode: `container:${sandbox.Id}`,
          IpcMode: pod.spec?.hostIPC ? 'host' : `container:${sandbox.Id}`,
          Binds: (config?.mounts ?? []).map(bind),
          RestartPolicy: { Name: 'no' },
          LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
          ...resourceConfig(container),
          ...security.host,
        },
      });
    } catch (error) {
      throw new ContainerStartError('CreateContainerError', engineMessage(error));
    }
    try {
      await created.start();
    } catch {
      // Left in "created" with the engine's error: reported as ContainerCannotRun below.
    }
    await this.collectGarbage(containers, container.name, type, options.attempt);
  }

  async stopPod(uid: string, gracePeriodSeconds: number): Promise<void> {
    const containers = await this.containersOf(uid);
    const running = (type: string) =>
      containers.filter(
        (c) => (c.Labels[LABEL.type] === 'sandbox') === (type === 'sandbox') && c.State === 'running',
      );
    await Promise.all(running('app').map((c) => this.stopContainer(c.Id, gracePeriodSeconds)));
    await Promise.all(running('sandbox').map((c) => this.stopContainer(c.Id, 0)));
  }

  async killContainer(id: string, gracePeriodSeconds: number): Promise<void> {
    await this.stopContainer(id.replace(/^docker:\/\//, ''), gracePeriodSeconds);
  }

  async removePod(uid: string): Promise<void> {
    const containers = await this.containersOf(uid);
    await Promise.all(containers.map((c) => this.remove(c.Id)));
  }

  async getPod(uid: string): Promise<RuntimePod | undefined> {
    const pods = await this.toPods(await this.containersOf(uid));
    return pods[0];
  }

  async listPods(): Promise<RuntimePod[]> {
    const summaries = await this.list([]);
    // Containers removed behind our back (docker rm) take their cached inspections with them.
    const present = new Set(summaries.map((c) => c.Id));
    for (const id of this.exited.keys()) if (!present.has(id)) this.exited.delete(id);
    return this.toPods(summaries);
  }

  onChange(listener: (uid: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async *logs(uid: string, container: string, options: LogOptions): AsyncIterable<LogLine> {
    const instance = await this.instance(uid, container, options.previous ?? false);
    const target = this.docker.getContainer(instance.id.replace(/^docker:\/\//, ''));
    const info = await target.inspect();
    const params = {
      stdout: true,
      stderr: true,
      timestamps: true,
      ...(options.tailLines !== undefined ? { tail: options.tailLines } : {}),
      ...(options.sinceSeconds !== undefined
        ? { since: Math.floor(this.clock.now() / 1000) - options.sinceSeconds }
        : {}),
    };
    const decoder = new FrameDecoder(info.Config.Tty);
    const splitter = new LineSplitter();
    const toLine = (stream: LogLine['stream'], raw: string): LogLine => {
      const space = raw.indexOf(' ');
      return { stream, time: raw.slice(0, space), text: raw.slice(space + 1).replace(/\r$/, '') };
    };
    const source: Iterable<Buffer> | AsyncIterable<Buffer> =
      options.follow && info.State.Running
        ? chunksOf((await target.logs({ ...params, follow: true })) as unknown as Readable, options.signal)
        : [(await target.logs({ ...params, follow: false })) as unknown as Buffer];
    for await (const chunk of source) {
      for (const frame of decoder.push(chunk)) {
        for (const line of splitter.push(frame.stream, frame.data)) yield toLine(frame.stream, line);
      }
    }
    for (const rest of splitter.flush()) yield toLine(rest.stream, rest.line);
  }

  async exec(uid: string, container: string, command: string[], options: ExecOptions): Promise<ExecResult> {
    const instance = await this.instance(uid, container, false);
    if (instance.state !== 'running') {
      throw new RuntimeError('BAD_REQUEST', `container "${container}" is not running`);
    }
    const target = this.docker.getContainer(instance.id.replace(/^docker:\/\//, ''));
    const withStdin = options.stdin !== undefined;
    const exec = await target.exec({
      Cmd: command,
      AttachStdout: true,
      AttachStderr: true,
      AttachStdin: withStdin,
      Tty: false,
    });
    const stream = (await exec.start({
      hijack: true,
      stdin: withStdin,
    })) as unknown as NodeJS.ReadWriteStream & Readable;
    if (withStdin) {
      stream.write(options.stdin!);
      (stream as unknown as { end(): void }).end();
    }
    const output = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    const decoder = new FrameDecoder(false);
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 60_000);
    for await (const chunk of chunksOf(stream, timeout)) {
      for (const frame of decoder.push(chunk)) output[frame.stream].push(frame.data);
    }
    if (timeout.aborted) {
      throw new RuntimeError('TIMEOUT', `command timed out after ${(options.timeoutMs ?? 60_000) / 1000}s`);
    }
    const { ExitCode } = await exec.inspect();
    return {
      stdout: Buffer.concat(output.stdout).toString('utf8'),
      stderr: Buffer.concat(output.stderr).toString('utf8'),
      exitCode: ExitCode ?? 0,
    };
  }

  async execStream(
    uid: string,
    container: string,
    command: string[],
    options: ExecStreamOptions,
  ): Promise<ExecProcess> {
    const instance = await this.instance(uid, container, false);
    if (instance.state !== 'running') {
      throw new RuntimeError('BAD_REQUEST', `container "${container}" is not running`);
    }
    const target = this.docker.getContainer(instance.id.replace(/^docker:\/\//, ''));
    return startExecStream(target, command, options);
  }

  async stats(): Promise<PodStats[]> {
    const running = (await this.list([])).filter(
      (c) => c.State === 'running' && c.Labels[LABEL.type] === 'container',
    );
    const samples = await Promise.all(
      running.map(async (c) => {
        // one-shot: the engine answers at once instead of sampling twice a second apart.
        const options = { stream: false, 'one-shot': true } as unknown as { stream: false };
        const stats = await this.docker
          .getContainer(c.Id)
          .stats(options)
          .catch(() => undefined);
        return { summary: c, stats };
      }),
    );
    const pods = new Map<string, PodStats>();
    for (const { summary, stats } of samples) {
      if (!stats?.memory_stats) continue;
      const uid = summary.Labels[LABEL.podUid];
      let pod = pods.get(uid);
      if (!pod) {
        pod = {
          uid,
          namespace: summary.Labels[LABEL.podNamespace],
          name: summary.Labels[LABEL.podName],
          timestamp: this.clock.now(),
          containers: [],
        };
        pods.set(uid, pod);
      }
      const memory = stats.memory_stats as { usage?: number; stats?: Record<string, number> };
      const inactive = memory.stats?.total_inactive_file ?? memory.stats?.inactive_file ?? 0;
      pod.containers.push({
        name: summary.Labels[LABEL.container],
        cpuUsageNanoSeconds: stats.cpu_stats.cpu_usage.total_usage,
        memoryWorkingSetBytes: Math.max(0, (memory.usage ?? 0) - inactive),
      });
    }
    return [...pods.values()];
  }

  async close(): Promise<void> {
    this.closed = true;
    this.events?.destroy();
  }

  private podRef(pod: PodObject) {
    return { name: pod.metadata.name!, namespace: pod.metadata.namespace!, uid: pod.metadata.uid! };
  }

  private labels(
    pod: PodObject,
    container: string,
    type: DockerContainerType,
    attempt: number,
  ): Record<string, string> {
    return {
      [LABEL.node]: this.options.nodeName,
      [LABEL.type]: type,
      [LABEL.podUid]: pod.metadata.uid!,
      [LABEL.podNamespace]: pod.metadata.namespace!,
      [LABEL.podName]: pod.metadata.name!,
      [LABEL.container]: container,
      [LABEL.attempt]: String(attempt),
    };
  }

  private ipOf(sandbox: Summary, pod: PodObject): string {
    if (pod.spec?.hostNetwork) return pod.status?.hostIP ?? '';
    return sandbox.NetworkSettings?.Networks?.[this.podNetwork.name]?.IPAddress ?? '';
  }

  private list(labels: string[]): Promise<Summary[]> {
    return this.docker.listContainers({
      all: true,
      filters: { label: [`${LABEL.node}=${this.options.nodeName}`, ...labels] },
    });
  }

  private containersOf(uid: string): Promise<Summary[]> {
    return this.list([`${LABEL.podUid}=${uid}`]);
  }

  private async inspect(id: string): Promise<Docker.ContainerInspectInfo | undefined> {
    const known = this.exited.get(id);
    if (known) return known;
    try {
      const info = await this.docker.getContainer(id).inspect();
      if (!info.State.Running && timeOrUndefined(info.State.FinishedAt)) this.exited.set(id, info);
      return info;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async toPods(summaries: Summary[]): Promise<RuntimePod[]> {
    const byUid = new Map<string, Summary[]>();
    for (const summary of summaries) {
      const uid = summary.Labels[LABEL.podUid];
      if (!uid) continue;
      byUid.set(uid, [...(byUid.get(uid) ?? []), summary]);
    }
    const pods: RuntimePod[] = [];
    for (const [uid, list] of byUid) {
      const sandbox = list
        .filter((c) => c.Labels[LABEL.type] === 'sandbox')
        .sort((a, b) => b.Created - a.Created)[0];
      const containers: RuntimeContainer[] = [];
      for (const summary of list) {
        if (summary.Labels[LABEL.type] === 'sandbox') continue;
        const info = await this.inspect(summary.Id);
        if (info) containers.push(toRuntimeContainer(summary, info));
      }
      const ip = sandbox?.NetworkSettings?.Networks?.[this.network?.name ?? '']?.IPAddress;
      pods.push({
        uid,
        namespace: list[0].Labels[LABEL.podNamespace],
        name: list[0].Labels[LABEL.podName],
        ip: sandbox?.State === 'running' ? ip || undefined : undefined,
        ready: sandbox?.State === 'running',
        containers,
      });
    }
    return pods;
  }

  private async instance(uid: string, container: string, previous: boolean): Promise<RuntimeContainer> {
    const pod = await this.getPod(uid);
    let found = instancesOf(pod, container, false);
    if (!found.current) found = instancesOf(pod, container, true);
    const instance = previous ? found.previous : found.current;
    if (!instance) {
      throw new RuntimeError(
        previous ? 'BAD_REQUEST' : 'NOT_FOUND',
        previous
          ? `previous terminated container "${container}" in pod "${pod?.name ?? uid}" not found`
          : `container "${container}" in pod "${pod?.name ?? uid}" is waiting to start: ContainerCreating`,
      );
    }
    return instance;
  }

  private async stopContainer(id: string, gracePeriodSeconds: number): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: Math.max(0, Math.round(gracePeriodSeconds)) });
    } catch (error) {
      if (!isNotFound(error) && !isNotModified(error)) throw error;
    }
  }

  private async remove(id: string): Promise<void> {
    this.exited.delete(id);
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (error) {
      if (!isNotFound(error) && !/already in progress/.test(String(error))) throw error;
    }
  }

  /** Keeps the current and the previous instance of a container; older ones go. */
  private async collectGarbage(
    containers: Summary[],
    name: string,
    type: DockerContainerType,
    attempt: number,
  ): Promise<void> {
    const old = containers.filter(
      (c) =>
        c.Labels[LABEL.container] === name &&
        c.Labels[LABEL.type] === type &&
        Number(c.Labels[LABEL.attempt]) < attempt - 1,
    );
    await Promise.all(old.map((c) => this.remove(c.Id)));
  }

  /** Follows the engine's container events for this node; reconnects, and resyncs every pod after a gap. */
  private async watchEvents(): Promise<void> {
    for (let failures = 0; !this.closed; failures++) {
      try {
        const stream = (await this.docker.getEvents({
          filters: { type: ['container'], label: [`${LABEL.node}=${this.options.nodeName}`] },
        })) as unknown as Readable;
        this.events = stream;
        if (failures > 0) for (const pod of await this.listPods()) this.notify(pod.uid);
        let buffered = '';
        for await (const chunk of stream) {
          buffered += String(chunk);
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          for (const line of lines) {
            if (!line.trim()) continue;
            const event = JSON.parse(line) as {
              status?: string;
              Actor?: { Attributes?: Record<string, string> };
            };
            const uid = event.Actor?.Attributes?.[LABEL.podUid];
            if (uid && ['start', 'die', 'oom', 'destroy'].includes(event.status ?? '')) this.notify(uid);
          }
        }
        failures = 0;
      } catch (error) {
        if (this.closed) return;
        this.options.log(`docker events: ${engineMessage(error)}`);
      }
      if (!this.closed)
        await new Promise((resolve) => setTimeout(resolve, exponentialDelay(failures, EVENTS_RETRY)));
    }
  }

  private notify(uid: string): void {
    for (const listener of this.listeners) listener(uid);
  }
}

function toRuntimeContainer(summary: Summary, info: Docker.ContainerInspectInfo): RuntimeContainer {
  let state = runState(info.State.Status);
  let exitCode: number | undefined = state === 'exited' ? info.State.ExitCode : undefined;
  let reason: string | undefined;
  let message: string | undefined = info.State.Error || undefined;
  if (state === 'created' && info.State.Error) {
    // The engine could not start it (no such executable, bad mount...): it will never run.
    state = 'exited';
    exitCode = info.State.ExitCode || 128;
    reason = 'ContainerCannotRun';
  } else if (state === 'exited') {
    reason = info.State.OOMKilled ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error';
  } else message = undefined;
  return {
    name: summary.Labels[LABEL.container],
    id: `docker://${info.Id}`,
    attempt: Number(summary.Labels[LABEL.attempt] ?? 0),
    init: summary.Labels[LABEL.type] === 'init',
    image: info.Config.Image,
    imageID: `docker://${info.Image}`,
    state,
    createdAt: info.Created,
    startedAt: timeOrUndefined(info.State.StartedAt),
    finishedAt: state === 'exited' ? (timeOrUndefined(info.State.FinishedAt) ?? info.Created) : undefined,
    exitCode,
    reason,
    message,
  };
}
