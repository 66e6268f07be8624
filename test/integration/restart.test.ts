import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, startCluster, type TestCluster } from '../support/harness.ts';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(() => cluster.stop());

const WATCH = `subscription($rv: String) {
  watchConfigMaps(namespace: "default", resourceVersion: $rv) { type object { metadata { name resourceVersion annotations } } }
}`;
const apply = (name: string, n: number) =>
  cluster.ok(`mutation($m: String!) { apply(manifests: $m) { metadata { resourceVersion } } }`, {
    m: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  annotations:\n    n: "${n}"`,
  });

describe('restart on the same data directory', () => {
  it('keeps every object and the revision counter, and a watcher resumes without a gap', async () => {
    const start = (await cluster.ok(`{ configMaps { metadata { resourceVersion } } }`)).configMaps.metadata
      .resourceVersion;
    const watch = collect(cluster.wsClient(), WATCH, { rv: start });
    for (let i = 1; i <= 10; i++) await apply('r', i);
    await watch.until(() => watch.items.length === 10);
    const lastSeen = watch.items.at(-1).watchConfigMaps.object.metadata.resourceVersion;
    watch.unsubscribe();
    // Written while nobody watches, then the server stops.
    for (let i = 11; i <= 15; i++) await apply('r', i);
    await apply('other', 0);
    const before = await cluster.ok(
      `{ configMaps(namespace: "default") { metadata { resourceVersion } items { metadata { name uid resourceVersion annotations } } } }`,
    );

    await cluster.restart();

    const after = await cluster.ok(
      `{ configMaps(namespace: "default") { metadata { resourceVersion } items { metadata { name uid resourceVersion annotations } } } }`,
    );
    expect(after.configMaps.items).toEqual(before.configMaps.items);
    // The server's own writes at start (the `kubernetes` Service's endpoints at its new port) come after.
    const revision = Number(after.configMaps.metadata.resourceVersion);
    expect(revision).toBeGreaterThanOrEqual(Number(before.configMaps.metadata.resourceVersion));
    const next = await apply('r', 16);
    expect(Number(next.apply[0].metadata.resourceVersion)).toBe(revision + 1);

    const resumed = collect(cluster.wsClient(), WATCH, { rv: lastSeen });
    await resumed.until(() =>
      resumed.items.some((e) => e.watchConfigMaps.object.metadata.annotations.n === '16'),
    );
    const names = resumed.items.map(
      (e) => `${e.watchConfigMaps.object.metadata.name}:${e.watchConfigMaps.object.metadata.annotations.n}`,
    );
    expect(names).toEqual(['r:11', 'r:12', 'r:13', 'r:14', 'r:15', 'other:0', 'r:16']);
    resumed.unsubscribe();
  });

  it('completes open subscriptions when the server shuts down', async () => {
    const watch = collect(cluster.wsClient(), WATCH, {});
    await apply('bye', 1);
    await watch.until(() => watch.items.some((e) => e.watchConfigMaps.object.metadata.name === 'bye'));
    await cluster.restart();
    await watch.until(() => watch.completed);
    expect(watch.completed).toBe(true);
  });
});
