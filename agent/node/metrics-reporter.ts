import { execute, messageOf, operations, type KubeqlClient } from '../../client/index.ts';
import { systemClock, type Clock } from '../../lib/clock.ts';
import { readHostUsage, type HostSample } from './host-usage.ts';
import type { ContainerRuntime, PodStats } from './runtime/runtime.ts';

export interface MetricsReporterOptions {
  nodeName: string;
  runtime: ContainerRuntime;
  /** How often usage is sampled and reported: the window of every rate (10 s). */
  intervalMs: number;
  /**
   * The machine's own usage. By default /proc for real runtimes; none for the simulated
   * one, whose node usage is then the sum of its pods' (hollow nodes share one machine).
   */
  hostUsage?: () => Promise<HostSample | undefined>;
  /** While true nothing is written (a node cut off from the API server). */
  isSilent: () => boolean;
  /** Where report times are read (the system clock by default). */
  clock?: Clock;
  log: (line: string) => void;
}

interface Sample {
  at: number;
  cpuNanoSeconds: number;
}

type Report = operations.NodeUsageReportInput;

/** A CPU rate (nanocores) from two cumulative samples; undefined when the counter went back (a new instance). */
function rate(previous: Sample | undefined, current: Sample): number | undefined {
  if (!previous || current.at <= previous.at || current.cpuNanoSeconds < previous.cpuNanoSeconds)
    return undefined;
  return ((current.cpuNanoSeconds - previous.cpuNanoSeconds) * 1000) / (current.at - previous.at);
}

/**
 * The node agent's half of the resource metrics pipeline (the kubelet's summary API and
 * metrics-server's scrape in one): every interval it samples the runtime's cumulative
 * counters, turns them into rates over the interval, and sends the node's usage and
 * its running pods' in one `reportNodeUsage` mutation. A pod is reported once each of
 * its running containers has two samples, as metrics-server leaves out pods it cannot
 * give a complete rate for. A failed report is logged and the next one goes on.
 */
export class MetricsReporter {
  private readonly options: MetricsReporterOptions;
  private readonly containers = new Map<string, Sample>();
  private host?: Sample;
  private lastTick?: number;
  private readonly hostUsage: () => Promise<HostSample | undefined>;
  private timer?: ReturnType<typeof setTimeout>;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly client: Pick<KubeqlClient, 'request'>,
    options: MetricsReporterOptions,
  ) {
    this.options = options;
    this.hostUsage = options.hostUsage ?? defaultHostUsage(options.runtime);
  }

  /** Takes the first sample at once (nothing to report yet), then reports every interval. */
  start(): this {
    this.schedule(0);
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Samples, and reports when there is a previous sample to rate against. */
  async tick(): Promise<void> {
    const [pods, host] = await Promise.all([this.options.runtime.stats(), this.hostUsage()]);
    const report = this.rates(pods, host);
    if (!report || this.options.isSilent() || this.stopped) return;
    await execute(this.client, operations.ReportNodeUsageDocument, { report });
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .catch((error: unknown) =>
          this.options.log(`node ${this.options.nodeName}: usage report: ${messageOf(error)}`),
        )
        .finally(() => this.schedule(this.options.intervalMs));
    }, ms);
    this.timer.unref?.();
  }

  /** The report for this sample against the previous one; undefined on the first sample. */
  private rates(pods: PodStats[], host: HostSample | undefined): Report | undefined {
    const now = (this.options.clock ?? systemClock).now();
    const seen = new Set<string>();
    const reported: Report['pods'] = [];
    for (const pod of pods) {
      const containers: Report['pods'][number]['containers'] = [];
      let windowMs = 0;
      for (const container of pod.containers) {
        const key = `${pod.uid}/${container.name}`;
        seen.add(key);
        const current = { at: pod.timestamp, cpuNanoSeconds: container.cpuUsageNanoSeconds };
        const previous = this.containers.get(key);
        this.containers.set(key, current);
        const nanocores = rate(previous, current);
        if (nanocores === undefined) continue;
        windowMs = Math.max(windowMs, current.at - previous!.at);
        containers.push({
          name: container.name,
          cpuNanoCores: Math.round(nanocores),
          memoryWorkingSetBytes: container.memoryWorkingSetBytes,
        });
      }
      if (containers.length === 0 || containers.length < pod.containers.length) continue;
      reported.push({
        namespace: pod.namespace,
        name: pod.name,
        uid: pod.uid,
        timestamp: new Date(pod.timestamp).toISOString(),
        windowSeconds: windowMs / 1000,
        containers,
      });
    }
    for (const key of this.containers.keys()) if (!seen.has(key)) this.containers.delete(key);

    const since = this.lastTick;
    this.lastTick = now;
    const previousHost = this.host;
    this.host = host && { at: now, cpuNanoSeconds: host.cpuUsageNanoSeconds };
    // The first round has nothing to rate against.
    if (since === undefined) return undefined;
    const total = (field: 'cpuNanoCores' | 'memoryWorkingSetBytes') =>
      reported.reduce((sum, pod) => sum + pod.containers.reduce((s, c) => s + c[field], 0), 0);
    const hostRate = this.host && rate(previousHost, this.host);
    return {
      nodeName: this.options.nodeName,
      timestamp: new Date(now).toISOString(),
      windowSeconds: (now - since) / 1000,
      cpuNanoCores: hostRate !== undefined ? Math.round(hostRate) : total('cpuNanoCores'),
      memoryWorkingSetBytes: host?.memoryWorkingSetBytes ?? total('memoryWorkingSetBytes'),
      pods: reported,
    };
  }
}

/** /proc for a runtime on this machine; none for the simulated one (its node usage is its pods'). */
function defaultHostUsage(runtime: ContainerRuntime): () => Promise<HostSample | undefined> {
  return runtime.name === 'simulated' ? async () => undefined : () => readHostUsage();
}
