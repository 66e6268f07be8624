import { performance } from 'node:perf_hooks';
import { checkHealth, checkPrototypes, preview, prototypeSnapshot, type Violation } from './invariants.ts';
import { Random } from './random.ts';
import type { CaseOutcome, Family, FuzzContext } from './cases.ts';
import { HTTP_FAMILIES } from './families-http.ts';
import { checkWsHealth, WS_FAMILIES } from './families-ws.ts';

export { prepare, type CaseOutcome, type Family, type FuzzContext } from './cases.ts';

/**
 * Runs the fuzz families (families-http.ts, families-ws.ts) for the suite
 * (test/integration/fuzz-*.test.ts) and the hostile benchmark alike: each case generated
 * from (seed, family, index), its answers checked against the invariants, and the
 * server's health, the prototypes and memory checked after every batch.
 */

export const FAMILIES: Record<string, Family> = Object.fromEntries(
  [...HTTP_FAMILIES, ...WS_FAMILIES].map((f) => [f.name, f]),
);

export interface Failure {
  family: string;
  index: number;
  seed: number;
  shape: string;
  request: string;
  requestLength: number;
  violation: Violation;
}

export interface RunOptions {
  /** Checks health, prototypes and memory after every `batch` cases. */
  batch?: number;
  /** The process' RSS may not grow past this many bytes over what it was at the start. */
  maxRssGrowth?: number;
  /** Run only this case (replay). */
  only?: number;
  /** Cases in flight at once (each batch drains before its checks). */
  concurrency?: number;
  /** With the server in this process: a case that holds the event loop up for longer stalls. */
  loopStallMs?: number;
  /** Also checks after each batch that a new WebSocket is acknowledged and answers a query. */
  wsHealth?: boolean;
  /** Called once per case, with what it found. */
  onCase?: (index: number, outcome: CaseOutcome, ms: number) => void;
}

/** Runs `count` cases of a family one after another; returns every violation with its case. */
export async function runFamily(
  family: Family,
  ctx: FuzzContext,
  count: number,
  options: RunOptions = {},
): Promise<Failure[]> {
  const failures: Failure[] = [];
  const batch = options.batch ?? 50;
  const concurrency = options.concurrency ?? 1;
  const protos = prototypeSnapshot();
  const rssAtStart = process.memoryUsage.rss();
  const record = (index: number, outcome: Pick<CaseOutcome, 'request' | 'shape'>, violation: Violation) =>
    failures.push({
      family: family.name,
      index,
      seed: ctx.seed,
      shape: outcome.shape,
      request: preview(outcome.request, 300),
      requestLength: outcome.request.length,
      violation,
    });
  const runOne = async (index: number): Promise<CaseOutcome> => {
    // From the first byte sent: generating a big case takes time in this process too, and is not the server's.
    let started = performance.now();
    let outcome: CaseOutcome;
    try {
      outcome = await family.run(Random.forCase(ctx.seed, family.name, index), index, ctx, () => {
        started = performance.now();
      });
    } catch (error) {
      // The client side failed (a socket that would not open): the server's doing, as far as the case can tell.
      const detail = `case could not run: ${(error as Error).message}`;
      outcome = {
        request: '(not sent)',
        shape: 'client error',
        violations: [{ invariant: 'unhealthy', cause: 'case could not run', detail }],
      };
    }
    const ended = performance.now();
    const blocked = loop?.longest(started, ended) ?? 0;
    if (options.loopStallMs && blocked > options.loopStallMs) {
      outcome.violations.push({
        invariant: 'stall',
        cause: 'blocked the event loop',
        detail: `the event loop was held up for ${Math.round(blocked)} ms`,
      });
    }
    options.onCase?.(index, outcome, ended - started);
    return outcome;
  };
  const loop = options.loopStallMs ? new LoopWatch() : undefined;
  const indices = options.only !== undefined ? [options.only] : Array.from({ length: count }, (_, i) => i);
  try {
    await runBatches();
  } finally {
    loop?.stop();
  }
  return failures;

  async function runBatches() {
    for (let from = 0; from < indices.length; from += batch) {
      const slice = indices.slice(from, from + batch);
      const outcomes = new Map<number, CaseOutcome>();
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(concurrency, slice.length) }, async () => {
          while (next < slice.length) {
            const index = slice[next++];
            outcomes.set(index, await runOne(index));
          }
        }),
      );
      for (const index of slice) {
        let outcome = outcomes.get(index)!;
        // Cases run side by side: a slow one is run again alone, so that a stall is its own.
        if (concurrency > 1 && outcome.violations.some((v) => v.invariant === 'stall')) {
          outcome = await runOne(index);
        }
        for (const violation of outcome.violations) record(index, outcome, violation);
      }
      const last = slice[slice.length - 1];
      const after = { request: `(after the batch ending at case ${last})`, shape: 'batch check' };
      for (const v of await checkHealth(ctx.target.url, ctx.target.token, 2000)) record(last, after, v);
      if (options.wsHealth) for (const v of await checkWsHealth(ctx, 2000)) record(last, after, v);
      for (const v of checkPrototypes(protos)) record(last, after, v);
      const growth = process.memoryUsage.rss() - rssAtStart;
      if (options.maxRssGrowth && growth > options.maxRssGrowth) {
        const detail = `RSS grew by ${Math.round(growth / 2 ** 20)} MB`;
        record(last, after, { invariant: 'memory', cause: 'RSS grew past its bound', detail });
      }
    }
  }
}

