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

// Seeded fuzzing over HTTP (POST, GET, SSE) and apply: whatever a client sends, every
// error carries a code, nothing is a 5xx or leaks the server's insides, nothing stalls,
// a failed multi-object apply leaves nothing behind, and the server stays healthy.
// KQ_FUZZ_CASES=20000 for a long run (shared with fuzz-ws.test.ts); a failure prints
// KQ_FUZZ_SEED and KQ_FUZZ_ONLY to run that one case again.

const SEED = runSeed();
const STALL_MS = Number(process.env.KQ_FUZZ_STALL_MS) || 5000;

/** Cases per family in `npm test`, and each family's share of KQ_FUZZ_CASES. */
const PLAN: Array<[family: string, cases: number, share: number]> = [
  ['http-post', 450, 0.24],
  ['http-get', 150, 0.08],
  ['sse', 120, 0.07],
  ['http-envelope', 150, 0.08],
  ['apply', 200, 0.15],
  ['create', 60, 0.05],
  ['yaml', 120, 0.07],
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
  console.log(`fuzz-http: KQ_FUZZ_SEED=${SEED}`);
});

afterAll(async () => {
  await cluster?.stop();
});

describe(`fuzzing over HTTP (KQ_FUZZ_SEED=${SEED})`, () => {
  for (const [family, base, share] of PLAN) {
    const only = onlyCase(family);
    const count = caseCount(base, share);
    it.skipIf(only === 'skip')(
      typeof only === 'number' ? `${family}: case #${only}` : `${family}: ${count} cases`,
      { timeout: 60_000 + count * 150 },
      async () => {
        const started = performance.now();
        const failures = await runFamily(FAMILIES[family], ctx, count, {
          only: typeof only === 'number' ? only : undefined,
          concurrency: 2,
          loopStallMs: 1000,
          maxRssGrowth: 1024 * 2 ** 20,
          // KQ_FUZZ_VERBOSE=1 names every case slower than a quarter second, to find what costs.
          onCase: process.env.KQ_FUZZ_VERBOSE
            ? (index, outcome, ms) => {
                if (ms > 250) console.log(`${family} #${index} ${Math.round(ms)} ms ${outcome.shape}`);
              }
            : undefined,
        });
        console.log(
          `fuzz-http ${family}: ${count} cases in ${Math.round(performance.now() - started)} ms, ${failures.length} violation(s)`,
        );
        expect(failures.length, `KQ_FUZZ_SEED=${SEED}\n${groupFailures(failures)}`).toBe(0);
      },
    );
  }
});
