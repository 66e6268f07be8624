/**
 * API server benchmark: prints figures, never passes or fails.
 *
 *   npm run bench            (all phases; about two minutes)
 *   npm run bench -- --quick (shorter phases, fewer subscribers)
 *   npm run bench -- --only=writes,reads,watch (some phases)
 *   npm run bench -- --only=watch --subscribers 1000 --rate 100 [--callers] (one fan-out point)
 *
 * The server runs as its own process on a fresh SQLite data directory; this process is
 * the load generator, on the same machine, so both share its cores.
 */
import os from 'node:os';
import { MAX_LIST_LIMIT } from '../schema/list-limits.ts';
import { metricsText, metricValue, post, startServer, type Server } from './server-process.ts';
import { CREATE_POD, percentile, pod } from './workload.ts';
import { watchFanout, type FanoutPoint } from './watch-fanout.ts';

const quick = process.argv.includes('--quick');
const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
const runs = (phase: string) => !only || only.split(',').includes(phase);
const SECONDS = Number(process.env.BENCH_SECONDS) || (quick ? 4 : 10);
const STORED_PODS = 10_000;

const ms = (n: number) => `${n.toFixed(2)} ms`;
const sleep = (n: number) => new Promise((resolve) => setTimeout(resolve, n));

/** A JSON List of Pods, as an SDK client would send it (YAML costs more to parse; see the note). */
function manifests(n: number): string {
  const items = Array.from({ length: n }, () => ({ apiVersion: 'v1', kind: 'Pod', ...pod(nextName('b')) }));
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

let seq = 0;
const nextName = (prefix: string) => `${prefix}-${(seq++).toString(36)}`;

/** Open loop: sends at a fixed rate whatever the latency, as a steady client population would. */
async function fixedRate(server: Server, rate: number, seconds: number) {
  const latencies: number[] = [];
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < rate * seconds; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const sent = performance.now();
    pending.push(
      post(server, CREATE_POD, { ns: 'rate', pod: pod(nextName('r')) }).then(
        () => void latencies.push(performance.now() - sent),
      ),
    );
  }
  await Promise.all(pending);
  return latencies;
}

/** Closed loop: `concurrency` clients each sending their next write as soon as one returns. */
async function saturate(server: Server, concurrency: number, seconds: number, send: () => Promise<number>) {
  let objects = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const written = await send();
        objects += written;
      }
    }),
  );
  return objects / ((performance.now() - start) / 1000);
}

async function timeRepeated(times: number, fn: () => Promise<unknown>) {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return samples;
}

async function main() {
  const server = await startServer();
  const results: Record<string, string | number> = {};
  const print = (label: string, value: string) => {
    console.log(`${label.padEnd(58)} ${value}`);
  };
  for (const ns of ['rate', 'sat', 'bulk', 'read']) {
    await post(server, `mutation($m: String!) { apply(manifests: $m) { kind } }`, {
      m: `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}`,
    });
  }
  console.log(`kubeql API benchmark (${os.cpus().length} cores, SQLite, ${quick ? 'quick' : 'full'} run)\n`);

  if (runs('writes')) await writePhase(server, print, results);
  if (runs('reads')) await readPhase(server, print, results);
  if (runs('watch')) Object.assign(results, await watchFanout(server, fanoutPoints(), SECONDS, print));
  await finish(server, print, results);
}

type Print = (label: string, value: string) => void;
type Results = Record<string, string | number>;

async function writePhase(server: Server, print: Print, results: Results) {
  await fixedRate(server, 50, 1);
  const latencies = await fixedRate(server, 200, SECONDS);
  print(
    'createPod latency at 200 writes/s, p50 / p99',
    `${ms(percentile(latencies, 50))} / ${ms(percentile(latencies, 99))}`,
  );
  results.mutation_p50_ms = percentile(latencies, 50);
  results.mutation_p99_ms = percentile(latencies, 99);

  const single = await saturate(server, 64, SECONDS, async () => {
    await post(server, CREATE_POD, { ns: 'sat', pod: pod(nextName('s')) });
    return 1;
  });
  print('max sustained writes/s, one createPod per request (64 clients)', single.toFixed(0));
  results.writes_per_s_single = Math.round(single);

  const bulk = await saturate(server, 8, SECONDS, async () => {
    await post(server, `mutation($m: String!) { apply(manifests: $m, namespace: "bulk") { kind } }`, {
      m: manifests(50),
    });
    return 50;
  });
  print('max sustained writes/s, apply of 50 manifests (8 clients)', bulk.toFixed(0));
  results.writes_per_s_bulk = Math.round(bulk);
}

