import net from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type KubeqlClient } from '../../client/client.ts';
import { isCode, KubeqlError } from '../../client/errors.ts';
import { inProcessTransport } from '../../client/in-process-transport.ts';
import type { Resource, WatchEvent } from '../../client/types.ts';
import { buildSchema } from '../../server/graphql/schema.ts';
import { startCluster, type TestCluster } from '../support/harness.ts';
import { waitFor } from '../support/wait.ts';

let cluster: TestCluster;
let client: KubeqlClient;
/** Every socket the client opened, to drop them as a network failure would. */
const sockets: WebSocket[] = [];
class TrackedWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    sockets.push(this);
  }
}

beforeAll(async () => {
  // A fixed port, so that the client finds the server again after a restart.
  cluster = await startCluster({ port: await freePort(), bookmarkEveryMs: 200 });
  client = createClient({ url: cluster.url, token: cluster.token, webSocketImpl: TrackedWebSocket });
  for (const ns of ['lists', 'resume', 'dropped', 'inproc', 'initial']) {
    await client.request(
      `mutation($n: String!) { createNamespace(namespace: { metadata: { name: $n } }) { kind } }`,
      {
        n: ns,
      },
    );
  }
});
afterAll(async () => {
  await client.close();
  await cluster.stop();
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const CREATE = `mutation($ns: String, $cm: ConfigMapInput!) {
  createConfigMap(namespace: $ns, configMap: $cm) { metadata { resourceVersion } }
}`;
const REPLACE = `mutation($ns: String, $n: String!, $cm: ConfigMapInput!) {
  replaceConfigMap(namespace: $ns, name: $n, configMap: $cm) { metadata { resourceVersion } }
}`;

async function create(via: KubeqlClient, ns: string, name: string, data: Record<string, string> = {}) {
  const result = await via.request<{ createConfigMap: { metadata: { resourceVersion: string } } }>(CREATE, {
    ns,
    cm: { metadata: { name }, data },
  });
  return result.createConfigMap.metadata.resourceVersion;
}

/** The next `n` values, failing the test if they take longer than `ms`. */
async function take<T>(iterator: AsyncIterator<T>, n: number, ms = 5000): Promise<T[]> {
  const values: T[] = [];
  const deadline = Date.now() + ms;
  while (values.length < n) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out after ${values.length} of ${n}`)),
        Math.max(0, deadline - Date.now()),
      );
    });
    const item = await Promise.race([iterator.next(), timeout]).finally(() => clearTimeout(timer));
    if (item.done) throw new Error(`ended after ${values.length} of ${n}`);
    values.push(item.value);
  }
  return values;
}

/** The KubeqlError `promise` rejects with; the test fails if it resolves. */
async function failure(promise: Promise<unknown>): Promise<KubeqlError> {
  const error = await promise.then(
    () => new Error('resolved'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KubeqlError);
  return error as KubeqlError;
}

const describeEvent = ({ type, object }: WatchEvent) => `${type} ${object.metadata.name}`;

describe('request', () => {
  it('resolves data, and throws KubeqlError with the code and causes of an API error', async () => {
    await create(client, 'default', 'req');
    const invalid = await failure(client.request(CREATE, { cm: { metadata: { name: 'Bad_Name' } } }));
    expect(invalid.code).toBe('INVALID');
    expect(invalid.causes.map((c) => c.field)).toEqual(['metadata.name']);
    expect(invalid.causes[0].message).toContain('RFC 1123');
    expect(invalid.path).toEqual(['createConfigMap']);

    const exists = await failure(create(client, 'default', 'req'));
    expect(isCode(exists, 'ALREADY_EXISTS')).toBe(true);

    const current = await client.get('ConfigMap', 'req');
    const stale = current!.metadata.resourceVersion;
    await client.request(REPLACE, {
      n: 'req',
      cm: { metadata: { name: 'req', resourceVersion: stale }, data: { v: '2' } },
    });
    const conflict = await failure(
      client.request(REPLACE, {
        n: 'req',
        cm: { metadata: { name: 'req', resourceVersion: stale }, data: { v: '3' } },
      }),
    );
    expect(isCode(conflict, 'CONFLICT')).toBe(true);
    expect(conflict.message).toMatch(/has been modified/);
    expect(isCode(conflict, 'INVALID')).toBe(false);
  });

  it('turns a wrong token into UNAUTHENTICATED, for requests and for watches', async () => {
    const stranger = createClient({ url: cluster.url, token: 'not-a-token', webSocketImpl: WebSocket });
    try {
      const refused = await failure(stranger.get('ConfigMap', 'req'));
      expect(isCode(refused, 'UNAUTHENTICATED')).toBe(true);
      // Not retried: a refused token ends the watch.
      const watched = await failure(stranger.watch('ConfigMap', {}).next());
      expect(isCode(watched, 'UNAUTHENTICATED')).toBe(true);
    } finally {
      await stranger.close();
    }
  });

  it('reports a server that cannot be reached as UNAVAILABLE', async () => {
    const nowhere = createClient({ url: `http://127.0.0.1:${await freePort()}/graphql`, token: 't' });
    const error = await failure(nowhere.request('{ __typename }'));
    expect(isCode(error, 'UNAVAILABLE')).toBe(true);
    await nowhere.close();
  });
});

