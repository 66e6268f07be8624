/**
 * Control-plane scale benchmark: prints figures, never passes or fails.
 *
 *   npm run bench:hollow                        (1,000 hollow nodes, 10,000 pods)
 *   npm run bench:hollow -- --quick             (100 nodes, 1,000 pods)
 *   npm run bench:hollow -- --nodes 500 --pods 5000
 *   npm run bench:hollow -- --nodes 2000 --pods 30000
 *   npm run bench:hollow -- --nodes 5000 --pods 100000  (several GB and many minutes; the
 *     scheduler's share of it alone: npm run bench:scheduler)
 *   npm run bench:hollow -- --remote-watch      (observe over the server URL, not in-process)
 *   npm run bench:hollow -- --quick --heap-snapshot hollow.heapsnapshot
 *
 * One process holds the whole control plane (cmd/cluster.ts): the API server on a
 * fresh SQLite data directory, every controller, the scheduler and N hollow nodes over
 * the simulated runtime, all talking through the in-process transport. Deployments
 * totalling the requested pods are applied (one `apply` mutation each), and a watch on
 * Pods times each pod's creation, binding and Running. Figures are end to end: from
 * the first apply until the last pod is seen Running. Peak RSS is sampled every 250 ms
 * and covers the whole control plane plus this observer. The npm script runs it with the
 * node flags and environment `kq up --runtime simulated` runs a cluster with
 * (agent/tuned-process.ts: NODE_ENV=production, MALLOC_ARENA_MAX=2,
 * --max-semi-space-size=16, --heap-growing-percent=50); run through plain tsx it says
 * "untuned".
 *
 * Targets at 10,000 pods: at least 300 pods/s end to end, at most 500 MB RSS.
 * Anchors: Kubernetes' scheduler_perf SchedulingBasic ~270 pods/s (scheduler alone),
 * ClusterLoader2's density test 100 pods/s (whole cluster).
 *
 * Profile with: node --cpu-prof --cpu-prof-dir=DIR --import tsx bench/hollow.ts --quick
 * or, for the run alone (first apply to all Running, without start-up and shutdown):
 *   npm run bench:hollow -- --quick --cpu-profile run.cpuprofile
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { inProcessClient, startLocalCluster } from '../cmd/cluster.ts';
import { DEFAULT_NODE_AGENT_OPTIONS, NODE_LEASE_NAMESPACE } from '../agent/node/agent.ts';
import type { PodObject } from '../agent/objects.ts';
import { describeTuning, isTuned } from '../cmd/tuned-process.ts';
import { createClient, type KubeqlClient, type Watch } from '../client/index.ts';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    nodes: { type: 'string' },
    pods: { type: 'string' },
    deployments: { type: 'string' },
    'remote-watch': { type: 'boolean', default: false },
    /** Gives up waiting after this many seconds without progress. */
    stall: { type: 'string', default: '120' },
    /** Prints the components' log lines as they come (errors mostly). */
    log: { type: 'boolean', default: false },
    /** Seconds between each hollow node's usage reports (the node agent's default, 10). */
    'metrics-interval': { type: 'string' },
    /** Writes a V8 CPU profile of the run alone (first apply to all Running) here. */
    'cpu-profile': { type: 'string' },
    /** Writes a V8 heap snapshot here once every pod runs (before the cluster stops). */
    'heap-snapshot': { type: 'string' },
  },
});
const count = (text: string | undefined, fallback: number) => {
  const n = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`not a positive integer: ${text}`);
  return n;
};
const NODES = count(flags.nodes, flags.quick ? 100 : 1000);
const PODS = count(flags.pods, flags.quick ? 1000 : 10_000);
const DEPLOYMENTS = Math.min(PODS, count(flags.deployments, 20));
const STALL_MS = count(flags.stall, 120) * 1000;
const NAMESPACE = 'hollow-bench';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const load = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

/** Peak RSS and heap, sampled every 250 ms from the start; `mark` starts a new window. */
function memorySampler() {
  let peakRss = 0;
  let peakHeap = 0;
  let windowRss = 0;
  /** process.memoryUsage() when RSS peaked: what the peak is made of. */
  let atPeak = process.memoryUsage();
  const sample = () => {
    const usage = process.memoryUsage();
    const { rss, heapUsed } = usage;
    if (rss > peakRss) atPeak = usage;
    peakRss = Math.max(peakRss, rss);
    peakHeap = Math.max(peakHeap, heapUsed);
    windowRss = Math.max(windowRss, rss);
  };
  sample();
  const timer = setInterval(sample, 250);
  return {
    get peakRss() {
      return peakRss;
    },
    get peakHeap() {
      return peakHeap;
    },
    get windowRss() {
      return windowRss;
    },
    get atPeak() {
      return atPeak;
    },
    mark() {
      sample();
      windowRss = process.memoryUsage().rss;
    },
    stop: () => clearInterval(timer),
  };
}

