/**
 * REST-versus-GraphQL benchmark: the Kubernetes REST API and GraphQL, served by the same
 * process over the same store, compared in one run. Prints figures, never passes or fails:
 * machines are noisy, so both sides come from the same run and a reader compares ratios.
 *
 *   npm run bench:rest            (10,000 pods in the large list; about two minutes)
 *   npm run bench:rest -- --quick (fewer runs, 1,000 pods in the large list; under a minute)
 *   npm run bench:rest -- --no-deflate (the subscriber does not offer permessage-deflate)
 *
 * The server runs as its own process (`kq server --tls` on a fresh SQLite data directory:
 * kubectl sends its bearer token over TLS only, so every request of both surfaces goes over
 * HTTPS); this process is the load generator, on the same machine. Sections:
 *   1. `kubectl get pods` and `kq get pods` of 1,000 pods, and the raw paged lists under them;
 *   2. `kubectl apply -f DIR` and `kq apply -f DIR` of 100 manifests, then again unchanged;
 *   3. a REST watch and a GraphQL subscription held together while pods' labels change;
 *   4. the lists of 10,000 pods, seeded half through each API (create throughput).
 * `kq server` runs no controllers: pods stay Pending and Deployments make no pods, which
 * leaves only the benchmark's own writes in the store.
 */
import os from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { machineBusyMs, ownCpuMs, processCpuMs } from './cpu-time.ts';
import { kqFor, kubectlFor, manifestDirectory, type Cli, type CliRun } from './rest-clis.ts';
import { fixed, kib, pair, printCosts, printSections, type Row, type Section } from './rest-report.ts';
import {
  exchange,
  graphqlCreatePod,
  graphqlList,
  inParallel,
  itemsOf,
  PAGE,
  restCreatePod,
  restList,
  type ListRead,
} from './rest-requests.ts';
import { watchDelivery } from './rest-watch.ts';
import { withCost } from './section-cost.ts';
import { startServer, type Server } from './server-process.ts';
import { percentile } from './workload.ts';

const quick = process.argv.includes('--quick');
const deflate = !process.argv.includes('--no-deflate');
const LIST_RUNS = quick ? 10 : 30;
const CLI_RUNS = quick ? 3 : 10;
const SMALL_LIST = 1_000;
const LARGE_LIST = quick ? 1_000 : 10_000;
const MANIFESTS = 100;
const WATCHED_PODS = 100;
const WATCH_SECONDS = quick ? 4 : 10;
const CREATE_CONCURRENCY = 32;

const ratio = (graphql: number, rest: number) => graphql / rest;
const median = (samples: number[]) => percentile(samples, 50);
const podName = (prefix: string, i: number) => `${prefix}-${String(i).padStart(5, '0')}`;

async function createNamespace(server: Server, name: string): Promise<void> {
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const answer = await exchange(server, 'POST', '/api/v1/namespaces', { body });
  if (answer.status !== 201) throw new Error(`namespace ${name}: ${answer.body.toString().slice(0, 300)}`);
}

/** `work`'s result and the server's CPU time (ms) while it ran: one clock tick's resolution, so summed over many. */
async function serverCpu<T>(server: Server, work: () => Promise<T>): Promise<[T, number]> {
  const before = processCpuMs(server.pid);
  const value = await work();
  return [value, processCpuMs(server.pid) - before];
}

/** Half the pods through REST's POST, half through GraphQL's createPod, one API after the other. */
async function seed(server: Server, namespace: string, count: number): Promise<Row[]> {
  const half = count / 2;
  const [restMs, restCpu] = await serverCpu(server, () =>
    inParallel(half, CREATE_CONCURRENCY, (i) => restCreatePod(server, namespace, podName('rest', i))),
  );
  const [graphqlMs, graphqlCpu] = await serverCpu(server, () =>
    inParallel(half, CREATE_CONCURRENCY, (i) => graphqlCreatePod(server, namespace, podName('gql', i))),
  );
  const cell = (ms: number) => `${fixed(ms / 1000)} s (${fixed((half * 1000) / ms, 0)}/s)`;
  return [
    {
      label: `seeding: ${half.toLocaleString('en')} creates each, ${CREATE_CONCURRENCY} in flight`,
      rest: cell(restMs),
      graphql: cell(graphqlMs),
      ratio: ratio(graphqlMs, restMs),
    },
    {
      label: '  server CPU per create (ms)',
      rest: fixed(restCpu / half, 2),
      graphql: fixed(graphqlCpu / half, 2),
      ratio: ratio(graphqlCpu, restCpu),
    },
  ];
}