describe('get and list', () => {
  it('gets an object as its manifest, null when missing, and cluster-scoped kinds without a namespace', async () => {
    await create(client, 'lists', 'one', { k: 'v' });
    const one = await client.get('ConfigMap', 'one', 'lists');
    expect(one).toMatchObject({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'one', namespace: 'lists' },
    });
    expect(one!.data).toEqual({ k: 'v' });
    expect(await client.get('ConfigMap', 'none', 'lists')).toBeNull();
    expect((await client.get('Namespace', 'lists'))?.kind).toBe('Namespace');
  });

  it('pages with limit and continue at one resourceVersion, and listAll follows every page', async () => {
    for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) await create(client, 'lists', name);
    const first = await client.list('ConfigMap', { namespace: 'lists', limit: 2 });
    expect(first.items.map((o) => o.metadata.name)).toEqual(['one', 'p1']);
    expect(first.continue).toBeTruthy();
    // Written after the first page: the later pages are of the first page's snapshot.
    await create(client, 'lists', 'p6');
    const second = await client.list('ConfigMap', {
      namespace: 'lists',
      limit: 10,
      continue: first.continue,
    });
    expect(second.items.map((o) => o.metadata.name)).toEqual(['p2', 'p3', 'p4', 'p5']);
    expect(second.resourceVersion).toBe(first.resourceVersion);
    expect(second.continue).toBeUndefined();

    const all = await client.listAll('ConfigMap', { namespace: 'lists', pageSize: 2 });
    expect(all.items.map((o) => o.metadata.name)).toEqual(['one', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
    const whole = await client.list('ConfigMap', { namespace: 'lists' });
    expect(all.resourceVersion).toBe(whole.resourceVersion);
    const selected = await client.listAll('ConfigMap', {
      namespace: 'lists',
      fieldSelector: 'metadata.name=p3',
    });
    expect(selected.items.map((o) => o.metadata.name)).toEqual(['p3']);
  });
});

describe('subscribe', () => {
  it('yields data, and return() detaches at once even while next() waits', async () => {
    const hub = cluster.server.resources.hub;
    const before = hub.size;
    const { resourceVersion } = await client.list('ConfigMap', { namespace: 'lists', limit: 1 });
    const events = client.subscribe<{
      watchConfigMaps: { type: string; object: { metadata: { name: string } } };
    }>(
      `subscription($rv: String) { watchConfigMaps(namespace: "lists", resourceVersion: $rv) { type object { metadata { name } } } }`,
      { rv: resourceVersion },
    );
    await create(client, 'lists', 'sub1');
    const [first] = await take(events, 1);
    expect(first.watchConfigMaps).toEqual({ type: 'ADDED', object: { metadata: { name: 'sub1' } } });
    expect(hub.size).toBe(before + 1);

    const waiting = events.next();
    await events.return();
    expect(await waiting).toEqual({ value: undefined, done: true });
    await waitFor(() => hub.size === before);
  });

  it('ends with a KubeqlError when the operation is refused', async () => {
    const events = client.subscribe(`subscription { watchConfigMaps(resourceVersion: "x") { type } }`);
    const error = await failure(events.next());
    expect(isCode(error, 'BAD_REQUEST')).toBe(true);
    expect(await events.next()).toEqual({ value: undefined, done: true });
  });
});

