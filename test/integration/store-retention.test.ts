import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, collect, startCluster, type TestCluster } from '../support/harness.ts';

const WATCH = `subscription($rv: String) {
  watchConfigMaps(namespace: "default", resourceVersion: $rv) { type object { metadata { name resourceVersion } } }
}`;

let cluster: TestCluster;
beforeAll(async () => {
  // The compaction timer never fires during the test: only the retention bound can compact.
  cluster = await startCluster({ retainEvents: 10, compactEveryMs: 3_600_000 });
});
afterAll(async () => {
  await cluster.stop();
});

const apply = (name: string) =>
  cluster.ok(`mutation($m: String!) { apply(manifests: $m) { metadata { resourceVersion } } }`, {
    m: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}`,
  });

describe('event log retention', () => {
  it('holds between timed compactions: far past retainEvents, old revisions expire without waiting for the timer', async () => {
    const first = (await apply('r0')).apply[0].metadata.resourceVersion;
    for (let i = 1; i <= 40; i++) await apply(`r${i}`);
    // Each retained event holds object versions in memory: the log stays near the bound.
    const { store } = cluster.server.resources;
    expect(store.log.size).toBeLessThanOrEqual(13);
    const watch = collect(cluster.wsClient(), WATCH, { rv: first });
    await watch.until(() => watch.completed);
    expect(watch.items).toEqual([]);
    expect(codeOf(watch.errors[0])).toBe('EXPIRED');
    // Recent revisions still resume.
    const recent = (await apply('r41')).apply[0].metadata.resourceVersion;
    await apply('r42');
    const resumed = collect(cluster.wsClient(), WATCH, { rv: recent });
    await resumed.until(() => resumed.items.length >= 1);
    expect(resumed.items[0].watchConfigMaps.object.metadata.name).toBe('r42');
    resumed.unsubscribe();
  });
});

describe('event log retention by size', () => {
  let large: TestCluster;
  beforeAll(async () => {
    large = await startCluster({ retainBytes: 200_000, compactEveryMs: 3_600_000 });
  });
  afterAll(async () => {
    await large.stop();
  });

  it('drops the oldest events once they hold more than the byte budget, however few they are', async () => {
    const applyLarge = (i: number) =>
      large.ok(`mutation($m: String!) { apply(manifests: $m) { metadata { resourceVersion } } }`, {
        m: JSON.stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'big' },
          data: { payload: `${i}`.padEnd(50_000, 'x') },
        }),
      });
    const first = (await applyLarge(0)).apply[0].metadata.resourceVersion;
    // 20 writes of a 50 KB object: a million bytes of versions, far past the budget.
    for (let i = 1; i <= 20; i++) await applyLarge(i);
    const { store } = large.server.resources;
    expect(store.log.bytes).toBeLessThanOrEqual(200_000 * 1.25 + 110_000);
    expect(store.log.size).toBeLessThan(10);
    const watch = collect(large.wsClient(), WATCH, { rv: first });
    await watch.until(() => watch.completed);
    expect(codeOf(watch.errors[0])).toBe('EXPIRED');
  });
});
