/**
 * Hostile-load benchmark: prints figures, never passes or fails.
 *
 *   npm run bench:hostile            (about a minute)
 *   npm run bench:hostile -- --quick (shorter phases, fewer hostile clients)
 *
 * Three processes on one machine: the API server (this file with --serve: startServer
 * in-process, measuring its own event-loop delay and resident memory), the hostile mix
 * (this file with --hostile: the fuzz suite's generator, every family, closed loop, as
 * fast as it goes) and this one, which sends the normal write load of bench/api.ts
 * (createPod at 200 writes/s, open loop) and reports. The write load runs once alone
 * and once beside the hostile mix; targets: loop delay p99 ≤ 100 ms, RSS ≤ 2× idle.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { SERVER_ALLOCATOR_ENV } from '../cmd/tuned-process.ts';
import { KINDS } from '../schema/kinds/index.ts';
import { startServer } from '../server/server.ts';
import { Random } from '../test/support/fuzz/random.ts';
import { FAMILIES, prepare, type FuzzContext } from '../test/support/fuzz/runner.ts';
import { CREATE_POD, percentile, pod, postGraphQL } from './workload.ts';

const quick = process.argv.includes('--quick');
const SECONDS = Number(process.env.BENCH_SECONDS) || (quick ? 5 : 15);
const WRITE_RATE = 200;
const HOSTILE_CLIENTS = quick ? 4 : 8;
const LOOP_TARGET_MS = 100;

/** What the server process reports about itself. */
interface ServerStats {
  loopP50: number;
  loopP99: number;
  loopMax: number;
  rss: number;
  peakRss: number;
  /** What the peak was made of: V8's committed and used heap, memory outside it that V8 tracks. */
  atPeak: NodeJS.MemoryUsage;
  /** The objects the store holds and its event log, in bytes of JSON: data, not overhead. */
  objectBytes: number;
  logBytes: number;
}

type HostileReport = {
  type: 'done';
  cases: number;
  byFamily: Record<string, number>;
  violations: Record<string, number>;
};

// ---------------------------------------------------------------------------------------
// The server process.

async function serve(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-hostile-'));
  const server = await startServer({ port: 0, address: '127.0.0.1', dataDir, log: () => {} });
  const token = fs.readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim();
  const { store } = server.resources;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let atPeak = process.memoryUsage();
  // Sampled often enough to catch a burst that the garbage collector gives back soon after.
  const sample = () => {
    if (process.memoryUsage.rss() > atPeak.rss) atPeak = process.memoryUsage();
  };
  const sampler = setInterval(sample, 25);
  sampler.unref();
  process.on('message', (message: { type: string }) => {
    if (message.type === 'reset') {
      loop.reset();
      atPeak = process.memoryUsage();
    } else if (message.type === 'stats') {
      const stats: ServerStats = {
        loopP50: loop.percentile(50) / 1e6,
        loopP99: loop.percentile(99) / 1e6,
        loopMax: loop.max / 1e6,
        rss: process.memoryUsage.rss(),
        peakRss: (sample(), atPeak.rss),
        atPeak,
        objectBytes: KINDS.reduce(
          (sum, { kind }) =>
            sum +
            [...store.objects.ofKind(kind).values()].reduce(
              (bytes, obj) => bytes + JSON.stringify(obj).length,
              0,
            ),
          0,
        ),
        logBytes: store.log.bytes,
      };
      process.send!({ type: 'stats', ...stats });
    } else if (message.type === 'stop') {
      clearInterval(sampler);
      void server.close().finally(() => {
        fs.rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      });
    }
  });
  process.send!({ type: 'ready', url: server.url, token });
}

/** What a process's peak RSS was made of: what V8 holds, and what it does not (native memory). */
function breakdown({ atPeak, peakRss }: ServerStats): string {
  const { heapTotal, heapUsed, external, arrayBuffers } = atPeak;
  return `${mb(heapTotal)} / ${mb(heapUsed)}, ${mb(external)} (${mb(arrayBuffers)}), ${mb(peakRss - heapTotal - external)}`;
}

// ---------------------------------------------------------------------------------------
// The hostile process: every fuzz family, back to back, on HOSTILE_CLIENTS connections at once.

