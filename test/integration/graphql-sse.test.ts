import { createClient, type Client, type ExecutionResult } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type GraphQLResponse, type TestCluster } from '../support/harness.ts';

// graphql-sse's own client against a real server, in both of its modes: distinct
// connections (yoga's SSE on /graphql, and graphql-sse's handler on /graphql/stream) and
// the single connection on /graphql/stream (a reserved stream, operations POSTed to it).
// Whatever goes wrong with an operation reaches the client's sink as the GraphQL error,
// with its code, never as "Server responded with 4xx".

let cluster: TestCluster;

beforeAll(async () => {
  // A short event history, so that a watch from an old resourceVersion fails with EXPIRED.
  cluster = await startCluster({ retainEvents: 5, compactEveryMs: 50 });
  for (let i = 0; i < 12; i++) await createConfigMap(`old-${i}`);
  await waitFor(async () => (await metric('kubeql_store_compacted_revision')) > 5);
});

afterAll(async () => {
  await cluster?.stop();
});

const MODES = [
  { mode: 'distinct connections on /graphql', path: '', singleConnection: false },
  { mode: 'distinct connections on /graphql/stream', path: '/stream', singleConnection: false },
  { mode: 'a single connection on /graphql/stream', path: '/stream', singleConnection: true },
];

let names = 0;

async function createConfigMap(name: string, namespace = 'default'): Promise<void> {
  await cluster.ok(
    `mutation($ns: String, $name: String!) { createConfigMap(namespace: $ns, configMap: { metadata: { name: $name } }) { kind } }`,
    { ns: namespace, name },
  );
}

/** A gauge of the server's /metrics (of `cluster`'s unless another is named). */
async function metric(name: string, of: TestCluster = cluster): Promise<number> {
  const text = await (
    await fetch(of.url.replace(/\/graphql$/, '/metrics'), {
      headers: { authorization: `Bearer ${of.token}` },
    })
  ).text();
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
}

