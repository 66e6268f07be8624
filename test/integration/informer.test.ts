import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClient, type KubeqlClient } from '../../client/client.ts';
import { createInformer, type Informer, type ListWatchClient } from '../../client/informer.ts';
import { Channel } from '../../lib/channel.ts';
import { KubeqlError } from '../../client/errors.ts';
import type { Resource, WatchEvent } from '../../client/types.ts';
import { startCluster, type TestCluster } from '../support/harness.ts';

let cluster: TestCluster;
let client: KubeqlClient;
const informers: Informer[] = [];

beforeAll(async () => {
  cluster = await startCluster();
  client = createClient({ url: cluster.url, token: cluster.token });
});
afterAll(async () => {
  await Promise.all(informers.map((informer) => informer.stop()));
  await client.close();
  await cluster.stop();
});

const APPLY = `mutation($m: String!, $ns: String) { apply(manifests: $m, namespace: $ns) { metadata { uid } } }`;

function apply(on: TestCluster, manifest: string, ns?: string): Promise<string> {
  return on.ok(APPLY, { m: manifest, ns }).then((data) => data.apply[0].metadata.uid);
}

function configMap(name: string, extra = ''): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}`;
}

function deleteConfigMap(on: TestCluster, ns: string, name: string) {
  return on.ok(`mutation($ns: String, $n: String!) { deleteConfigMap(namespace: $ns, name: $n) { kind } }`, {
    ns,
    n: name,
  });
}

/** An informer whose handlers log `add a`, `update a`, `delete a` (names only). */
function recorded(
  kind: string,
  namespace: string,
  via: ListWatchClient = client,
  onError: (error: unknown) => void = () => {},
) {
  const events: string[] = [];
  const informer = createInformer(via, kind, { namespace }, { onError });
  informers.push(informer);
  informer.addEventHandler({
    onAdd: (obj) => events.push(`add ${obj.metadata.name}`),
    onUpdate: (_old, obj) => events.push(`update ${obj.metadata.name}`),
    onDelete: (obj) => events.push(`delete ${obj.metadata.name}`),
  });
  return { informer, events };
}

const names = (objs: Resource[]) => objs.map((obj) => obj.metadata.name).sort();

describe('informer against a real server', () => {
  it('lists first: the cache holds every object once synced, and handlers get them as initial adds', async () => {
    await apply(cluster, `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: inf-list`);
    for (const name of ['a', 'b', 'c']) await apply(cluster, configMap(name), 'inf-list');
    await apply(cluster, configMap('elsewhere'));
    const { informer } = recorded('ConfigMap', 'inf-list');
    const initial: boolean[] = [];
    informer.addEventHandler({ onAdd: (_obj, isInInitialList) => initial.push(isInInitialList) });
    expect(informer.hasSynced()).toBe(false);
    await informer.start().waitForSync();
    expect(informer.hasSynced()).toBe(true);
    expect(informer.keys().sort()).toEqual(['inf-list/a', 'inf-list/b', 'inf-list/c']);
    expect(initial).toEqual([true, true, true]);
    expect(Number(informer.lastSyncResourceVersion)).toBeGreaterThan(0);

    // A handler added now is told about what is already cached (not as initial-list adds).
    const late: string[] = [];
    informer.addEventHandler({
      onAdd: (obj, isInInitialList) => late.push(`${obj.metadata.name}:${isInInitialList}`),
    });
    expect(late.sort()).toEqual(['a:false', 'b:false', 'c:false']);
  });

  it('tells handlers of create, update and delete in order, without changing objects already handed out', async () => {
    await apply(cluster, `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: inf-events`);
    const { informer, events } = recorded('ConfigMap', 'inf-events');
    const seen: Resource[] = [];
    informer.addEventHandler({ onAdd: (obj) => seen.push(obj), onUpdate: (_old, obj) => seen.push(obj) });
    await informer.start().waitForSync();
    expect(events).toEqual([]);

    await apply(cluster, configMap('x'), 'inf-events');
    await apply(cluster, configMap('x', 'data:\n  k: v'), 'inf-events');
    await deleteConfigMap(cluster, 'inf-events', 'x');
    await vi.waitFor(() => expect(events).toEqual(['add x', 'update x', 'delete x']));
    expect(informer.size).toBe(0);
    expect(seen[0].data).toBeUndefined();
    expect(seen[1].data).toEqual({ k: 'v' });
    expect(Number(seen[1].metadata.resourceVersion)).toBeGreaterThan(
      Number(seen[0].metadata.resourceVersion),
    );
  });

  it('indexes by owner, by node once bound, by label and by custom indexers', async () => {
    await apply(cluster, `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: inf-index`);
    await apply(cluster, `apiVersion: v1\nkind: Node\nmetadata:\n  name: inf-node-1`);
    const owner = await apply(cluster, configMap('owner'), 'inf-index');
    const { informer } = recorded('Pod', 'inf-index');
    informer.addIndexer('image', (pod) =>
      ((pod.spec as { containers?: Array<{ image: string }> }).containers ?? []).map((c) => c.image),
    );
    await informer.start().waitForSync();

    const pod = (name: string, labels: string, owned: boolean) =>
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  labels: {${labels}}\n` +
      (owned
        ? `  ownerReferences: [{ apiVersion: v1, kind: ConfigMap, name: owner, uid: ${owner}, controller: true }]\n`
        : '') +
      `spec:\n  containers: [{ name: c, image: ${name === 'web-1' ? 'nginx' : 'busybox'} }]`;
    await apply(cluster, pod('web-1', 'app: web', true), 'inf-index');
    await apply(cluster, pod('web-2', 'app: web, tier: front', true), 'inf-index');
    await apply(cluster, pod('batch', 'app: batch', false), 'inf-index');
    await cluster.ok(
      `mutation { bindPod(namespace: "inf-index", name: "web-2", nodeName: "inf-node-1") { kind } }`,
    );

    await vi.waitFor(() => expect(names(informer.byNode('inf-node-1'))).toEqual(['web-2']));
    expect(names(informer.byOwner(owner))).toEqual(['web-1', 'web-2']);
    expect(names(informer.byLabel('app=web,tier!=front'))).toEqual(['web-1']);
    expect(names(informer.byLabel('app in (web,batch)'))).toEqual(['batch', 'web-1', 'web-2']);
    expect(names(informer.byIndex('image', 'busybox'))).toEqual(['batch', 'web-2']);
    expect(informer.list('inf-index')).toHaveLength(3);
    expect(informer.byNode('elsewhere')).toEqual([]);

    // An index added later covers what is already cached.
    informer.addIndexer('phase', (p) => [String((p.status as { phase?: string } | undefined)?.phase)]);
    expect(informer.indexValues('phase').length).toBeGreaterThan(0);
  });
});