/** Both lists read once in full, parsed: each holds `count` pods, and the same objects (key order aside). */
async function checkLists(server: Server, namespace: string, count: number): Promise<string> {
  const collect = async (read: typeof restList) => {
    const items: unknown[] = [];
    await read(server, namespace, { onPage: (text) => items.push(...itemsOf(text)) });
    return items;
  };
  const rest = await collect(restList);
  const graphql = await collect(graphqlList);
  if (rest.length !== count || graphql.length !== count)
    throw new Error(`expected ${count} pods, REST listed ${rest.length} and GraphQL ${graphql.length}`);
  const differing = rest.filter((item, i) => !isDeepStrictEqual(item, graphql[i]));
  return `${count - differing.length} of ${count}`;
}

/** The paged lists timed in turns (REST, GraphQL, …) so that both meet the same noise. */
async function compareLists(server: Server, namespace: string, count: number): Promise<Row[]> {
  const same = await checkLists(server, namespace, count);
  const rest: ListRead[] = [];
  const graphql: ListRead[] = [];
  let [restCpu, graphqlCpu] = [0, 0];
  for (let run = -2; run < LIST_RUNS; run++) {
    const [r, rCpu] = await serverCpu(server, () => restList(server, namespace));
    const [g, gCpu] = await serverCpu(server, () => graphqlList(server, namespace));
    if (run < 0) continue;
    rest.push(r);
    graphql.push(g);
    restCpu += rCpu;
    graphqlCpu += gCpu;
  }
  const ms = (reads: ListRead[]) => reads.map((read) => read.ms);
  const [restGzip, graphqlGzip] = [
    await restList(server, namespace, { gzip: true }),
    await graphqlList(server, namespace, { gzip: true }),
  ];
  const gzipCell = (read: ListRead) =>
    read.encoding === 'gzip' ? kib(read.wireBytes) : `not served (${kib(read.wireBytes)})`;
  return [
    { label: 'objects identical on both surfaces', rest: same, graphql: same },
    {
      label: `list, ${rest[0].pages} pages of ${PAGE}, p50 / p99 of ${LIST_RUNS} (ms)`,
      rest: pair(percentile(ms(rest), 50), percentile(ms(rest), 99)),
      graphql: pair(percentile(ms(graphql), 50), percentile(ms(graphql), 99)),
      ratio: ratio(median(ms(graphql)), median(ms(rest))),
    },
    {
      label: '  server CPU per list (ms)',
      rest: fixed(restCpu / LIST_RUNS),
      graphql: fixed(graphqlCpu / LIST_RUNS),
      ratio: ratio(graphqlCpu, restCpu),
    },
    {
      label: 'response bytes, uncompressed (all pages)',
      rest: kib(rest[0].bytes),
      graphql: kib(graphql[0].bytes),
      ratio: ratio(graphql[0].bytes, rest[0].bytes),
    },
    {
      label: 'response bytes, Accept-Encoding: gzip',
      rest: gzipCell(restGzip),
      graphql: gzipCell(graphqlGzip),
      ratio: ratio(graphqlGzip.wireBytes, restGzip.wireBytes),
    },
  ];
}

/** A command's wall times over CLI_RUNS runs after one to warm up (kubectl's discovery cache). */
interface CliTimes {
  ms: number[];
  /** Lines of the warm-up run's output. */
  lines: number;
  failed?: CliRun;
}