async function waitFor(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** POSTs a watch to the stream reserved as `token`, as graphql-sse's client does. */
function postWatch(of: TestCluster, token: string): Promise<Response> {
  return fetch(`${of.url}/stream`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${of.token}`,
      'content-type': 'application/json',
      'x-graphql-event-stream-token': token,
    },
    body: JSON.stringify({
      query: 'subscription { watchConfigMaps { type } }',
      extensions: { operationId: 'w' },
    }),
  });
}

/** A graphql-sse client with the admin token, counting the requests it makes by method. */
function sseClient(path: string, singleConnection: boolean) {
  const requests: Record<string, number> = {};
  const client = createClient({
    url: `${cluster.url}${path}`,
    singleConnection,
    retryAttempts: 0,
    // A function, so that graphql-sse adds its stream token to a copy, not to one object for good.
    headers: () => ({ authorization: `Bearer ${cluster.token}` }),
    fetchFn: (input: RequestInfo | URL, init?: RequestInit) => {
      const method = init?.method ?? 'GET';
      requests[method] = (requests[method] ?? 0) + 1;
      return fetch(input, init);
    },
  });
  return { client, requests };
}

/** One subscription's results as graphql-sse's sink receives them, and how it ended. */
function subscribe(client: Client<boolean>, query: string) {
  const results: ExecutionResult[] = [];
  let ended: { error?: unknown } | undefined;
  const dispose = client.subscribe(
    { query },
    {
      next: (result) => void results.push(result as ExecutionResult),
      error: (error) => (ended = { error }),
      complete: () => (ended = {}),
    },
  );
  return {
    results,
    dispose,
    get ended() {
      return ended;
    },
    async until(predicate: () => boolean): Promise<void> {
      await waitFor(async () => predicate(), 5000).catch(() => {
        throw new Error(`timed out with ${JSON.stringify({ results, ended: String(ended?.error ?? '') })}`);
      });
    },
  };
}

describe.each(MODES)('graphql-sse, $mode', ({ path, singleConnection }) => {
  it('delivers a subscription’s events, and ends its watch when disposed', async () => {
    const watchers = await metric('kubeql_watchers');
    const { client } = sseClient(path, singleConnection);
    const namespace = `sse-${names++}`;
    await cluster.ok(
      `mutation($n: String!) { createNamespace(namespace: { metadata: { name: $n } }) { kind } }`,
      {
        n: namespace,
      },
    );
    const sub = subscribe(
      client,
      `subscription { watchConfigMaps(namespace: "${namespace}") { type object { metadata { name } } } }`,
    );
    await waitFor(async () => (await metric('kubeql_watchers')) > watchers);
    await createConfigMap('first', namespace);
    await createConfigMap('second', namespace);
    await sub.until(() => sub.results.length >= 2);
    expect(sub.results.map((r) => r.data)).toEqual([
      { watchConfigMaps: { type: 'ADDED', object: { metadata: { name: 'first' } } } },
      { watchConfigMaps: { type: 'ADDED', object: { metadata: { name: 'second' } } } },
    ]);
    sub.dispose();
    client.dispose();
    await waitFor(async () => (await metric('kubeql_watchers')) === watchers);
  });

  it('delivers a failed subscription’s error to the sink as the GraphQL error, with its code', async () => {
    const { client } = sseClient(path, singleConnection);
    const sub = subscribe(client, 'subscription { watchConfigMaps(resourceVersion: "1") { type } }');
    await sub.until(() => sub.ended !== undefined);
    expect(sub.ended).toEqual({});
    expect(sub.results).toHaveLength(1);
    expect(sub.results[0].data ?? undefined).toBeUndefined();
    expect(sub.results[0].errors).toMatchObject([
      { message: expect.stringContaining('too old resource version'), extensions: { code: 'EXPIRED' } },
    ]);
    client.dispose();
  });

  it('delivers a document that does not validate as a coded error, not a refused stream', async () => {
    const { client } = sseClient(path, singleConnection);
    const sub = subscribe(client, 'subscription { noSuchField }');
    await sub.until(() => sub.ended !== undefined);
    expect(sub.ended).toEqual({});
    const [error] = sub.results[0].errors as unknown as GraphQLResponse['errors'] & object;
    expect(error.message).toContain('noSuchField');
    expect(error.extensions?.code).toMatch(/^(BAD_REQUEST|GRAPHQL_VALIDATION_FAILED)$/);
    expect(JSON.stringify(sub.results)).not.toContain('"http"');
    client.dispose();
  });

  it('answers a query', async () => {
    const { client } = sseClient(path, singleConnection);
    const results: unknown[] = [];
    for await (const result of client.iterate({
      query: '{ namespace(name: "default") { metadata { name } } }',
    }))
      results.push(result);
    expect(results).toEqual([{ data: { namespace: { metadata: { name: 'default' } } } }]);
    client.dispose();
  });
});

describe('graphql-sse, the single connection', () => {
  const streamUrl = () => `${cluster.url}/stream`;
  const auth = () => ({ authorization: `Bearer ${cluster.token}` });

  it('runs several operations on one event stream', async () => {
    const { client, requests } = sseClient('/stream', true);
    const namespace = `sse-${names++}`;
    await cluster.ok(
      `mutation($n: String!) { createNamespace(namespace: { metadata: { name: $n } }) { kind } }`,
      {
        n: namespace,
      },
    );
    const query = `subscription { watchConfigMaps(namespace: "${namespace}") { object { metadata { name } } } }`;
    const [a, b] = [subscribe(client, query), subscribe(client, query)];
    await new Promise((resolve) => setTimeout(resolve, 200));
    await createConfigMap('shared', namespace);
    await a.until(() => a.results.length === 1);
    await b.until(() => b.results.length === 1);
    expect(requests).toMatchObject({ PUT: 1, GET: 1, POST: 2 });
    a.dispose();
    b.dispose();
    client.dispose();
  });

  it('serves a stream only to the principal that reserved it, and codes every refusal', async () => {
    const reserved = await fetch(streamUrl(), { method: 'PUT', headers: auth() });
    expect(reserved.status).toBe(201);
    const token = await reserved.text();
    expect(token).toMatch(/^[0-9a-f-]{36}$/);

    const anonymous = await fetch(streamUrl(), {
      headers: { accept: 'text/event-stream', 'x-graphql-event-stream-token': token },
    });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as GraphQLResponse).errors![0].extensions?.code).toBe('UNAUTHENTICATED');

    const unknown = await fetch(streamUrl(), {
      headers: {
        ...auth(),
        accept: 'text/event-stream',
        'x-graphql-event-stream-token': crypto.randomUUID(),
      },
    });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as GraphQLResponse).errors![0].extensions?.code).toBe('NOT_FOUND');

    const withoutId = await fetch(streamUrl(), {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json', 'x-graphql-event-stream-token': token },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(withoutId.status).toBe(400);
    expect(await withoutId.json()).toEqual({
      errors: [{ message: 'Operation ID is missing', extensions: { code: 'BAD_REQUEST' } }],
    });

    const notJson = await fetch(streamUrl(), {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json', 'x-graphql-event-stream-token': token },
      body: '{"query": ',
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({
      errors: [{ message: 'POST body sent invalid JSON.', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('delivers a watch’s many initial events, paced by what the client reads', async () => {
    const namespace = `sse-${names++}`;
    await cluster.ok(
      `mutation($n: String!) { createNamespace(namespace: { metadata: { name: $n } }) { kind } }`,
      {
        n: namespace,
      },
    );
    const items = Array.from({ length: 300 }, (_, i) => ({
      kind: 'ConfigMap',
      metadata: { name: `c-${i}` },
    }));
    await cluster.ok(`mutation($m: String!, $ns: String) { apply(manifests: $m, namespace: $ns) { kind } }`, {
      m: JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: items.map((i) => ({ apiVersion: 'v1', ...i })),
      }),
      ns: namespace,
    });
    const { client } = sseClient('/stream', true);
    const sub = subscribe(
      client,
      `subscription { watchConfigMaps(namespace: "${namespace}") { type object { metadata { name } } } }`,
    );
    await sub.until(() => sub.results.length === 300);
    expect(new Set(sub.results.map((r) => JSON.stringify(r.data))).size).toBe(300);
    client.dispose();
  });

  it('drops a reservation not taken up in time, with the operations sent to it', async () => {
    const quick = await startCluster({ connectionLimits: { headersTimeoutMs: 400 } });
    try {
      const headers = { authorization: `Bearer ${quick.token}` };
      const token = await (await fetch(`${quick.url}/stream`, { method: 'PUT', headers })).text();
      expect((await postWatch(quick, token)).status).toBe(202);
      const watchers = () => metric('kubeql_watchers', quick);
      expect(await watchers()).toBe(1);
      await waitFor(async () => (await watchers()) === 0);
      const late = await fetch(`${quick.url}/stream`, {
        headers: { ...headers, accept: 'text/event-stream', 'x-graphql-event-stream-token': token },
      });
      expect(late.status).toBe(404);
    } finally {
      await quick.stop();
    }
  });

  it('caps streams as WebSocket connections are, and frees one with its operations when its client goes', async () => {
    const capped = await startCluster({ connectionLimits: { maxConnectionsPerClient: 1 } });
    try {
      const url = `${capped.url}/stream`;
      const headers = { authorization: `Bearer ${capped.token}` };
      const watchers = () => metric('kubeql_watchers', capped);
      for (let round = 0; round < 2; round++) {
        const token = await (await fetch(url, { method: 'PUT', headers })).text();
        const client = new AbortController();
        const stream = await fetch(url, {
          headers: { ...headers, accept: 'text/event-stream', 'x-graphql-event-stream-token': token },
          signal: client.signal,
        });
        expect(stream.status).toBe(200);
        expect((await postWatch(capped, token)).status).toBe(202);
        expect(await watchers()).toBe(1);

        const another = await fetch(url, { method: 'PUT', headers });
        expect(another.status).toBe(429);
        expect(another.headers.get('retry-after')).toBeTruthy();
        expect(((await another.json()) as GraphQLResponse).errors![0].extensions?.code).toBe(
          'TOO_MANY_REQUESTS',
        );

        client.abort();
        await stream
          .body!.getReader()
          .read()
          .catch(() => {});
        await waitFor(async () => (await watchers()) === 0);
      }
    } finally {
      await capped.stop();
    }
  });

  it('holds its operations against the subscription caps, as WebSocket and SSE are', async () => {
    const capped = await startCluster({ connectionLimits: { maxSubscriptionsPerClient: 1 } });
    try {
      const client = createClient({
        url: `${capped.url}/stream`,
        singleConnection: true,
        retryAttempts: 0,
        headers: () => ({ authorization: `Bearer ${capped.token}` }),
      });
      const first = subscribe(client, 'subscription { watchConfigMaps { type } }');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const second = subscribe(client, 'subscription { watchSecrets { type } }');
      await second.until(() => second.ended !== undefined);
      expect(second.results[0].errors).toMatchObject([{ extensions: { code: 'TOO_MANY_REQUESTS' } }]);
      expect(first.ended).toBeUndefined();
      client.dispose();
    } finally {
      await capped.stop();
    }
  });
});