/**
 * Notes each time the event loop was held up: with the server in this process, a request
 * that blocks it stalls every other client, however quickly it answers its own. Only the
 * time the loop itself was busy meanwhile counts (event-loop utilization): on a busy
 * machine a tick also comes late because the process was not scheduled, which is not the
 * server's doing, and the process' CPU time would count the manifest parser's thread and
 * the garbage collector's helpers, which block no one.
 */
class LoopWatch {
  private readonly blocks: Array<{ at: number; ms: number }> = [];
  private readonly timer: NodeJS.Timeout;

  constructor(tickMs = 10) {
    let expected = performance.now() + tickMs;
    let utilization = performance.eventLoopUtilization();
    this.timer = setInterval(() => {
      const now = performance.now();
      const busy = performance.eventLoopUtilization(utilization).active;
      utilization = performance.eventLoopUtilization();
      const late = now - expected;
      if (late > 50) this.blocks.push({ at: now, ms: Math.min(late, busy) });
      expected = now + tickMs;
    }, tickMs);
    this.timer.unref();
  }

  /** The longest hold-up that ended between `from` and shortly after `to` (the tick that notices it comes late). */
  longest(from: number, to: number): number {
    let max = 0;
    for (const block of this.blocks)
      if (block.at >= from && block.at <= to + 50) max = Math.max(max, block.ms);
    return max;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** Failures grouped by what went wrong (numbers and quoted values blurred), with the smallest input of each. */
export function groupFailures(failures: Failure[]): string {
  const groups = new Map<string, Failure[]>();
  for (const f of failures) {
    const key = `${f.violation.invariant}: ${f.violation.cause}`;
    const list = groups.get(key) ?? [];
    list.push(f);
    groups.set(key, list);
  }
  const lines: string[] = [];
  for (const [key, list] of [...groups.entries()].sort((a, b) => b[1].length - a[1].length)) {
    const smallest = list.reduce((a, b) => (b.requestLength < a.requestLength ? b : a));
    const families = [...new Set(list.map((f) => f.family))].join(', ');
    lines.push(
      `• ${key}\n    ${list.length} case(s) in ${families}; smallest: ${smallest.family} #${smallest.index} (${smallest.shape})\n` +
        `    replay: KQ_FUZZ_SEED=${smallest.seed} KQ_FUZZ_ONLY=${smallest.family}:${smallest.index} npx vitest run test/integration/fuzz-${smallest.family.startsWith('ws-') ? 'ws' : 'http'}.test.ts\n` +
        `    sent (${smallest.requestLength} chars): ${smallest.request}\n    got: ${smallest.violation.detail}`,
    );
  }
  return lines.join('\n');
}

/** How many cases each family runs: its share of KQ_FUZZ_CASES when set, else `base`. */
export function caseCount(base: number, share: number): number {
  const total = Number(process.env.KQ_FUZZ_CASES);
  return total > 0 ? Math.max(1, Math.round(total * share)) : base;
}

/** KQ_FUZZ_ONLY=family:index runs that one case alone (with KQ_FUZZ_SEED, to replay a failure). */
export function onlyCase(family: string): number | undefined | 'skip' {
  const only = process.env.KQ_FUZZ_ONLY;
  if (!only) return undefined;
  const [name, index] = only.split(':');
  return name === family ? Number(index) : 'skip';
}