function cliCell(times: CliTimes | undefined, expectedLines?: number): string {
  if (!times) return 'no kubectl';
  if (times.failed) return `failed (exit ${times.failed.code})`;
  const cell = `${fixed(median(times.ms), 0)} (min ${fixed(Math.min(...times.ms), 0)})`;
  return expectedLines === undefined || times.lines === expectedLines
    ? cell
    : `${cell}, ${times.lines} lines!`;
}

/**
 * The same arguments to kubectl and kq in turns, so that both meet the same noise;
 * `expectedLines`, when given, is what each must print (a header and a line an object).
 */
async function compareRuns(
  kubectl: Cli | undefined,
  kq: Cli,
  args: string[],
  label: string,
  expectedLines?: number,
): Promise<Row> {
  const clis = [kubectl, kq];
  const times: Array<CliTimes | undefined> = clis.map((cli) => cli && { ms: [], lines: 0 });
  for (let run = -1; run < CLI_RUNS; run++) {
    for (const [i, cli] of clis.entries()) {
      const figures = times[i];
      if (!cli || !figures || figures.failed) continue;
      const result = await cli(args);
      if (result.code !== 0) figures.failed = result;
      else if (run < 0) figures.lines = result.stdout.trimEnd().split('\n').length;
      else figures.ms.push(result.ms);
    }
  }
  for (const figures of times) if (figures?.failed) console.warn(figures.failed.stderr.slice(0, 1000));
  const [kubectlTimes, kqTimes] = times;
  return {
    label: `${label}, wall, median of ${CLI_RUNS} (ms)`,
    rest: cliCell(kubectlTimes, expectedLines),
    graphql: cliCell(kqTimes, expectedLines),
    ratio: kubectlTimes && kqTimes ? ratio(median(kqTimes.ms), median(kubectlTimes.ms)) : undefined,
  };
}

/** `apply -f DIR` into a namespace of each CLI's own: the first run creates, the second finds nothing to change. */
async function compareApplies(server: Server, kubectl: Cli | undefined, kq: Cli): Promise<Row[]> {
  const dir = manifestDirectory(MANIFESTS);
  const namespaces = ['apply-kubectl', 'apply-kq'];
  for (const namespace of namespaces) await createNamespace(server, namespace);
  const applyOnce = async (cli: Cli | undefined, namespace: string) => {
    if (!cli) return undefined;
    const result = await cli(['apply', '-f', dir, '-n', namespace]);
    if (result.code !== 0) console.warn(result.stderr.slice(0, 1000));
    return result;
  };
  const cell = (run: CliRun | undefined) =>
    !run ? 'no kubectl' : run.code !== 0 ? `failed (exit ${run.code})` : fixed(run.ms, 0);
  const rows: Row[] = [];
  for (const label of ['creating', 'again, unchanged']) {
    const kubectlRun = await applyOnce(kubectl, namespaces[0]);
    const kqRun = await applyOnce(kq, namespaces[1]);
    rows.push({
      label: `apply -f of ${MANIFESTS} manifests, ${label}, wall (ms)`,
      rest: cell(kubectlRun),
      graphql: cell(kqRun),
      ratio: kubectlRun?.code === 0 && kqRun?.code === 0 ? ratio(kqRun.ms, kubectlRun.ms) : undefined,
    });
  }
  return rows;
}