describe('informer relisting after EXPIRED', () => {
  it('relists when the watch cannot resume, and converges, a missed delete included', async () => {
    const small = await startCluster({ retainEvents: 5, compactEveryMs: 3_600_000 });
    const proxy = await tcpProxy(small.server.port);
    const viaProxy = createClient({ url: `http://127.0.0.1:${proxy.port}/graphql`, token: small.token });
    const first = informers.length; // this test's informers, stopped before its server
    try {
      for (const name of ['keep', 'change', 'gone']) await apply(small, configMap(name));
      let lists = 0;
      const counting: ListWatchClient = {
        listAll: (...args) => (lists++, viaProxy.listAll(...args)),
        watch: (...args) => viaProxy.watch(...args),
      };
      const { informer, events } = recorded('ConfigMap', 'default', counting);
      await informer.start().waitForSync();
      await apply(small, configMap('live'));
      await vi.waitFor(() => expect(events).toContain('add live'));
      const before = informer.lastSyncResourceVersion;
      events.length = 0;

      // Cut the informer off, change things behind its back, and compact past its revision.
      proxy.pause();
      await apply(small, configMap('change', 'data:\n  k: v'));
      await deleteConfigMap(small, 'default', 'gone');
      for (let i = 1; i <= 6; i++) await apply(small, configMap(`new-${i}`));
      await small.server.resources.store.compact();
      proxy.resume();

      const expected = ['change', 'keep', 'live', ...Array.from({ length: 6 }, (_, i) => `new-${i + 1}`)];
      await vi.waitFor(() => expect(names(informer.list())).toEqual(expected.sort()), { timeout: 8000 });
      expect(events.sort()).toEqual(
        [
          'update change',
          'delete gone',
          ...expected.filter((n) => n.startsWith('new')).map((n) => `add ${n}`),
        ].sort(),
      );
      expect(informer.get('default/change')?.data).toEqual({ k: 'v' });
      expect(Number(informer.lastSyncResourceVersion)).toBeGreaterThan(Number(before));
      expect(lists).toBe(2); // the initial list and the relist after EXPIRED

      // And it is watching again.
      await apply(small, configMap('after'));
      await vi.waitFor(() => expect(events).toContain('add after'));
    } finally {
      await Promise.all(informers.splice(first).map((informer) => informer.stop()));
      await viaProxy.close();
      proxy.close();
      await small.stop();
    }
  });
});

