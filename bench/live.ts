/**
 * `@live` benchmark: what live queries cost the server, per run and per result sent,
 * and how soon a change reaches the clients. Prints figures, never passes or fails.
 *
 *   npm run bench:live            (10 s phases; about a minute)
 *   npm run bench:live -- --quick (4 s phases)
 *   npm run bench:live -- --only=shared,throttle_0 (the baseline and the phases named)
 *   npm run bench:live -- --no-deflate (clients that do not offer permessage-deflate)
 *
 * The server runs as its own process (`kq server` on a fresh SQLite data directory); this
 * process is the load generator, on the same machine, so both share its cores. Its own
 * CPU is printed so a reader can tell whether the receivers, not the server, were the limit,
 * and so are the rest of the machine's CPU and how long the server's event loop waited for
 * a core: on a machine busy with other work the latencies measure that work too, while the
 * CPU times per run and per result hold.
 *
 * The fixture is written, not reconciled: `kq server` runs no controllers, so this file
 * creates what the Deployment controller and the kubelets would leave behind — the
 * Deployment `web` of 100 replicas, one ReplicaSet it owns and 100 Running pods the
 * ReplicaSet owns (owner references, which the edges `Deployment.replicaSets` and
 * `ReplicaSet.pods` follow), with their statuses. Running controllers instead would add
 * writes of their own at their own pace; this way the only writes during a phase are the
 * benchmark's, the same in every phase and every run.
 *
 * Each phase writes one change per 20 ms (50/s) for N seconds: a JSON merge patch of one
 * pod's label `seq` (the pods in turn), its value the change's number, which the receivers
 * look for in each result's text. Phases:
 *   baseline   the writes alone, no live query held: what they cost without `@live`;
 *   shared     200 identical live queries over 20 connections: one execution serves all;
 *   distinct   200 live queries differing only by an alias: one execution each;
 *   throttle_0 as shared, with `@live(throttle: 0)` instead of the default 50 ms.
 * Server CPU is its process's user + system time (/proc, Linux) over the phase, from the
 * first write until every client has the last change.
 */
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { machineBusyMs, ownCpuMs, processCpuMs, runQueueWaitMs } from './cpu-time.ts';
import { metricsText, metricValue, post, startServer, type Server } from './server-process.ts';
import { percentile, pod } from './workload.ts';
import { subscribeAll } from './ws-subscriptions.ts';

const quick = process.argv.includes('--quick');
const deflate = !process.argv.includes('--no-deflate');
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
const SECONDS = Number(process.env.BENCH_SECONDS) || (quick ? 4 : 10);
const REPLICAS = 100;
const LIVE_QUERIES = 200;
const CONNECTIONS = 20;
const CHANGE_INTERVAL_MS = 20;
const CHANGES = Math.round((SECONDS * 1000) / CHANGE_INTERVAL_MS);
/** How long the last change may take to reach every client before the phase stops waiting. */
const DRAIN_TIMEOUT_MS = 30_000;

const POD_TEMPLATE_HASH = '5d4f8';
const podName = (i: number) => `web-${POD_TEMPLATE_HASH}-${String(i).padStart(3, '0')}`;

const DASHBOARD_SELECTION = `deployment(name: "web") {
    status { replicas readyReplicas availableReplicas updatedReplicas }
    replicaSets { pods { metadata { name labels } status { phase } } }
  }`;
const dashboard = (directive: string, alias = '') =>
  `query Dashboard ${directive} { ${alias}${DASHBOARD_SELECTION} }`;

const PATCH_POD = `mutation($n: String!, $p: JSON!) { patchPod(name: $n, patch: $p) { metadata { resourceVersion } } }`;

// ---------------------------------------------------------------------------------------
// The fixture.

interface Created {
  metadata: { uid: string };
}

const controlledBy = (apiVersion: string, kind: string, name: string, owner: Created) => [
  { apiVersion, kind, name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true },
];