describe('watch', () => {
  it('yields full objects; bookmarks only when asked, shaped as Kubernetes sends them', async () => {
    await create(client, 'initial', 'existing');
    const plain = client.watch('ConfigMap', { namespace: 'initial' });
    const withBookmarks = client.watch('ConfigMap', { namespace: 'initial', allowBookmarks: true });
    const [added] = await take(plain, 1);
    expect(added.type).toBe('ADDED');
    expect(added.object).toMatchObject({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'existing' },
    });
    // Before the initial events end there is no revision to resume from.
    expect(plain.resourceVersion).toBeUndefined();

    const [, end] = await take(withBookmarks, 2);
    expect(end.type).toBe('BOOKMARK');
    expect(end.object).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { resourceVersion: expect.any(String), annotations: { 'k8s.io/initial-events-end': 'true' } },
    });
    await new Promise((resolve) => setTimeout(resolve, 300)); // a periodic bookmark goes by, unseen
    const rv = await create(client, 'initial', 'later');
    const [next] = await take(plain, 1);
    expect(describeEvent(next)).toBe('ADDED later');
    expect(plain.resourceVersion).toBe(rv);
    await plain.return();
    await withBookmarks.return();
  });

  it('resumes across a server restart: each write seen once, in order', async () => {
    const { resourceVersion } = await client.list('ConfigMap', { namespace: 'resume' });
    const watch = client.watch('ConfigMap', { namespace: 'resume', resourceVersion });
    await create(client, 'resume', 'a');
    await create(client, 'resume', 'b');
    expect((await take(watch, 2)).map(describeEvent)).toEqual(['ADDED a', 'ADDED b']);
    const connections = sockets.length;

    await cluster.restart();
    // Written before the watch is back: replayed from the event log.
    await create(client, 'resume', 'c');
    await create(client, 'resume', 'd');
    expect((await take(watch, 2)).map(describeEvent)).toEqual(['ADDED c', 'ADDED d']);
    const last = await create(client, 'resume', 'e');
    expect((await take(watch, 1)).map(describeEvent)).toEqual(['ADDED e']);
    expect(watch.resourceVersion).toBe(last);
    expect(sockets.length).toBeGreaterThan(connections);
    await watch.return();
  });

  it('resumes after the connection drops, without repeating what it had', async () => {
    const { resourceVersion } = await client.list('ConfigMap', { namespace: 'dropped' });
    const watch = client.watch('ConfigMap', { namespace: 'dropped', resourceVersion });
    await create(client, 'dropped', 'a');
    expect((await take(watch, 1)).map(describeEvent)).toEqual(['ADDED a']);

    // A network failure, then a normal close: graphql-ws would resubscribe after the
    // latter with the first variables, so this proves the SDK resumes it instead.
    sockets.at(-1)!.terminate();
    await create(client, 'dropped', 'b');
    expect((await take(watch, 1)).map(describeEvent)).toEqual(['ADDED b']);
    sockets.at(-1)!.close(1000);
    await create(client, 'dropped', 'c');
    await client.request(REPLACE, {
      ns: 'dropped',
      n: 'a',
      cm: { metadata: { name: 'a' }, data: { v: '2' } },
    });
    expect((await take(watch, 2)).map(describeEvent)).toEqual(['ADDED c', 'MODIFIED a']);

    await client.request(`mutation { deleteConfigMap(namespace: "dropped", name: "b") { kind } }`);
    expect((await take(watch, 1)).map(describeEvent)).toEqual(['DELETED b']);
    await watch.return();
  });

  it('drops a connection whose pongs stop coming, and resumes on a new one', async () => {
    const quick = createClient({
      url: cluster.url,
      token: cluster.token,
      webSocketImpl: TrackedWebSocket,
      keepAliveMs: 50,
      pongTimeoutMs: 100,
    });
    try {
      const { resourceVersion } = await quick.list('ConfigMap', { namespace: 'dropped' });
      const watch = quick.watch('ConfigMap', { namespace: 'dropped', resourceVersion });
      await create(client, 'dropped', 'silent1');
      expect((await take(watch, 1)).map(describeEvent)).toEqual(['ADDED silent1']);
      const silent = sockets.at(-1)!;
      // Nothing more is read from this socket: no pong, no event, and no close either.
      (silent as unknown as { _socket: net.Socket })._socket.pause();
      await create(client, 'dropped', 'silent2');
      expect((await take(watch, 1)).map(describeEvent)).toEqual(['ADDED silent2']);
      expect(sockets.at(-1)).not.toBe(silent);
      await watch.return();
    } finally {
      await quick.close();
    }
    // A closed client refuses work instead of retrying it.
    expect((await failure(quick.request('{ __typename }'))).code).toBe('INTERNAL');
    expect((await failure(quick.watch('ConfigMap').next())).message).toMatch(/closed/);
  });

  it('throws EXPIRED for a compacted resourceVersion', async () => {
    const small = await startCluster({ retainEvents: 5, compactEveryMs: 3_600_000 });
    const smallClient = createClient({ url: small.url, token: small.token });
    try {
      const { resourceVersion } = await smallClient.list('ConfigMap', {});
      for (let i = 0; i < 10; i++) await create(smallClient, 'default', `x${i}`);
      await small.server.resources.store.compact();
      const watch = smallClient.watch('ConfigMap', { resourceVersion });
      const error = await failure(watch.next());
      expect(isCode(error, 'EXPIRED')).toBe(true);
      expect(await watch.next()).toEqual({ value: undefined, done: true });
    } finally {
      await smallClient.close();
      await small.stop();
    }
  });
});

