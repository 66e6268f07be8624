import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/harness.ts';
import { runSeed } from '../support/fuzz/random.ts';
import {
  caseCount,
  FAMILIES,
  groupFailures,
  onlyCase,
  prepare,
  runFamily,
  type FuzzContext,
} from '../support/fuzz/runner.ts';

// Seeded fuzzing over WebSocket (graphql-transport-ws): the same documents and manifests
// as over HTTP, on one authenticated connection, plus frames that break the protocol
// itself on connections of their own. Every error carries a code, no socket is closed as
// an internal error, nothing leaks or stalls, and a new connection is served after each
// batch. KQ_FUZZ_CASES and the replay variables work as in fuzz-http.test.ts.

const SEED = runSeed();
const STALL_MS = Number(process.env.KQ_FUZZ_STALL_MS) || 5000;

/** Cases per family in `npm test`, each family's share of KQ_FUZZ_CASES, and cases in flight at once. */
const PLAN: Array<[family: string, cases: number, share: number, concurrency: number]> = [
  ['ws-documents', 600, 0.18, 4],
  ['ws-apply', 100, 0.05, 2],
  ['ws-protocol', 100, 0.03, 8],
];

let cluster: TestCluster;
let ctx: FuzzContext;

beforeAll(async () => {
  cluster = await startCluster();
  ctx = {
    target: { url: cluster.url, token: cluster.token },
    seed: SEED,
    stallMs: STALL_MS,
    namespace: 'fuzz',
  };
  await prepare(ctx);
  console.log(`fuzz-ws: KQ_FUZZ_SEED=${SEED}`);
});

afterAll(async () => {
  await ctx?.ws?.end();
  await cluster?.stop();
});

describe(`fuzzing over WebSocket (KQ_FUZZ_SEED=${SEED})`, () => {
  for (const [family, base, share, concurrency] of PLAN) {
    const only = onlyCase(family);
    const count = caseCount(base, share);
    it.skipIf(only === 'skip')(
      typeof only === 'number' ? `${family}: case #${only}` : `${family}: ${count} cases`,
      { timeout: 60_000 + count * 150 },
      async () => {
        const started = performance.now();
        const failures = await runFamily(FAMILIES[family], ctx, count, {
          only: typeof only === 'number' ? only : undefined,
          concurrency,
          loopStallMs: 1000,
          wsHealth: true,
          maxRssGrowth: 1024 * 2 ** 20,
          onCase: process.env.KQ_FUZZ_VERBOSE
            ? (index, outcome, ms) => {
                if (ms > 250) console.log(`${family} #${index} ${Math.round(ms)} ms ${outcome.shape}`);
              }
            : undefined,
        });
        const ms = Math.round(performance.now() - started);
        console.log(`fuzz-ws ${family}: ${count} cases in ${ms} ms, ${failures.length} violation(s)`);
        expect(failures.length, `KQ_FUZZ_SEED=${SEED}\n${groupFailures(failures)}`).toBe(0);
      },
    );
  }
});