async function createDeployment(server: Server): Promise<void> {
  const labels = { app: 'web' };
  const podLabels = { ...labels, 'pod-template-hash': POD_TEMPLATE_HASH };
  const { spec } = pod('template');
  const { createDeployment: deployment } = await post<{ createDeployment: Created }>(
    server,
    `mutation($d: DeploymentInput!) { createDeployment(deployment: $d) { metadata { uid } } }`,
    {
      d: {
        metadata: { name: 'web', labels },
        spec: {
          replicas: REPLICAS,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec },
        },
      },
    },
  );
  const replicaSetName = `web-${POD_TEMPLATE_HASH}`;
  const { createReplicaSet: replicaSet } = await post<{ createReplicaSet: Created }>(
    server,
    `mutation($r: ReplicaSetInput!) { createReplicaSet(replicaSet: $r) { metadata { uid } } }`,
    {
      r: {
        metadata: {
          name: replicaSetName,
          labels: podLabels,
          ownerReferences: controlledBy('apps/v1', 'Deployment', 'web', deployment),
        },
        spec: {
          replicas: REPLICAS,
          selector: { matchLabels: podLabels },
          template: { metadata: { labels: podLabels }, spec },
        },
      },
    },
  );
  const ownerReferences = controlledBy('apps/v1', 'ReplicaSet', replicaSetName, replicaSet);
  await Promise.all(
    Array.from({ length: REPLICAS }, async (_, i) => {
      const name = podName(i);
      await post(server, `mutation($p: PodInput!) { createPod(pod: $p) { kind } }`, {
        p: { metadata: { name, labels: podLabels, ownerReferences }, spec: { ...spec, nodeName: 'node-1' } },
      });
      await post(
        server,
        `mutation($n: String!, $s: PodStatusInput!) { updatePodStatus(name: $n, status: $s) { kind } }`,
        { n: name, s: { phase: 'Running' } },
      );
    }),
  );
  const ready = { replicas: REPLICAS, readyReplicas: REPLICAS, availableReplicas: REPLICAS };
  await post(
    server,
    `mutation($n: String!, $s: ReplicaSetStatusInput!) { updateReplicaSetStatus(name: $n, status: $s) { kind } }`,
    { n: replicaSetName, s: ready },
  );
  await post(
    server,
    `mutation($s: DeploymentStatusInput!) { updateDeploymentStatus(name: "web", status: $s) { kind } }`,
    { s: { ...ready, updatedReplicas: REPLICAS, observedGeneration: 1 } },
  );
  const { deployment: read } = await post<{
    deployment: { replicaSets: { pods: unknown[] }[] } | null;
  }>(server, dashboard(''));
  const pods = read?.replicaSets.flatMap((rs) => rs.pods).length;
  if (pods !== REPLICAS)
    throw new Error(`the Dashboard query reads ${pods} pods of the fixture, not ${REPLICAS}`);
}

// ---------------------------------------------------------------------------------------
// The writes and what they cost.

let nextChange = 0;

interface Writes {
  /** When each of the phase's changes was sent, in order. */
  sentAt: Float64Array;
  patchMs: number[];
}

/** Open loop: one pod label patch per CHANGE_INTERVAL_MS, whatever the latency. */
async function writeChanges(server: Server): Promise<Writes> {
  const sentAt = new Float64Array(CHANGES);
  const patchMs: number[] = [];
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < CHANGES; i++) {
    const wait = start + i * CHANGE_INTERVAL_MS - performance.now();
    if (wait > 0) await sleep(wait);
    const change = nextChange++;
    sentAt[i] = performance.now();
    pending.push(
      post(server, PATCH_POD, {
        n: podName(change % REPLICAS),
        p: { metadata: { labels: { seq: String(change) } } },
      }).then(() => void patchMs.push(performance.now() - sentAt[i])),
    );
  }
  await Promise.all(pending);
  return { sentAt, patchMs };
}

async function liveQueryRuns(server: Server): Promise<number> {
  return metricValue(await metricsText(server), 'kubeql_live_query_runs_total');
}