describe('informer against a scripted client', () => {
  const cm = (name: string, uid: string, rv: string): Resource => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'ns', uid, resourceVersion: rv },
  });

  /** Each listAll answers the next of `lists`; each watch is a channel the test pushes to. */
  function scripted(lists: Resource[][]) {
    const watches: Channel<WatchEvent>[] = [];
    let listed = 0;
    const client: ListWatchClient = {
      listAll: (async () => ({
        items: lists[listed++],
        resourceVersion: String(listed * 100),
      })) as ListWatchClient['listAll'],
      watch: (() => {
        const channel = new Channel<WatchEvent>();
        watches.push(channel);
        return Object.assign(channel, { resourceVersion: undefined });
      }) as unknown as ListWatchClient['watch'],
    };
    return { client, watches };
  }

  it('diffs a relist by uid and resourceVersion, and a throwing handler does not stop the others', async () => {
    const { client, watches } = scripted([
      [cm('same', 'u1', '1'), cm('changed', 'u2', '2'), cm('recreated', 'u3', '3'), cm('gone', 'u4', '4')],
      [cm('same', 'u1', '1'), cm('changed', 'u2', '9'), cm('recreated', 'u5', '8'), cm('new', 'u6', '7')],
    ]);
    const errors: unknown[] = [];
    const { informer, events } = recorded('ConfigMap', 'ns', client, (error) => errors.push(error));
    informer.addEventHandler({
      onAdd: () => {
        throw new Error('handler bug');
      },
    });
    await informer.start().waitForSync();
    expect(events).toHaveLength(4);
    events.length = 0;
    watches[0].fail(new KubeqlError('EXPIRED', 'compacted'));
    await vi.waitFor(() => expect(informer.lastSyncResourceVersion).toBe('200'));
    expect(events).toEqual(['delete gone', 'update changed', 'delete recreated', 'add recreated', 'add new']);
    expect(informer.get('ns/recreated')?.metadata.uid).toBe('u5');
    expect(errors).toHaveLength(4 + 2); // each add, initial and relisted, to the throwing handler
    await informer.stop();
  });

  it('rejects waitForSync when stopped first, and resyncs periodically when asked', async () => {
    const never: ListWatchClient = { listAll: () => new Promise(() => {}), watch: () => ({}) as never };
    const unsynced = createInformer(never, 'ConfigMap').start();
    const waiting = unsynced.waitForSync();
    await unsynced.stop(); // does not wait for the list, which never answers
    await expect(waiting).rejects.toThrow(/stopped before it synced/);

    const { client } = scripted([[cm('a', 'u1', '1')]]);
    const resyncs: string[] = [];
    const informer = createInformer(client, 'ConfigMap', {}, { resyncPeriodMs: 10 });
    informer.addEventHandler({ onUpdate: (old, obj) => old === obj && resyncs.push(obj.metadata.name!) });
    await informer.start().waitForSync();
    await vi.waitFor(() => expect(resyncs.length).toBeGreaterThanOrEqual(2));
    await informer.stop();
  });
});

/**
 * A TCP relay to the server that can cut every connection and hold new ones until
 * resumed: the informer's client sees a dropped link and reconnects into a server whose
 * event log no longer reaches back to its resourceVersion.
 */
async function tcpProxy(targetPort: number) {
  const sockets = new Set<net.Socket>();
  let held: net.Socket[] | undefined;
  const relay = (downstream: net.Socket) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const drop = () => {
      downstream.destroy();
      upstream.destroy();
      sockets.delete(downstream);
      sockets.delete(upstream);
    };
    for (const socket of [downstream, upstream]) {
      sockets.add(socket);
      socket.on('error', drop).on('close', drop);
    }
    downstream.pipe(upstream).pipe(downstream);
  };
  const server = net.createServer((socket) => {
    socket.on('error', () => socket.destroy());
    if (held) held.push(socket);
    else relay(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    pause() {
      held = [];
      for (const socket of sockets) socket.destroy();
    },
    resume() {
      const waiting = held ?? [];
      held = undefined;
      for (const socket of waiting) if (!socket.destroyed) relay(socket);
    },
    close() {
      for (const socket of [...sockets, ...(held ?? [])]) socket.destroy();
      server.close();
    },
  };
}