describe('in-process transport', () => {
  const inProcess = () =>
    createClient({
      transport: inProcessTransport.fromSchema(buildSchema(), () => ({
        principal: { name: 'admin', groups: ['system:masters'] },
        resources: cluster.server.resources,
        access: cluster.server.access,
      })),
    });

  it('runs requests, lists and watches against the schema without a socket', async () => {
    const local = inProcess();
    const opened = sockets.length;
    try {
      const { resourceVersion } = await local.list('ConfigMap', { namespace: 'inproc' });
      const watch = local.watch('ConfigMap', { namespace: 'inproc', resourceVersion });
      await create(local, 'inproc', 'a', { k: 'v' });
      await create(local, 'inproc', 'b');
      const events = await take(watch, 2);
      expect(events.map(describeEvent)).toEqual(['ADDED a', 'ADDED b']);
      expect(events[0].object.data).toEqual({ k: 'v' });

      const got = (await local.get('ConfigMap', 'a', 'inproc')) as Resource & {
        data: Record<string, string>;
      };
      // Results are the stored objects, uncopied and frozen: changing one fails and leaves the store alone.
      expect(Object.isFrozen(got.data)).toBe(true);
      expect(() => {
        got.data.k = 'changed';
      }).toThrow(TypeError);
      expect(() => Object.assign(events[0].object.metadata, { name: 'changed' })).toThrow(TypeError);
      expect((await local.get('ConfigMap', 'a', 'inproc'))!.data).toEqual({ k: 'v' });
      const all = await local.listAll('ConfigMap', { namespace: 'inproc', pageSize: 1 });
      expect(all.items.map((o) => o.metadata.name)).toEqual(['a', 'b']);

      const invalid = await failure(create(local, 'inproc', 'Bad_Name'));
      expect(isCode(invalid, 'INVALID')).toBe(true);
      expect(invalid.causes[0].field).toBe('metadata.name');

      const hub = cluster.server.resources.hub;
      const before = hub.size;
      await watch.return();
      await waitFor(() => hub.size === before - 1);
      expect(sockets.length).toBe(opened);
    } finally {
      await local.close();
    }
  });
});
