import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, startCluster, type TestCluster } from '../support/harness.ts';

const WATCH = `subscription($rv: String) {
  watchConfigMaps(namespace: "default", resourceVersion: $rv) {
    type object { metadata { name resourceVersion labels } data }
  }
}`;

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => {
  await cluster.stop();
});

const apply = (data: string) =>
  cluster.ok(`mutation($m: String!) { apply(manifests: $m) { metadata { resourceVersion } } }`, {
    m: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n  labels: { app: web, tier: front }\ndata:\n  ${data}`,
  });

describe('retained versions share what did not change', () => {
  it('keeps each version as written, while the event log holds one copy of the unchanged parts', async () => {
    const first = (await apply('mode: one')).apply[0].metadata.resourceVersion;
    await apply('mode: two');

    // History as the API serves it: both versions, each with its own data.
    const watch = collect(cluster.wsClient(), WATCH, { rv: String(Number(first) - 1) });
    await watch.until(() => watch.items.length >= 2);
    const seen = watch.items.map((item) => item.watchConfigMaps.object);
    expect(seen.map((o) => o.data.mode)).toEqual(['one', 'two']);
    expect(seen[0].metadata.labels).toEqual({ app: 'web', tier: 'front' });
    watch.unsubscribe();

    // In memory: the second version reuses the first one's (frozen) labels and has its own data.
    const { store } = cluster.server.resources;
    const events = store.log.since(Number(first) - 1).filter((e) => e.key === 'ConfigMap/default/shared');
    expect(events).toHaveLength(2);
    const [before, after] = events.map(
      (e) =>
        e.object as unknown as { metadata: { name: string; labels?: unknown }; data: Record<string, string> },
    );
    expect(after.metadata.labels).toBe(before.metadata.labels);
    expect(after.data).not.toBe(before.data);
    expect(before.data.mode).toBe('one');
    expect(Object.isFrozen(after.data)).toBe(true);
    // An equal string at the same place is the previous version's, not a copy (same name).
    expect(after.metadata.name).toBe(before.metadata.name);
  });
});
