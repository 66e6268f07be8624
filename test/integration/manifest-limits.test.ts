import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { MANIFEST_LIMITS } from '../../server/resources/manifests/manifest-limits.ts';
import { clusterPerFile } from '../support/cluster-per-file.ts';
import type { GraphQLResponse } from '../support/harness.ts';

// Hostile manifests for `apply`: each is refused with BAD_REQUEST naming the limit it
// breaks, parsing never blocks the event loop for long, and the server goes on serving.

const cluster = clusterPerFile();

/**
 * Event-loop stalls above this fail a test. These requests stall the loop for 10-50 ms
 * (before: 1.3 s for 100 KB of `[`, or a crashed process); the bound leaves room for a
 * loaded two-core machine, where the scheduler alone takes the process away for 100 ms
 * and more, and for GC pauses.
 */
const MAX_STALL_MS = 250;

const APPLY = `mutation($m: String!) { apply(manifests: $m) { kind metadata { name } } }`;

const apply = (manifests: string) => cluster.gql(APPLY, { m: manifests });

function expectRefused(result: GraphQLResponse, message: string | RegExp): void {
  expect(result.data ?? null).toBeNull();
  expect(result.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
  expect(result.errors?.[0]?.message).toMatch(message);
}

/** The server still answers, its health check passes, and an ordinary apply still works. */
async function expectHealthy(name: string): Promise<void> {
  expect((await cluster.ok('{ __typename }')).__typename).toBe('Query');
  const health = await fetch(cluster.url.replace(/\/graphql$/, '/healthz'));
  expect(health.status).toBe(200);
  const data = await cluster.ok(APPLY, {
    m: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {ok: "yes"}\n`,
  });
  expect(data.apply[0].metadata.name).toBe(name);
}

/**
 * Runs `send` while watching the server's event loop (the harness runs the server in
 * this process) and, every 20 ms, the latency of a cheap query sent alongside.
 */
async function whileMeasured<T>(send: () => Promise<T>) {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  const cheap: number[] = [];
  let done = false;
  const prober = (async () => {
    while (!done) {
      const sent = performance.now();
      await cluster.ok('{ __typename }');
      cheap.push(performance.now() - sent);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  delay.enable();
  const started = performance.now();
  try {
    const result = await send();
    return { result, ms: performance.now() - started, stallMs: delay.max / 1e6, cheap };
  } finally {
    delay.disable();
    done = true;
    await prober;
  }
}

const deepJson = (depth: number) => {
  const value = `${'{"a":'.repeat(depth)}{}${'}'.repeat(depth)}`;
  return `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":${value}}`;
};

describe('nesting', () => {
  it('refuses 10,000 `[` twice, and the server lives on (it used to die on the second)', async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      expectRefused(
        await apply('['.repeat(10_000)),
        `error parsing manifests (line 1, column 103): exceeded max depth of ${MANIFEST_LIMITS.maxDepth} nested objects and lists`,
      );
    }
    await expectHealthy('after-brackets');
  });

  it('refuses a valid JSON manifest nested 10,000 deep, twice', async () => {
    for (let attempt = 0; attempt < 2; attempt++)
      expectRefused(await apply(deepJson(10_000)), /exceeded max depth of 100 nested objects and lists/);
    await expectHealthy('after-deep-json');
  });

  it('refuses YAML nested deeper than the limit, in block style too', async () => {
    const block = Array.from({ length: 150 }, (_, i) => `${' '.repeat(i)}k:`).join('\n');
    expectRefused(await apply(block), /\(line 102, column \d+\): exceeded max depth of 100/);
    expectRefused(await apply(`${'- '.repeat(50_000)}x`), /exceeded max depth of 100/);
  });

  it('accepts nesting up to the limit', async () => {
    // data must be a map of strings: the shape check, not the parser, refuses this one.
    const result = await apply(deepJson(MANIFEST_LIMITS.maxDepth - 3));
    expect(result.errors?.[0]?.extensions?.code).toBe('INVALID');
    expect(result.errors?.[0]?.message).toContain('value of "a" must be a string');
  });
});

describe('time', () => {
  it('answers 100 KB of `[` quickly, without stalling a concurrent request', async () => {
    const { result, ms, stallMs, cheap } = await whileMeasured(() => apply('['.repeat(100 * 1024)));
    expectRefused(result, /exceeded max depth of 100/);
    expect(ms).toBeLessThan(2000);
    expect(stallMs).toBeLessThan(MAX_STALL_MS);
    expect(Math.max(...cheap)).toBeLessThan(MAX_STALL_MS * 2);
  });

  it('answers 3 MB of `[` (the most a request carries) and lives on', async () => {
    const { result, ms } = await whileMeasured(() => apply('['.repeat(3 * 1024 * 1024 - 200)));
    expectRefused(result, /exceeded max depth of 100/);
    expect(ms).toBeLessThan(5000);
    await expectHealthy('after-3mb');
  });

  it('parses large manifests off the event loop: 400 objects of YAML, applied while others are served', async () => {
    const docs = Array.from(
      { length: 400 },
      (_, i) =>
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bulk-${i}\n  labels: {bulk: "yes"}\ndata:\n  index: "${i}"\n  text: "${'x'.repeat(200)}"\n`,
    );
    const { result, stallMs, cheap } = await whileMeasured(() =>
      cluster.gql(APPLY, { m: docs.join('---\n') }),
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.apply).toHaveLength(400);
    expect(result.data.apply[399].metadata.name).toBe('bulk-399');
    expect(stallMs).toBeLessThan(MAX_STALL_MS);
    expect(cheap.length).toBeGreaterThan(0);
  });
});

describe('expansion and counts', () => {
  it('refuses a YAML alias bomb ("billion laughs") without expanding it', async () => {
    const lines = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: lol}',
      'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ];
    for (let level = 1; level <= 9; level++)
      lines.push(
        `l${level}: &l${level} [${Array(9)
          .fill(`*l${level - 1}`)
          .join(',')}]`,
      );
    const { result, stallMs } = await whileMeasured(() => apply(lines.join('\n')));
    expectRefused(
      result,
      `the manifests expand to more than ${MANIFEST_LIMITS.maxValues} values (an alias counts its value at each use)`,
    );
    expect(stallMs).toBeLessThan(MAX_STALL_MS);
    await expectHealthy('after-bomb');
  });

  it('still expands a few honest aliases', async () => {
    const result = await apply(
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aliased\n  labels: &labels {app: web}\n  annotations: *labels\n',
    );
    expect(result.errors).toBeUndefined();
    const data = await cluster.ok(
      '{ configMap(namespace: "default", name: "aliased") { metadata { labels annotations } } }',
    );
    expect(data.configMap.metadata).toEqual({ labels: { app: 'web' }, annotations: { app: 'web' } });
  });

  it('refuses more documents than the limit, early', async () => {
    const text = Array(100_000).fill('---\nkind: ConfigMap').join('\n');
    const { result, ms } = await whileMeasured(() => apply(text));
    expectRefused(
      result,
      `error parsing manifests (line ${2 * MANIFEST_LIMITS.maxDocuments + 1}, column 1): more than ${MANIFEST_LIMITS.maxDocuments} YAML documents`,
    );
    expect(ms).toBeLessThan(5000);
    expectRefused(await apply('---\n'.repeat(200_000)), /more than 1000 YAML documents/);
  });

  it('refuses more objects than the limit in one apply', async () => {
    const items = Array.from({ length: MANIFEST_LIMITS.maxObjects + 1 }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `many-${i}` },
    }));
    expectRefused(
      await apply(JSON.stringify({ apiVersion: 'v1', kind: 'List', items })),
      `error parsing manifests: more than ${MANIFEST_LIMITS.maxObjects} objects in one apply`,
    );
    const first = await cluster.ok(
      '{ configMap(namespace: "default", name: "many-0") { metadata { name } } }',
    );
    expect(first.configMap).toBeNull();
  });

  it('refuses duplicate keys, as strict decoding does', async () => {
    expectRefused(
      await apply('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dup}\ndata: {a: "1"}\ndata: {b: "2"}\n'),
      'error parsing manifests (line 5, column 1): key "data" already set in map',
    );
  });
});