async function hostile(): Promise<void> {
  const [url, token, seedText, clientsText] = process.argv.slice(process.argv.indexOf('--hostile') + 1);
  const seed = Number(seedText);
  const ctx: FuzzContext = { target: { url, token }, seed, stallMs: 10_000, namespace: 'fuzz' };
  const families = Object.values(FAMILIES);
  let running = true;
  let go: () => void = () => {};
  const started = new Promise<void>((resolve) => (go = resolve));
  process.on('message', (message: { type: string }) => {
    if (message.type === 'go') go();
    if (message.type === 'stop') running = false;
  });
  // Loaded (the schema read, the generators compiled): the clock may start.
  process.send!({ type: 'ready' });
  await started;
  const byFamily: Record<string, number> = {};
  const violations: Record<string, number> = {};
  let cases = 0;
  const clients = Number(clientsText);
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = client; running; i += clients) {
        const family = families[i % families.length];
        try {
          const outcome = await family.run(Random.forCase(seed, family.name, i), i, ctx, () => {});
          for (const v of outcome.violations) violations[v.invariant] = (violations[v.invariant] ?? 0) + 1;
        } catch {
          violations['client error'] = (violations['client error'] ?? 0) + 1;
        }
        cases++;
        byFamily[family.name] = (byFamily[family.name] ?? 0) + 1;
      }
    }),
  );
  await ctx.ws?.end();
  process.send!({ type: 'done', cases, byFamily, violations } satisfies HostileReport);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------
// The write load: bench/api.ts' createPod (same pod, same mutation, bench/workload.ts) at a
// fixed rate.

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** One GraphQL request that must succeed: its errors reject. */
async function post(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<void> {
  const { body } = await postGraphQL(agent, url, token, { query, variables });
  const result = JSON.parse(body.toString()) as { errors?: unknown[] };
  if (result.errors) throw new Error(JSON.stringify(result.errors[0]));
}

let seq = 0;

/** Open loop: sends at a fixed rate whatever the latency; returns each write's latency (failures as errors). */
async function fixedRate(url: string, token: string, rate: number, seconds: number) {
  const latencies: number[] = [];
  let errors = 0;
  const why = new Map<string, number>();
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < rate * seconds; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    const sent = performance.now();
    pending.push(
      post(url, token, CREATE_POD, { ns: 'rate', pod: pod(`r-${(seq++).toString(36)}`) }).then(
        () => void latencies.push(performance.now() - sent),
        (error: Error) => {
          errors++;
          const code = /"code":"(\w+)"/.exec(error.message)?.[1] ?? error.message.slice(0, 40);
          why.set(code, (why.get(code) ?? 0) + 1);
        },
      ),
    );
  }
  await Promise.all(pending);
  const failed = [...why].map(([code, n]) => `${n} ${code}`).join(', ');
  return { latencies, errors, failed };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const msText = (n: number) => `${n.toFixed(1)} ms`;

// ---------------------------------------------------------------------------------------
// The report.

function child(role: string, args: string[] = []): ChildProcess {
  return fork(fileURLToPath(import.meta.url), [role, ...args], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // The server's allocator as `kq up` sets it (cmd/tuned-process.ts).
    env: role === '--serve' ? { ...process.env, ...SERVER_ALLOCATOR_ENV } : process.env,
  });
}

function nextMessage<T>(proc: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      proc.off('message', onMessage);
      resolve(message as T);
    };
    proc.on('message', onMessage);
    proc.once('exit', (code) => reject(new Error(`${type}: the process exited with ${code}`)));
  });
}

