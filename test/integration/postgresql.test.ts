import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, collect, startCluster, type TestCluster } from '../support/harness.ts';
import { startPostgres, type TestPostgres } from '../support/postgres.ts';

let pg: TestPostgres | undefined;
let cluster: TestCluster;

beforeAll(async () => {
  pg = await startPostgres();
  if (!pg) throw new Error('PostgreSQL is not installed (apt-get install postgresql); .ci/run installs it');
  cluster = await startCluster({ databaseUrl: pg.url, retainEvents: 10, compactEveryMs: 3_600_000 });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  pg?.stop();
});

const apply = (manifest: string) =>
  cluster.ok(`mutation($m: String!) { apply(manifests: $m) { kind metadata { name resourceVersion } } }`, {
    m: manifest,
  });

describe('the store on PostgreSQL (DATABASE_URL)', () => {
  it('applies, lists, conflicts, watches, compacts and survives a restart', async () => {
    const start = (await cluster.ok(`{ configMaps { metadata { resourceVersion } } }`)).configMaps.metadata
      .resourceVersion;
    const watch = collect(
      cluster.wsClient(),
      `subscription($rv: String) { watchConfigMaps(namespace: "default", resourceVersion: $rv) { type object { metadata { name } } } }`,
      { rv: start },
    );
    const configMap = (i: number) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pg-${i}\ndata:\n  i: "${i}"`;
    // The watch is live once it has seen a first write: 30 more then exceed the retention of
    // 10 events, which a watch still starting from `start` would find compacted away.
    await apply(configMap(0));
    await watch.until(() => watch.items.length === 1);
    await apply(Array.from({ length: 29 }, (_, i) => configMap(i + 1)).join('\n---\n'));
    await watch.until(() => watch.items.length === 30);
    expect(new Set(watch.items.map((e) => e.watchConfigMaps.object.metadata.name)).size).toBe(30);
    watch.unsubscribe();

    const page = await cluster.ok(
      `{ configMaps(namespace: "default", limit: 20) { items { metadata { name } } metadata { continue remainingItemCount } } }`,
    );
    expect(page.configMaps.items).toHaveLength(20);
    expect(page.configMaps.metadata.remainingItemCount).toBe(10);

    const stale = await cluster.gql(
      `mutation { replaceConfigMap(name: "pg-1", configMap: { metadata: { name: "pg-1", resourceVersion: "1" } }) { kind } }`,
    );
    expect(stale.errors?.[0].extensions?.code).toBe('CONFLICT');

    await cluster.server.resources.store.compact();
    const expired = collect(
      cluster.wsClient(),
      `subscription($rv: String) { watchConfigMaps(resourceVersion: $rv) { type } }`,
      { rv: start },
    );
    await expired.until(() => expired.completed);
    expect(codeOf(expired.errors[0])).toBe('EXPIRED');

    const before = await cluster.ok(
      `{ configMaps(namespace: "default") { metadata { resourceVersion } items { metadata { name uid resourceVersion } data } } }`,
    );
    await cluster.restart();
    const after = await cluster.ok(
      `{ configMaps(namespace: "default") { metadata { resourceVersion } items { metadata { name uid resourceVersion } data } } }`,
    );
    expect(after.configMaps.items).toEqual(before.configMaps.items);
    // The server's own writes at start (the `kubernetes` Service's endpoints at its new port) come after.
    const revision = Number(after.configMaps.metadata.resourceVersion);
    expect(revision).toBeGreaterThanOrEqual(Number(before.configMaps.metadata.resourceVersion));
    const next = await apply(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: after-restart`);
    expect(Number(next.apply[0].metadata.resourceVersion)).toBe(revision + 1);
  });
});