interface Measured<T> {
  value: T;
  wallMs: number;
  serverCpuMs: number;
  /** How long the server's event loop was ready to run but had no core. */
  serverWaitMs: number;
  ownCpuMs: number;
  /** What the rest of the machine used meanwhile: other processes take cores from both. */
  othersCpuMs: number;
  runs: number;
}

/** What `work` cost: wall time, CPU of the server, of this process and of the rest, live query runs. */
async function measure<T>(server: Server, work: () => Promise<T>): Promise<Measured<T>> {
  const runs = await liveQueryRuns(server);
  const sample = () => [
    processCpuMs(server.pid),
    runQueueWaitMs(server.pid),
    ownCpuMs(),
    machineBusyMs(),
    performance.now(),
  ];
  const [server0, wait0, own0, machine0, wall0] = sample();
  const value = await work();
  const [server1, wait1, own1, machine1, wall1] = sample();
  return {
    value,
    wallMs: wall1 - wall0,
    serverCpuMs: server1 - server0,
    serverWaitMs: wait1 - wait0,
    ownCpuMs: own1 - own0,
    othersCpuMs: machine1 - machine0 - (server1 - server0) - (own1 - own0),
    runs: (await liveQueryRuns(server)) - runs,
  };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > end) return false;
    await sleep(20);
  }
  return true;
}

// ---------------------------------------------------------------------------------------
// The clients.

const SEQ = '"seq":"';

/**
 * One live query's results as a client receives them: for each change of the phase,
 * when the first result holding it arrived. A result holds every pod's label, so it is
 * scanned for the label's values only, never parsed.
 */
class Receiver {
  readonly receivedAt = new Float64Array(CHANGES).fill(NaN);
  results = 0;
  bytes = 0;

  constructor(private readonly first: number) {}

  onResult(text: string): void {
    const now = performance.now();
    this.results++;
    this.bytes += text.length;
    for (let at = text.indexOf(SEQ); at >= 0; at = text.indexOf(SEQ, at + SEQ.length)) {
      const start = at + SEQ.length;
      const i = Number(text.slice(start, text.indexOf('"', start))) - this.first;
      if (i >= 0 && i < CHANGES && Number.isNaN(this.receivedAt[i])) this.receivedAt[i] = now;
    }
  }

  get hasLastChange(): boolean {
    return !Number.isNaN(this.receivedAt[CHANGES - 1]);
  }
}

interface Figures {
  liveQueries: number;
  measured: Measured<Writes>;
  receivers: Receiver[];
  /** Results the clients received while measured (a result the server replaced by a newer one before sending it is not one). */
  resultsSent: number;
  bytesReceived: number;
  /** The last change did not reach every client within DRAIN_TIMEOUT_MS. */
  drainTimedOut: boolean;
}

/** LIVE_QUERIES live queries (`queryOf(i)`) held over CONNECTIONS connections while the changes are written. */
async function livePhase(server: Server, queryOf: (i: number) => string): Promise<Figures> {
  const receivers = Array.from({ length: LIVE_QUERIES }, () => new Receiver(nextChange));
  let refused: string | undefined;
  const perConnection = LIVE_QUERIES / CONNECTIONS;
  const sockets = await Promise.all(
    Array.from({ length: CONNECTIONS }, (_, c) => {
      const held = Array.from({ length: perConnection }, (_, k) => c * perConnection + k);
      return subscribeAll(
        server,
        held.map(queryOf),
        (index, type, text) => {
          if (type === 'next') receivers[held[index]].onResult(text);
          else refused ??= text.slice(0, 500);
        },
        { deflate },
      );
    }),
  );
  try {
    await until(() => refused !== undefined || receivers.every((r) => r.results > 0), 60_000);
    if (refused) throw new Error(`a live query ended: ${refused}`);
    const liveQueries = metricValue(await metricsText(server), 'kubeql_live_queries');
    for (const receiver of receivers) [receiver.results, receiver.bytes] = [0, 0];
    let drainTimedOut = false;
    const measured = await measure(server, async () => {
      const writes = await writeChanges(server);
      drainTimedOut = !(await until(() => receivers.every((r) => r.hasLastChange), DRAIN_TIMEOUT_MS));
      return writes;
    });
    const resultsSent = receivers.reduce((sum, receiver) => sum + receiver.results, 0);
    const bytesReceived = receivers.reduce((sum, receiver) => sum + receiver.bytes, 0);
    return { liveQueries, measured, receivers, resultsSent, bytesReceived, drainTimedOut };
  } finally {
    for (const ws of sockets) ws.close();
    await until(
      async () => metricValue(await metricsText(server), 'kubeql_live_queries') === 0,
      DRAIN_TIMEOUT_MS,
    );
  }
}