async function readPhase(server: Server, print: Print, results: Results) {
  for (let have = 0; have < STORED_PODS; have += 100) {
    await post(server, `mutation($m: String!) { apply(manifests: $m, namespace: "read") { kind } }`, {
      m: manifests(Math.min(100, STORED_PODS - have)),
    });
  }
  const some = (
    await post<{ pods: { items: { metadata: { name: string } }[] } }>(
      server,
      `{ pods(namespace: "read", limit: 200) { items { metadata { name } } } }`,
    )
  ).pods.items.map((p) => p.metadata.name);
  const gets = await timeRepeated(500, () =>
    post(
      server,
      `query($n: String!) { pod(namespace: "read", name: $n) { metadata { name resourceVersion } spec { nodeName } } }`,
      { n: some[Math.floor(Math.random() * some.length)] },
    ),
  );
  print(
    `get pod latency with ${STORED_PODS} pods in the namespace, p50 / p99`,
    `${ms(percentile(gets, 50))} / ${ms(percentile(gets, 99))}`,
  );
  const pages = await timeRepeated(50, () =>
    post(
      server,
      `{ pods(namespace: "read", limit: 500) { items { metadata { name resourceVersion } } metadata { continue } } }`,
    ),
  );
  print('list 500 pods (one page), p50 / p99', `${ms(percentile(pages, 50))} / ${ms(percentile(pages, 99))}`);
  const full = await timeRepeated(10, () =>
    listAll(server, '"read"', 'metadata { name resourceVersion labels } status { phase }'),
  );
  print(
    `list all ${STORED_PODS} pods (names, labels, phase; pages of ${MAX_LIST_LIMIT}), p50 / p99`,
    `${ms(percentile(full, 50))} / ${ms(percentile(full, 99))}`,
  );
  const selected = await timeRepeated(20, () =>
    listAll(server, '"read", labelSelector: "shard in (3)"', 'metadata { name }'),
  );
  print(
    `list with a label selector over ${STORED_PODS} pods (every page), p50 / p99`,
    `${ms(percentile(selected, 50))} / ${ms(percentile(selected, 99))}`,
  );
  Object.assign(results, {
    get_p50_ms: percentile(gets, 50),
    get_p99_ms: percentile(gets, 99),
    list_page_p50_ms: percentile(pages, 50),
    list_all_p50_ms: percentile(full, 50),
  });
}

/**
 * Every pod a selection lists, page by page at the largest page the server gives: a
 * list without `limit` answers one default page only (schema/list-limits.ts).
 */
async function listAll(server: Server, selection: string, fields: string): Promise<number> {
  type Page = { pods: { items: unknown[]; metadata: { continue: string | null } } };
  let count = 0;
  let token: string | null = null;
  do {
    const page: Page = await post<Page>(
      server,
      `query($c: String) { pods(namespace: ${selection}, limit: ${MAX_LIST_LIMIT}, continue: $c) { items { ${fields} } metadata { continue } } }`,
      { c: token },
    );
    count += page.pods.items.length;
    token = page.pods.metadata.continue;
  } while (token);
  return count;
}

/**
 * The watch fan-out points: by default 200 × 100, 1,000 × 20, 1,000 × 100 (also with
 * every subscriber its own caller) and 5,000 × 20 (subscribers × writes/s); one point
 * alone with `--subscribers N --rate R` (and `--callers` for a caller each).
 */
function fanoutPoints(): FanoutPoint[] {
  const subscribers = Number(option('subscribers'));
  const rate = Number(option('rate'));
  if (subscribers && rate)
    return [{ subscribers, rate, separateCallers: process.argv.includes('--callers') }];
  if (quick)
    return [
      { subscribers: 200, rate: 100 },
      { subscribers: 200, rate: 100, separateCallers: true },
    ];
  return [
    { subscribers: 200, rate: 100 },
    { subscribers: 1000, rate: 20 },
    { subscribers: 1000, rate: 100 },
    { subscribers: 1000, rate: 100, separateCallers: true },
    { subscribers: 5000, rate: 20 },
  ];
}

/** `--name value` or `--name=value`. */
function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  if (at >= 0) return process.argv[at + 1];
  return process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

async function finish(server: Server, print: Print, results: Results) {
  const rss = metricValue(await metricsText(server), 'process_resident_memory_bytes') / 2 ** 20;
  print('API server RSS at the end', `${rss.toFixed(0)} MB`);
  results.server_rss_mb = Math.round(rss);
  console.log(`\n${JSON.stringify(results)}`);
  server.stop();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