function deployment(index: number, replicas: number) {
  const app = `load-${index}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app, namespace: NAMESPACE },
    spec: {
      replicas,
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: { app, bench: 'hollow' } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'registry.k8s.io/pause:3.10',
              resources: { requests: { cpu: '10m', memory: '16Mi' } },
            },
          ],
        },
      },
    },
  };
}

/** When each pod was first seen, bound and Running (ms since the first apply), from a watch on Pods. */
class PodTimeline {
  readonly created = new Map<string, number>();
  readonly bound = new Map<string, number>();
  readonly running = new Map<string, number>();
  events = 0;
  lastProgress = performance.now();
  private allRunning?: () => void;
  readonly done = new Promise<void>((resolve) => (this.allRunning = resolve));
  private listed?: () => void;
  /** Resolves at the bookmark that ends the initial events: the watch is in place. */
  readonly watching = new Promise<void>((resolve) => (this.listed = resolve));

  constructor(
    private readonly t0: () => number,
    private readonly expected: number,
  ) {}

  async follow(watch: Watch<PodObject>): Promise<void> {
    for await (const { type, object: pod } of watch) {
      if (type === 'BOOKMARK') this.listed?.();
      if (type === 'BOOKMARK' || type === 'DELETED') continue;
      this.events++;
      const name = pod.metadata.name!;
      const now = performance.now() - this.t0();
      if (!this.created.has(name)) this.mark(this.created, name, now);
      if (pod.spec?.nodeName && !this.bound.has(name)) this.mark(this.bound, name, now);
      if (pod.status?.phase === 'Running' && !this.running.has(name)) {
        this.mark(this.running, name, now);
        if (this.running.size >= this.expected) this.allRunning?.();
      }
    }
  }

  private mark(map: Map<string, number>, name: string, at: number): void {
    map.set(name, at);
    this.lastProgress = performance.now();
  }
}

/** The busiest one-second window of a set of times (ms), as events per second. */
function peakPerSecond(times: Iterable<number>): number {
  const buckets = new Map<number, number>();
  for (const t of times) buckets.set(Math.floor(t / 1000), (buckets.get(Math.floor(t / 1000)) ?? 0) + 1);
  return Math.max(0, ...buckets.values());
}

function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main() {
  const memory = memorySampler();
  const loadAtStart = load();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-hollow-bench-'));
  const logLines: string[] = [];
  let logCount = 0;
  const log = (line: string) => {
    if (flags.log) console.error(line);
    if (line.endsWith(': registered')) return;
    logCount++;
    if (logLines.length < 10) logLines.push(line);
  };
  console.log(
    `kubeql hollow-cluster benchmark (${os.cpus().length} cores, load ${loadAtStart}, SQLite, ` +
      `${NODES} nodes, ${PODS} pods in ${DEPLOYMENTS} Deployments, ` +
      `${flags['remote-watch'] ? 'remote' : 'in-process'} watch, ` +
      `${isTuned() ? `tuned: ${describeTuning()}` : 'untuned node flags'})\n`,
  );
  const print = (label: string, value: string) => console.log(`${label.padEnd(58)} ${value}`);
  const results: Record<string, number | string> = { nodes: NODES, pods: PODS, load_start: loadAtStart };

  const startedAt = performance.now();
  const metricsIntervalMs =
    count(flags['metrics-interval'], DEFAULT_NODE_AGENT_OPTIONS.metricsIntervalMs / 1000) * 1000;
  const cluster = await startLocalCluster({
    port: 0,
    address: '127.0.0.1',
    dataDir,
    nodes: NODES,
    nodeOptions: { metricsIntervalMs },
    log,
  });
  const startupMs = performance.now() - startedAt;
  memory.mark();
  const idleRss = process.memoryUsage().rss;
  print(`cluster start-up (server, controllers, ${NODES} nodes)`, secs(startupMs));
  print('RSS with the idle cluster', mb(idleRss));
  results.startup_s = +(startupMs / 1000).toFixed(2);
  results.idle_rss_mb = Math.round(idleRss / 2 ** 20);

  let observer: KubeqlClient;
  if (flags['remote-watch']) {
    const token = fs.readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim();
    observer = createClient({ url: cluster.server.url, token });
  } else {
    observer = inProcessClient(cluster.server);
  }
  await cluster.client.request(`mutation($m: String!) { apply(manifests: $m) { kind } }`, {
    m: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }),
  });

  // Lease renewals, per second: bunched heartbeats show as a peak far above nodes / interval.
  const leaseRenewals: number[] = [];
  let t0 = 0;
  const leaseWatch = observer.watch('Lease', { namespace: NODE_LEASE_NAMESPACE, allowBookmarks: true });
  const leasesWatched = new Promise<void>((resolve) => {
    void (async () => {
      for await (const event of leaseWatch) {
        if (event.type === 'BOOKMARK') resolve();
        if (event.type === 'MODIFIED' && t0 > 0) leaseRenewals.push(performance.now() - t0);
      }
    })().catch((error) => log(`bench lease watch: ${error}`));
  });

  const timeline = new PodTimeline(() => t0, PODS);
  const podWatch = observer.watch<PodObject>('Pod', { namespace: NAMESPACE, allowBookmarks: true });
  const following = timeline.follow(podWatch).catch((error) => log(`bench watch: ${error}`));
  // Both watches in place before the clock starts (a remote one subscribes asynchronously).
  await Promise.all([timeline.watching, leasesWatched]);

  const profiler = flags['cpu-profile'] ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  const lag = monitorEventLoopDelay({ resolution: 20 });
  const cpuBefore = process.cpuUsage();
  lag.enable();
  memory.mark();
  t0 = performance.now();
  const applyLatencies: number[] = [];
  const base = Math.floor(PODS / DEPLOYMENTS);
  for (let i = 0; i < DEPLOYMENTS; i++) {
    const replicas = base + (i < PODS % DEPLOYMENTS ? 1 : 0);
    const sent = performance.now();
    await observer.request(`mutation($m: String!) { apply(manifests: $m) { kind } }`, {
      m: JSON.stringify(deployment(i, replicas)),
    });
    applyLatencies.push(performance.now() - sent);
  }
  const appliedMs = performance.now() - t0;

  const progress = setInterval(() => {
    const { rss } = process.memoryUsage();
    console.error(
      `  ${secs(performance.now() - t0).padStart(9)}  created ${timeline.created.size}  bound ${timeline.bound.size}` +
        `  running ${timeline.running.size}  rss ${mb(rss)}  load ${load()}`,
    );
  }, 2000);
  let stalled = false;
  await Promise.race([
    timeline.done,
    (async () => {
      while (performance.now() - timeline.lastProgress < STALL_MS) await sleep(500);
      stalled = true;
    })(),
  ]);
  const endMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpuBefore);
  lag.disable();
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    fs.writeFileSync(flags['cpu-profile']!, JSON.stringify(profile));
    profiler.disconnect();
  }
  clearInterval(progress);
  const loadAtEnd = load();

  // Folded rather than spread into Math.max: a spread of 100,000 pods' times can overflow the stack.
  const fold = (map: Map<string, number>, pick: (a: number, b: number) => number, from: number) => {
    let out = from;
    for (const at of map.values()) out = pick(out, at);
    return out;
  };
  const lastOf = (map: Map<string, number>) => fold(map, Math.max, 0);
  const firstOf = (map: Map<string, number>) => fold(map, Math.min, Infinity);
  const allCreated = lastOf(timeline.created);
  const allBound = lastOf(timeline.bound);
  const allRunning = lastOf(timeline.running);
  const firstCreated = firstOf(timeline.created);
  const firstBound = firstOf(timeline.bound);
  const startupLatency = [...timeline.running].map(([name, at]) => at - timeline.created.get(name)!);
  const bindRate = timeline.bound.size / ((allBound - firstCreated) / 1000);

  console.log('');
  if (stalled) {
    print(
      'STALLED: no progress for',
      `${secs(STALL_MS)} (created ${timeline.created.size}, bound ${timeline.bound.size}, running ${timeline.running.size})`,
    );
  }
  print(
    `apply ${DEPLOYMENTS} Deployments, total / p50 per apply`,
    `${secs(appliedMs)} / ${percentile(applyLatencies, 50).toFixed(1)} ms`,
  );
  print('first pod created / bound after the first apply', `${secs(firstCreated)} / ${secs(firstBound)}`);
  print(`all ${PODS} pods created`, secs(allCreated));
  print(`all ${PODS} pods scheduled (bound)`, secs(allBound));
  print(`all ${PODS} pods Running`, secs(allRunning));
  print(
    'END TO END pods/s (pods / time to all Running)',
    (timeline.running.size / (allRunning / 1000)).toFixed(0),
  );
  print(
    'scheduler: bindings/s (first create → last bind), peak 1 s',
    `${bindRate.toFixed(0)} / ${peakPerSecond(timeline.bound.values())}`,
  );
  print(
    'pod creation/s (ReplicaSets), peak 1 s',
    `${(timeline.created.size / ((allCreated - firstCreated) / 1000)).toFixed(0)} / ${peakPerSecond(timeline.created.values())}`,
  );
  print(
    'pod startup latency (created → Running), p50 / p99',
    `${secs(percentile(startupLatency, 50))} / ${secs(percentile(startupLatency, 99))}`,
  );
  print('PEAK RSS during the run / whole process', `${mb(memory.windowRss)} / ${mb(memory.peakRss)}`);
  print('peak heap used', mb(memory.peakHeap));
  const { rss, heapTotal, heapUsed, external } = memory.atPeak;
  print(
    'at peak RSS: V8 heap committed / used, external, the rest',
    `${mb(heapTotal)} / ${mb(heapUsed)}, ${mb(external)}, ${mb(rss - heapTotal - external)}`,
  );
  print(
    'CPU during the run (user+system, in cores)',
    `${((cpu.user + cpu.system) / 1000 / endMs).toFixed(2)} (user ${secs(cpu.user / 1000)}, system ${secs(cpu.system / 1000)})`,
  );
  print(
    'event loop delay, p50 / p99 / max',
    `${(lag.percentile(50) / 1e6).toFixed(0)} / ${(lag.percentile(99) / 1e6).toFixed(0)} / ${(lag.max / 1e6).toFixed(0)} ms`,
  );
  const renewEvery = DEFAULT_NODE_AGENT_OPTIONS.leaseRenewIntervalMs;
  print(
    'lease renewals/s during the run, mean / peak 1 s',
    endMs < renewEvery
      ? `n/a (the run was shorter than the ${secs(renewEvery)} renewal interval)`
      : `${(leaseRenewals.length / (endMs / 1000)).toFixed(0)} / ${peakPerSecond(leaseRenewals)} ` +
          `(${NODES} nodes every ${secs(renewEvery)}: ${((NODES * 1000) / renewEvery).toFixed(0)} on average)`,
  );
  print('pod watch events seen', String(timeline.events));
  print('component log lines besides registrations (errors, retries)', String(logCount));
  for (const line of logLines) console.log(`    ${line}`);
  print('load average at the start / end', `${loadAtStart} / ${loadAtEnd}`);

  Object.assign(results, {
    stalled: stalled ? 1 : 0,
    pods_per_s: +(timeline.running.size / (allRunning / 1000)).toFixed(1),
    all_created_s: +(allCreated / 1000).toFixed(2),
    all_scheduled_s: +(allBound / 1000).toFixed(2),
    all_running_s: +(allRunning / 1000).toFixed(2),
    bindings_per_s: +bindRate.toFixed(1),
    peak_rss_mb: Math.round(memory.peakRss / 2 ** 20),
    run_peak_rss_mb: Math.round(memory.windowRss / 2 ** 20),
    cpu_cores: +((cpu.user + cpu.system) / 1000 / endMs).toFixed(2),
    startup_p50_s: +(percentile(startupLatency, 50) / 1000).toFixed(2),
    startup_p99_s: +(percentile(startupLatency, 99) / 1000).toFixed(2),
    loop_delay_p99_ms: Math.round(lag.percentile(99) / 1e6),
    log_lines: logCount,
    load_end: loadAtEnd,
  });
  console.log(`\n${JSON.stringify(results)}`);

  if (flags['heap-snapshot']) {
    console.error(`(heap snapshot: ${v8.writeHeapSnapshot(flags['heap-snapshot'])})`);
  }
  memory.stop();
  await leaseWatch.return();
  await podWatch.return();
  await following;
  const stopping = performance.now();
  const stoppedInTime = await Promise.race([
    observer.close().then(() => cluster.stop().then(() => true)),
    sleep(60_000).then(() => false),
  ]);
  console.error(
    stoppedInTime
      ? `(cluster stopped in ${secs(performance.now() - stopping)})`
      : '(cluster did not stop within 60 s)',
  );
  fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
