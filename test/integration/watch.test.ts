import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, collect, startCluster, type TestCluster } from '../support/harness.ts';

const WATCH = `subscription($ns: String, $rv: String, $sel: String, $init: Boolean, $bm: Boolean) {
  watchConfigMaps(namespace: $ns, resourceVersion: $rv, labelSelector: $sel, sendInitialEvents: $init, allowBookmarks: $bm) {
    type
    object { metadata { name resourceVersion labels annotations } data }
  }
}`;

type Event = {
  watchConfigMaps: {
    type: string;
    object: {
      metadata: {
        name: string;
        resourceVersion: string;
        annotations?: Record<string, string> | null;
        labels?: Record<string, string> | null;
      };
      data: Record<string, string> | null;
    };
  };
};

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster({ bookmarkEveryMs: 200 });
});
afterAll(() => cluster.stop());

async function namespace(name: string) {
  await cluster.ok(`mutation($m: String!) { apply(manifests: $m) { kind } }`, {
    m: `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}`,
  });
}

async function applyCm(ns: string, name: string, extra = ''): Promise<string> {
  const data = await cluster.ok(
    `mutation($m: String!) { apply(manifests: $m) { metadata { resourceVersion } } }`,
    {
      m: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n${extra}`,
    },
  );
  return data.apply[0].metadata.resourceVersion;
}

async function deleteCm(ns: string, name: string) {
  await cluster.ok(
    `mutation($ns: String, $n: String!) { deleteConfigMap(namespace: $ns, name: $n) { metadata { name } } }`,
    { ns, n: name },
  );
}

async function listRv(ns: string): Promise<string> {
  const data = await cluster.ok(
    `query($ns: String) { configMaps(namespace: $ns) { metadata { resourceVersion } } }`,
    { ns },
  );
  return data.configMaps.metadata.resourceVersion;
}

const summary = (events: Event[]) =>
  events.map((e) => `${e.watchConfigMaps.type} ${e.watchConfigMaps.object.metadata.name ?? ''}`);

describe('watch subscriptions over WebSocket', () => {
  it('sends exactly the events after the resourceVersion, in order', async () => {
    await namespace('w-exact');
    await applyCm('w-exact', 'before');
    const rv = await listRv('w-exact');
    await applyCm('w-exact', 'b');
    await applyCm('w-exact', 'before', 'data:\n  k: v');
    await deleteCm('w-exact', 'b');
    const watch = collect<Event>(cluster.wsClient(), WATCH, { ns: 'w-exact', rv });
    await watch.until(() => watch.items.length >= 3);
    await applyCm('w-exact', 'live');
    await watch.until(() => watch.items.length >= 4);
    expect(summary(watch.items)).toEqual(['ADDED b', 'MODIFIED before', 'DELETED b', 'ADDED live']);
    const rvs = watch.items.map((e) => Number(e.watchConfigMaps.object.metadata.resourceVersion));
    expect(rvs.every((r) => r > Number(rv))).toBe(true);
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
    watch.unsubscribe();
  });

  it('resumes after a disconnect from the last resourceVersion with no gap and no duplicate', async () => {
    await namespace('w-resume');
    const start = await listRv('w-resume');
    const first = collect<Event>(cluster.wsClient(), WATCH, { ns: 'w-resume', rv: start });
    const writer = (async () => {
      for (let i = 1; i <= 60; i++) await applyCm('w-resume', 'seq', `  annotations:\n    n: "${i}"`);
    })();
    await first.until(() => first.items.length >= 15, 10_000);
    first.unsubscribe();
    const seen = first.items.slice();
    const last = seen.at(-1)!.watchConfigMaps.object.metadata.resourceVersion;
    await writer;
    const second = collect<Event>(cluster.wsClient(), WATCH, { ns: 'w-resume', rv: last });
    const n = (e: Event) => Number(e.watchConfigMaps.object.metadata.annotations?.n);
    await second.until(() => second.items.some((e) => n(e) === 60), 10_000);
    const sequence = [...seen, ...second.items].map(n);
    expect(sequence).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    second.unsubscribe();
  });

  it('ends a watch from a compacted resourceVersion with EXPIRED', async () => {
    const small = await startCluster({ retainEvents: 5, compactEveryMs: 3_600_000 });
    try {
      await small.ok(
        `mutation { apply(manifests: "apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: c0") { kind } }`,
      );
      const old = (await small.ok(`{ configMaps { metadata { resourceVersion } } }`)).configMaps.metadata
        .resourceVersion;
      for (let i = 1; i <= 12; i++) {
        await small.ok(`mutation($m: String!) { apply(manifests: $m) { kind } }`, {
          m: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}`,
        });
      }
      await small.server.resources.store.compact();
      const watch = collect<Event>(small.wsClient(), WATCH, { rv: old });
      await watch.until(() => watch.completed);
      expect(watch.items).toEqual([]);
      expect(codeOf(watch.errors[0])).toBe('EXPIRED');

      const page = await small.ok(`{ configMaps(limit: 2) { metadata { continue } } }`);
      for (let i = 13; i <= 20; i++) {
        await small.ok(`mutation($m: String!) { apply(manifests: $m) { kind } }`, {
          m: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}`,
        });
      }
      await small.server.resources.store.compact();
      const next = await small.gql(
        `query($c: String) { configMaps(limit: 2, continue: $c) { items { metadata { name } } } }`,
        {
          c: page.configMaps.metadata.continue,
        },
      );
      expect(next.errors?.[0].extensions?.code).toBe('EXPIRED');
    } finally {
      await small.stop();
    }
  });

  it('sends the current state first with sendInitialEvents, then a bookmark, then live events', async () => {
    await namespace('w-initial');
    for (const name of ['a', 'b', 'c']) await applyCm('w-initial', name);
    const watch = collect<Event>(cluster.wsClient(), WATCH, { ns: 'w-initial', init: true, bm: true });
    await watch.until(() => watch.items.length >= 4);
    await applyCm('w-initial', 'd');
    await watch.until(() => watch.items.some((e) => e.watchConfigMaps.object.metadata.name === 'd'));
    expect(summary(watch.items.slice(0, 4))).toEqual(['ADDED a', 'ADDED b', 'ADDED c', 'BOOKMARK ']);
    expect(watch.items[3].watchConfigMaps.object.metadata.annotations).toEqual({
      'k8s.io/initial-events-end': 'true',
    });
    expect(summary(watch.items.filter((e) => e.watchConfigMaps.type !== 'BOOKMARK'))).toEqual([
      'ADDED a',
      'ADDED b',
      'ADDED c',
      'ADDED d',
    ]);
    watch.unsubscribe();
  });

  it('filters by selector: an object that stops matching is DELETED for the watcher, one that starts is ADDED', async () => {
    await namespace('w-select');
    const rv = await listRv('w-select');
    const watch = collect<Event>(cluster.wsClient(), WATCH, { ns: 'w-select', rv, sel: 'app=x' });
    await applyCm('w-select', 'other', '  labels:\n    app: y');
    await applyCm('w-select', 'm', '  labels:\n    app: x');
    await applyCm('w-select', 'm', '  labels:\n    app: y');
    await applyCm('w-select', 'm', '  labels:\n    app: x');
    await applyCm('w-select', 'm', '  labels:\n    app: x\n    tier: web');
    await deleteCm('w-select', 'm');
    await watch.until(() => watch.items.length >= 5);
    expect(summary(watch.items)).toEqual(['ADDED m', 'DELETED m', 'ADDED m', 'MODIFIED m', 'DELETED m']);
    const leaving = watch.items[1].watchConfigMaps.object.metadata;
    expect(leaving.labels).toEqual({ app: 'x' });
    expect(Number(leaving.resourceVersion)).toBeGreaterThan(
      Number(watch.items[0].watchConfigMaps.object.metadata.resourceVersion),
    );
    watch.unsubscribe();
  });

  it('sends periodic bookmarks carrying the current resourceVersion', async () => {
    await namespace('w-bookmark');
    const rv = await listRv('w-bookmark');
    const watch = collect<Event>(cluster.wsClient(), WATCH, { ns: 'w-bookmark', rv, bm: true });
    await watch.until(() => watch.items.some((e) => e.watchConfigMaps.type === 'BOOKMARK'));
    const bookmark = watch.items.find((e) => e.watchConfigMaps.type === 'BOOKMARK')!;
    expect(Number(bookmark.watchConfigMaps.object.metadata.resourceVersion)).toBeGreaterThanOrEqual(
      Number(rv),
    );
    watch.unsubscribe();
  });

  it('answers required fields of a bookmark with their zero values, as Kubernetes serializes them', async () => {
    const bookmarkOf = async (kind: string, selection: string) => {
      const field = `watch${kind}`;
      const watch = collect<Record<string, { type: string; object: unknown }>>(
        cluster.wsClient(),
        `subscription { ${field}(namespace: "w-bookmark-zero", allowBookmarks: true) { type object { ${selection} } } }`,
      );
      await watch.until(
        () => watch.items.some((e) => e[field].type === 'BOOKMARK') || watch.errors.length > 0,
      );
      watch.unsubscribe();
      expect(watch.errors).toEqual([]);
      return watch.items.find((e) => e[field].type === 'BOOKMARK')![field].object;
    };
    expect(await bookmarkOf('Events', 'involvedObject { kind } metadata { resourceVersion }')).toEqual({
      involvedObject: { kind: null },
      metadata: { resourceVersion: expect.stringMatching(/^\d+$/) },
    });
    expect(
      await bookmarkOf(
        'HorizontalPodAutoscalers',
        'spec { maxReplicas scaleTargetRef { kind name } metrics { type } }',
      ),
    ).toEqual({ spec: { maxReplicas: 0, scaleTargetRef: { kind: '', name: '' }, metrics: null } });
    // What every stored object has (non-null), and an enum, which has no "": its first value.
    expect(
      await bookmarkOf(
        'Pods',
        'metadata { name uid generation creationTimestamp resourceVersion } status { phase }',
      ),
    ).toEqual({
      metadata: {
        name: '',
        uid: '',
        generation: 0,
        creationTimestamp: '',
        resourceVersion: expect.stringMatching(/^\d+$/),
      },
      status: { phase: 'Pending' },
    });
  });

  it("delivers a node's pods to a watch on spec.nodeName, as a node agent watches", async () => {
    await namespace('w-node');
    const rv = (await cluster.ok(`{ pods(namespace: "w-node") { metadata { resourceVersion } } }`)).pods
      .metadata.resourceVersion;
    const watch = collect(
      cluster.wsClient(),
      `subscription($rv: String) { watchPods(resourceVersion: $rv, fieldSelector: "spec.nodeName=node-x") { type object { metadata { name } } } }`,
      { rv },
    );
    const pod = (name: string) =>
      cluster.ok(`mutation($m: String!) { apply(manifests: $m) { kind } }`, {
        m: `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: w-node\nspec:\n  containers: [{ name: c, image: busybox }]`,
      });
    await pod('mine');
    await pod('theirs');
    await cluster.ok(
      `mutation { bindPod(namespace: "w-node", name: "theirs", nodeName: "node-y") { kind } }`,
    );
    await cluster.ok(`mutation { bindPod(namespace: "w-node", name: "mine", nodeName: "node-x") { kind } }`);
    await cluster.ok(
      `mutation { deletePod(namespace: "w-node", name: "mine", gracePeriodSeconds: 0) { kind } }`,
    );
    await watch.until(() => watch.items.length >= 2);
    expect(watch.items.map((e) => `${e.watchPods.type} ${e.watchPods.object.metadata.name}`)).toEqual([
      'ADDED mine',
      'DELETED mine',
    ]);
    watch.unsubscribe();
  });

  it('rejects a malformed resourceVersion', async () => {
    const watch = collect<Event>(cluster.wsClient(), WATCH, { rv: 'abc' });
    await watch.until(() => watch.completed);
    expect(codeOf(watch.errors[0])).toBe('BAD_REQUEST');
  });
});