async function compareWatches(server: Server): Promise<Row[]> {
  const namespace = 'watched';
  await createNamespace(server, namespace);
  const pods = Array.from({ length: WATCHED_PODS }, (_, i) => podName('watched', i));
  await inParallel(pods.length, CREATE_CONCURRENCY, (i) => graphqlCreatePod(server, namespace, pods[i]));
  const figures = await watchDelivery(server, namespace, pods, { seconds: WATCH_SECONDS, deflate });
  if (figures.failure) console.warn(`\n!!! ${figures.failure} !!!\n`);
  const { rest, graphql } = figures;
  const p = (samples: number[], n: number) => percentile(samples, n);
  const patch = `${pair(p(figures.patchMs, 50), p(figures.patchMs, 99))} ms`;
  return [
    {
      label: `changes delivered, of ${figures.changes} (${figures.changes / figures.seconds}/s)`,
      rest: String(rest.delivered),
      graphql: String(graphql.delivered),
    },
    {
      label: 'write acknowledged → event received, p50 / p99 (ms)',
      rest: pair(p(rest.fromAck, 50), p(rest.fromAck, 99)),
      graphql: pair(p(graphql.fromAck, 50), p(graphql.fromAck, 99)),
      ratio: ratio(p(graphql.fromAck, 99), p(rest.fromAck, 99)),
    },
    {
      label: 'write sent → event received, p50 / p99 (ms)',
      rest: pair(p(rest.fromSent, 50), p(rest.fromSent, 99)),
      graphql: pair(p(graphql.fromSent, 50), p(graphql.fromSent, 99)),
      ratio: ratio(p(graphql.fromSent, 99), p(rest.fromSent, 99)),
    },
    {
      label: 'event size as the client reads it, before compression',
      rest: kib(rest.eventBytes),
      graphql: kib(graphql.eventBytes),
      ratio: ratio(graphql.eventBytes, rest.eventBytes),
    },
    { label: `the writes (GraphQL patchPod), p50 / p99`, rest: patch, graphql: patch },
  ];
}

async function section(server: Server, title: string, rows: () => Promise<Row[]>): Promise<Section> {
  const [made, cost] = await withCost(server.pid, rows);
  return { title, rows: made, cost };
}

async function main() {
  const server = await startServer({ tls: true });
  const machineStart = machineBusyMs();
  const ownStart = ownCpuMs();
  const wallStart = performance.now();
  try {
    const kubectl = await kubectlFor(server);
    const kq = kqFor(server);
    console.log(
      `kubeql REST-versus-GraphQL benchmark (${os.cpus().length} cores, SQLite, HTTPS, ` +
        `${quick ? 'quick' : 'full'} run; the subscriber ${deflate ? 'offers' : 'does not offer'} ` +
        `permessage-deflate); load average ${os.loadavg()[0].toFixed(1)} at the start\n`,
    );
    const sections: Section[] = [];
    sections.push(
      await section(server, `1. ${SMALL_LIST.toLocaleString('en')} pods in one namespace`, async () => {
        await createNamespace(server, 'small');
        const seeded = await seed(server, 'small', SMALL_LIST);
        // Starting each client, with no request: what the get's wall time holds besides the list.
        const start = await compareRuns(kubectl, kq, ['version', '--client'], 'the client starting alone');
        const get = await compareRuns(
          kubectl,
          kq,
          ['get', 'pods', '-n', 'small'],
          `get pods (${SMALL_LIST.toLocaleString('en')})`,
          SMALL_LIST + 1,
        );
        return [...seeded, start, get, ...(await compareLists(server, 'small', SMALL_LIST))];
      }),
    );
    sections.push(
      await section(server, `2. apply -f of ${MANIFESTS} ConfigMaps and Deployments`, () =>
        compareApplies(server, kubectl, kq),
      ),
    );
    sections.push(
      await section(
        server,
        `3. watch delivery: REST watch and GraphQL subscription held together, ${WATCHED_PODS} pods`,
        () => compareWatches(server),
      ),
    );
    sections.push(
      await section(server, `4. ${LARGE_LIST.toLocaleString('en')} pods in one namespace`, async () => {
        await createNamespace(server, 'large');
        const seeded = await seed(server, 'large', LARGE_LIST);
        return [...seeded, ...(await compareLists(server, 'large', LARGE_LIST))];
      }),
    );
    printSections(sections);
    printCosts(sections);
    const wallMs = performance.now() - wallStart;
    console.log(
      `\nwhole run: ${fixed(wallMs / 1000)} s; the machine busy ${fixed((machineBusyMs() - machineStart) / wallMs, 2)} ` +
        `cores on average (of ${os.cpus().length}); this process ${fixed((100 * (ownCpuMs() - ownStart)) / wallMs, 0)} % of one core`,
    );
  } finally {
    server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