// ---------------------------------------------------------------------------------------
// The report.

/** One column of the report: a phase's figures, NaN where the phase has none (the baseline holds no live query). */
interface Summary {
  name: string;
  liveQueries: number;
  patchP50: number;
  patchP99: number;
  runs: number;
  resultsSent: number;
  resultKiB: number;
  /** Of the phase's changes, how many the client that saw fewest found in a result. */
  fewestChangesSeen: number;
  deliveryP50: number;
  deliveryP99: number;
  deliveryMax: number;
  drainTimedOut: boolean;
  serverCpuMs: number;
  wallMs: number;
  liveCpuMs: number;
  serverWaitMs: number;
  ownCpuMs: number;
  othersCpuMs: number;
}

function summarize(name: string, measured: Measured<Writes>, baselineCpuMs: number, live?: Figures): Summary {
  const { sentAt, patchMs } = measured.value;
  const delivery = (live?.receivers ?? []).flatMap((receiver) =>
    Array.from(receiver.receivedAt, (at, i) => at - sentAt[i]).filter(Number.isFinite),
  );
  const seen = (live?.receivers ?? []).map(
    (receiver) => receiver.receivedAt.filter((at) => !Number.isNaN(at)).length,
  );
  return {
    name,
    liveQueries: live?.liveQueries ?? NaN,
    patchP50: percentile(patchMs, 50),
    patchP99: percentile(patchMs, 99),
    runs: live ? measured.runs : NaN,
    resultsSent: live?.resultsSent ?? NaN,
    resultKiB: live ? live.bytesReceived / live.resultsSent / 1024 : NaN,
    fewestChangesSeen: live ? Math.min(...seen) : NaN,
    deliveryP50: live ? percentile(delivery, 50) : NaN,
    deliveryP99: live ? percentile(delivery, 99) : NaN,
    // Reduced, not spread: a full run holds 100,000 deliveries, too many arguments for Math.max.
    deliveryMax: live ? delivery.reduce((max, ms) => Math.max(max, ms), 0) : NaN,
    drainTimedOut: live?.drainTimedOut ?? false,
    serverCpuMs: measured.serverCpuMs,
    wallMs: measured.wallMs,
    liveCpuMs: live ? measured.serverCpuMs - baselineCpuMs : NaN,
    serverWaitMs: measured.serverWaitMs,
    ownCpuMs: measured.ownCpuMs,
    othersCpuMs: measured.othersCpuMs,
  };
}

const LABEL_WIDTH = 62;
const COLUMN_WIDTH = 16;
/** Tenths below 100, whole numbers above, so that columns stay narrow. */
const fixed = (n: number, digits = Math.abs(n) < 100 ? 1 : 0) =>
  Number.isFinite(n) ? n.toFixed(digits) : '—';
const pair = (a: number, b: number) => (Number.isFinite(a) ? `${fixed(a)} / ${fixed(b)}` : '—');
const percentOfCore = (cpuMs: number, wallMs: number) => `${fixed((100 * cpuMs) / wallMs, 0)} %`;