async function main(): Promise<void> {
  const server = child('--serve');
  const { url, token } = await nextMessage<{ url: string; token: string }>(server, 'ready');
  const stats = async () => {
    const reply = nextMessage<ServerStats>(server, 'stats');
    server.send({ type: 'stats' });
    return reply;
  };
  const print = (label: string, value: string) => console.log(`${label.padEnd(62)} ${value}`);
  console.log(
    `kubeql hostile benchmark (${os.cpus().length} cores, ${quick ? 'quick' : 'full'} run: ${SECONDS} s phases, ` +
      `${WRITE_RATE} writes/s, ${HOSTILE_CLIENTS} hostile clients; server allocator as kq up sets it: ` +
      `${Object.entries(SERVER_ALLOCATOR_ENV).map(([name, value]) => `${name}=${value}`)})\n`,
  );

  const seed = Number(process.env.KQ_FUZZ_SEED) || Date.now() >>> 0;
  await prepare({ target: { url, token }, seed, stallMs: 10_000, namespace: 'fuzz' });
  await post(url, token, `mutation($m: String!) { apply(manifests: $m) { kind } }`, {
    m: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: rate',
  });
  // Warm up (JIT, the store's statements), then let the server settle before calling it idle.
  await fixedRate(url, token, 50, 1);
  await sleep(2000);
  server.send({ type: 'reset' });
  await sleep(2000);
  const idle = await stats();
  print('idle: event-loop delay p99 / RSS', `${msText(idle.loopP99)} / ${mb(idle.rss)}`);
  print('  V8 heap committed / used, external (buffers), the rest', breakdown(idle));

  server.send({ type: 'reset' });
  const alone = await fixedRate(url, token, WRITE_RATE, SECONDS);
  const aloneStats = await stats();
  print(
    `writes alone (${WRITE_RATE}/s): createPod p50 / p99`,
    `${msText(percentile(alone.latencies, 50))} / ${msText(percentile(alone.latencies, 99))}` +
      (alone.errors ? ` (failed: ${alone.failed})` : ''),
  );
  print(
    '  event-loop delay p50 / p99 / max',
    `${msText(aloneStats.loopP50)} / ${msText(aloneStats.loopP99)} / ${msText(aloneStats.loopMax)}`,
  );
  print('  peak RSS', mb(aloneStats.peakRss));

  await sleep(1000);
  server.send({ type: 'reset' });
  const mix = child('--hostile', [url, token, String(seed), String(HOSTILE_CLIENTS)]);
  await nextMessage(mix, 'ready');
  const report = nextMessage<HostileReport>(mix, 'done');
  mix.send({ type: 'go' });
  await sleep(500);
  const started = performance.now();
  const beside = await fixedRate(url, token, WRITE_RATE, SECONDS);
  mix.send({ type: 'stop' });
  const hostileStats = await stats();
  const done = await report;
  const hostileSeconds = (performance.now() - started) / 1000;
  print(
    `writes beside the hostile mix: createPod p50 / p99`,
    `${msText(percentile(beside.latencies, 50))} / ${msText(percentile(beside.latencies, 99))}` +
      (beside.errors ? ` (failed: ${beside.failed})` : ''),
  );
  print(
    '  write p99 against writes alone',
    `${(percentile(beside.latencies, 99) / percentile(alone.latencies, 99)).toFixed(1)}×`,
  );
  print(
    '  event-loop delay p50 / p99 / max',
    `${msText(hostileStats.loopP50)} / ${msText(hostileStats.loopP99)} / ${msText(hostileStats.loopMax)}`,
  );
  print('  peak RSS', `${mb(hostileStats.peakRss)} (${(hostileStats.peakRss / idle.rss).toFixed(2)}× idle)`);
  print('  at peak: V8 heap committed / used, external (buffers), the rest', breakdown(hostileStats));
  print('  RSS at the end of the phase', mb(hostileStats.rss));
  print(
    '  data stored then: objects / event log (JSON)',
    `${mb(hostileStats.objectBytes)} / ${mb(hostileStats.logBytes)} (idle: ${mb(idle.objectBytes)} / ${mb(idle.logBytes)})`,
  );
  print(
    '  hostile cases sent',
    `${done.cases} (${(done.cases / hostileSeconds).toFixed(0)}/s, seed ${seed}): ` +
      Object.entries(done.byFamily)
        .map(([family, n]) => `${family} ${n}`)
        .join(', '),
  );
  const seen = Object.entries(done.violations);
  print(
    '  invariant violations the mix saw (see the fuzz suite)',
    seen.length ? seen.map(([name, n]) => `${name} ${n}`).join(', ') : 'none',
  );

  console.log('\ntargets (figures, not pass/fail):');
  const loopOk = hostileStats.loopP99 <= LOOP_TARGET_MS;
  const rssOk = hostileStats.peakRss <= 2 * idle.rss;
  print(
    `  event-loop delay p99 under the hostile mix ≤ ${LOOP_TARGET_MS} ms`,
    `${msText(hostileStats.loopP99)}: ${loopOk ? 'met' : 'MISSED'}`,
  );
  print(
    '  peak RSS under the hostile mix ≤ 2× idle',
    `${(hostileStats.peakRss / idle.rss).toFixed(2)}×: ${rssOk ? 'met' : 'MISSED'}`,
  );
  console.log(
    `\n${JSON.stringify({
      idle_rss_mb: Math.round(idle.rss / 2 ** 20),
      alone_write_p99_ms: percentile(alone.latencies, 99),
      alone_loop_p99_ms: aloneStats.loopP99,
      hostile_write_p99_ms: percentile(beside.latencies, 99),
      hostile_loop_p99_ms: hostileStats.loopP99,
      hostile_loop_max_ms: hostileStats.loopMax,
      hostile_peak_rss_mb: Math.round(hostileStats.peakRss / 2 ** 20),
      hostile_cases: done.cases,
    })}`,
  );
  server.send({ type: 'stop' });
  agent.destroy();
}

const role = process.argv.includes('--serve') ? serve : process.argv.includes('--hostile') ? hostile : main;
role().catch((error) => {
  console.error(error);
  process.exit(1);
});