function printTable(columns: Summary[]): void {
  const row = (label: string, cell: (column: Summary) => string) =>
    console.log(
      `${label.padEnd(LABEL_WIDTH)}${columns.map((column) => cell(column).padStart(COLUMN_WIDTH)).join('')}`,
    );
  row('', (c) => c.name);
  row('live queries held / distinct on the server', (c) =>
    Number.isFinite(c.liveQueries) ? `${LIVE_QUERIES} / ${c.liveQueries}` : '—',
  );
  row('patch latency, p50 / p99 (ms)', (c) => pair(c.patchP50, c.patchP99));
  row('live query runs (per second of writes)', (c) => `${fixed(c.runs, 0)} (${fixed(c.runs / SECONDS, 0)})`);
  row('results sent (as the clients received them)', (c) => fixed(c.resultsSent, 0));
  row('  average size, KiB of JSON before compression', (c) => fixed(c.resultKiB));
  row(`results per client, of ${CHANGES} changes (the throttle coalesces)`, (c) =>
    fixed(c.resultsSent / LIVE_QUERIES),
  );
  row('changes found in a result by the client that saw fewest', (c) => fixed(c.fewestChangesSeen, 0));
  row('delivery, write sent → result received, p50 / p99 (ms)', (c) => pair(c.deliveryP50, c.deliveryP99));
  row('delivery, max (ms)', (c) => fixed(c.deliveryMax, 0) + (c.drainTimedOut ? ' (cut)' : ''));
  row('server CPU over the phase (ms)', (c) => fixed(c.serverCpuMs, 0));
  row('  as a share of one core', (c) => percentOfCore(c.serverCpuMs, c.wallMs));
  row('  above the baseline: the cost of the live queries (ms)', (c) => fixed(c.liveCpuMs, 0));
  row('  per run, above the baseline (ms)', (c) => fixed(c.liveCpuMs / c.runs, 2));
  row('  per result sent, above the baseline (ms)', (c) => fixed(c.liveCpuMs / c.resultsSent, 3));
  row('load generator CPU, share of one core', (c) => percentOfCore(c.ownCpuMs, c.wallMs));
  row('the rest of the machine, share of one core', (c) => percentOfCore(c.othersCpuMs, c.wallMs));
  row("server's event loop ready but without a core, share of the phase", (c) =>
    percentOfCore(c.serverWaitMs, c.wallMs),
  );
}

async function main() {
  const server = await startServer();
  try {
    await createDeployment(server);
    console.log(
      `kubeql @live benchmark (${os.cpus().length} cores, SQLite, ${quick ? 'quick' : 'full'} run): ` +
        `${LIVE_QUERIES} live queries on ${CONNECTIONS} connections over a Deployment of ${REPLICAS} pods, ` +
        `${1000 / CHANGE_INTERVAL_MS} pod changes/s for ${SECONDS} s per phase; ` +
        `clients ${deflate ? 'offer' : 'do not offer'} permessage-deflate; ` +
        `load average ${os.loadavg()[0].toFixed(1)} at the start\n`,
    );
    // Warm-up: the write path's code compiled before the baseline counts it.
    await writeChanges(server);
    const baseline = await measure(server, () => writeChanges(server));
    const columns = [summarize('baseline', baseline, baseline.serverCpuMs)];
    const phases: Array<[string, (i: number) => string]> = [
      ['shared', () => dashboard('@live')],
      ['distinct', (i) => dashboard('@live', `c${i}: `)],
      ['throttle_0', () => dashboard('@live(throttle: 0)')],
    ];
    for (const [name, queryOf] of phases.filter(([name]) => !only || only.split(',').includes(name))) {
      const live = await livePhase(server, queryOf);
      columns.push(summarize(name, live.measured, baseline.serverCpuMs, live));
    }
    printTable(columns);
    const results = Object.fromEntries(
      columns.flatMap(({ name, ...figures }) =>
        Object.entries(figures)
          .filter((entry): entry is [string, number] => Number.isFinite(entry[1]))
          .map(([key, value]) => [`${name}.${key}`, Math.round(value * 1000) / 1000]),
      ),
    );
    console.log(`\n${JSON.stringify(results)}`);
  } finally {
    server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
