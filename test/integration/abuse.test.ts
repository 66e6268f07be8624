import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { collect, startCluster, type GraphQLResponse, type TestCluster } from '../support/harness.ts';

// Hostile or broken clients: every case is refused with a clear error, and the
// server goes on serving ordinary requests afterwards.

const INIT_TIMEOUT_MS = 300;
const SUBSCRIPTION_CAP = 3;

let cluster: TestCluster;
let base: string;

beforeAll(async () => {
  cluster = await startCluster({
    limits: { connectionInitTimeoutMs: INIT_TIMEOUT_MS, maxSubscriptionsPerConnection: SUBSCRIPTION_CAP },
  });
  base = cluster.url.replace(/\/graphql$/, '');
});

afterAll(async () => {
  await cluster?.stop();
});

afterEach(async () => {
  // Whatever the case did, an ordinary authenticated query still works.
  const data = await cluster.ok('{ namespace(name: "default") { metadata { name } } }');
  expect(data.namespace.metadata.name).toBe('default');
});

/** POSTs raw text to /graphql and returns the status and the parsed body. */
async function post(body: string, headers: Record<string, string> = {}) {
  const res = await fetch(cluster.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${cluster.token}`, ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: JSON.parse(text) as GraphQLResponse };
}

/** A query `depth` fields deep: pods > items > node > pods > node ... > metadata > name. */
function deepQuery(depth: number): string {
  let selection = 'metadata { name }';
  for (let level = depth - 4; level > 0; level--)
    selection = `${level % 2 ? 'node' : 'pods'} { ${selection} }`;
  return `{ pods { items { ${selection} } } }`;
}

/** Streams about `size` bytes of JSON in chunks with no Content-Length (Transfer-Encoding: chunked). */
function postChunked(
  size: number,
  contentType = 'application/json',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(cluster.url, {
      method: 'POST',
      // A fresh connection: the server may close this one once it has refused the body.
      agent: false,
      headers: { 'content-type': contentType, authorization: `Bearer ${cluster.token}` },
    });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    // Once it has answered, the server may drop the connection before reading the rest.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (!answered) reject(error);
    });
    const chunk = Buffer.alloc(64 * 1024, 'a');
    req.write('{"query":"{ __typename }","extensions":{"pad":"');
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end('"}}');
    };
    pump();
    if (req.getHeader('content-length') !== undefined) reject(new Error('the body was meant to be chunked'));
  });
}

/** Opens a raw graphql-transport-ws socket and resolves with its close code and reason. */
function rawSocket(onOpen: (ws: WebSocket) => void): Promise<{ code: number; reason: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const ws = new WebSocket(cluster.wsUrl, 'graphql-transport-ws');
    ws.on('open', () => onOpen(ws));
    ws.on('error', reject);
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString(), ms: Date.now() - started }));
  });
}

describe('query shape limits', () => {
  it('refuses a query deeper than the depth limit, over HTTP and WebSocket', async () => {
    // At the limit the same shape is accepted: the refusal is about depth alone.
    const atLimit = await post(JSON.stringify({ query: deepQuery(20) }));
    expect(atLimit.json.errors).toBeUndefined();
    expect(atLimit.json.data.pods.items).toEqual([]);

    const { json } = await post(JSON.stringify({ query: deepQuery(21) }));
    expect(json.data).toBeUndefined();
    expect(json.errors).toHaveLength(1);
    expect(json.errors![0].message).toBe('Query depth limit of 20 exceeded, found 21.');
    expect(json.errors![0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

    // A client asking for application/graphql-response+json learns of the failure from the status too.
    const strict = await post(JSON.stringify({ query: deepQuery(21) }), {
      accept: 'application/graphql-response+json',
    });
    expect(strict.status).toBe(400);

    const sub = collect(cluster.wsClient(), deepQuery(21));
    await sub.until(() => sub.completed);
    expect(sub.items).toEqual([]);
    expect(sub.errors).toMatchObject([[{ message: 'Query depth limit of 20 exceeded, found 21.' }]]);
    // HTTP-only details (the status yoga reads) stay out of WebSocket messages.
    expect(JSON.stringify(sub.errors)).not.toContain('"http"');
  });

  it('refuses a flood of aliases', async () => {
    const aliases = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `a${i}: namespace(name: "default") { metadata { name } }`).join(' ')} }`;
    const fine = await post(JSON.stringify({ query: aliases(30) }));
    expect(fine.json.errors).toBeUndefined();
    expect(Object.keys(fine.json.data)).toHaveLength(30);

    const { json } = await post(JSON.stringify({ query: aliases(31) }));
    expect(json.data).toBeUndefined();
    expect(json.errors).toHaveLength(1);
    expect(json.errors![0].message).toBe('Aliases limit of 30 exceeded, found 31.');
    expect(json.errors![0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('request bodies', () => {
  const limit = 3 * 1024 * 1024;

  it('refuses a body over the size limit that declares its length with 413', async () => {
    const body = JSON.stringify({ query: '{ __typename }', extensions: { pad: 'a'.repeat(limit) } });
    const res = await post(body);
    expect(res.status).toBe(413);
    expect(res.json.errors![0].message).toBe(`request body is larger than ${limit} bytes`);
    expect(res.json.errors![0].extensions?.code).toBe('BAD_REQUEST');
  });

  it('refuses a chunked body over the size limit with 413, whatever its content type', async () => {
    for (const type of ['application/json', 'application/graphql']) {
      const res = await postChunked(limit + 1024 * 1024, type);
      expect(res.status, type).toBe(413);
      const json = JSON.parse(res.body) as GraphQLResponse;
      expect(json.errors![0].message).toBe(`request body is larger than ${limit} bytes`);
    }
    // A chunked body under the limit is read and answered as usual.
    const small = await postChunked(64 * 1024);
    expect(small.status).toBe(200);
    expect(JSON.parse(small.body)).toEqual({ data: { __typename: 'Query' } });
  });

  it('refuses a body that is not JSON with 400', async () => {
    const res = await post('{"query": "{ __typename }"');
    expect(res.status).toBe(400);
    expect(res.json.errors![0].message).toBe('POST body sent invalid JSON.');
    expect(res.json.errors![0].extensions?.code).toBe('BAD_REQUEST');
    expect(res.json.data).toBeUndefined();
  });
});

describe('WebSocket connections', () => {
  it('closes a socket that never sends connection_init with 4408', async () => {
    const closed = await rawSocket(() => {});
    expect(closed.code).toBe(4408);
    expect(closed.reason).toMatch(/initiali[sz]ation timeout/i);
    expect(closed.ms).toBeGreaterThanOrEqual(INIT_TIMEOUT_MS - 50);
    expect(closed.ms).toBeLessThan(INIT_TIMEOUT_MS + 2000);
  });

  it('closes a socket with a wrong token with 4403', async () => {
    for (const payload of [{ authorization: 'Bearer not-the-token' }, { token: 'not-the-token' }, {}]) {
      const closed = await rawSocket((ws) => ws.send(JSON.stringify({ type: 'connection_init', payload })));
      expect(closed.code, JSON.stringify(payload)).toBe(4403);
    }
  });

  it(`refuses more than ${SUBSCRIPTION_CAP} subscriptions on one connection; the others keep working`, async () => {
    const client = cluster.wsClient();
    const query =
      'subscription { watchConfigMaps(namespace: "default") { type object { metadata { name } } } }';
    const subs = Array.from({ length: SUBSCRIPTION_CAP }, () => collect(client, query));
    // The first ones are open once they have nothing to replay but are still not completed.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const extra = collect(client, query);
    await extra.until(() => extra.completed);
    const refusal = (extra.errors[0] as Array<{ message: string; extensions?: { code?: string } }>)[0];
    expect(refusal.extensions?.code).toBe('TOO_MANY_REQUESTS');
    expect(refusal.message).toMatch(new RegExp(`at most ${SUBSCRIPTION_CAP}`));

    await cluster.ok(
      'mutation { createConfigMap(configMap: { metadata: { name: "capped" } }) { metadata { name } } }',
    );
    for (const sub of subs) {
      await sub.until(() =>
        sub.items.some((item) => item.watchConfigMaps.object?.metadata.name === 'capped'),
      );
      expect(sub.completed).toBe(false);
      expect(sub.errors).toEqual([]);
    }

    // Ending one frees its place.
    subs[0].unsubscribe();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const again = collect(client, query);
    await cluster.ok(
      'mutation { createConfigMap(configMap: { metadata: { name: "capped-2" } }) { metadata { name } } }',
    );
    await again.until(() =>
      again.items.some((item) => item.watchConfigMaps.object?.metadata.name === 'capped-2'),
    );
    expect(again.errors).toEqual([]);
  });
});

describe('authentication over HTTP', () => {
  it('answers 401 UNAUTHENTICATED without a token or with a wrong one', async () => {
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong' },
      { authorization: 'wrong' },
      { authorization: 'Bearer ' },
    ];
    for (const headers of attempts) {
      const res = await fetch(cluster.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: '{ namespace(name: "default") { metadata { name } } }' }),
      });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const json = (await res.json()) as GraphQLResponse;
      expect(json.data).toBeUndefined();
      expect(json.errors![0].extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('tells an unauthenticated client nothing about the schema or its own mistakes', async () => {
    // 401 before the query is parsed or validated: no "Cannot query field", no parse errors.
    for (const body of ['{"query":"{ nosuchfield }"}', '{"query":"{ pods { items { ', '{"query":']) {
      const res = await fetch(cluster.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(res.status, body).toBe(401);
      const json = (await res.json()) as GraphQLResponse;
      expect(json.errors!.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    }
    const get = await fetch(`${cluster.url}?query=${encodeURIComponent('{ __schema { types { name } } }')}`, {
      headers: { accept: 'application/json' },
    });
    expect(get.status).toBe(401);
  });
});

describe('internal errors', () => {
  it('masks an unexpected resolver error: no message, no stack, even with NODE_ENV=development', async () => {
    const secret = 'disk on fire at /var/lib/kubeql/secret-path';
    const spy = vi.spyOn(cluster.server.resources, 'get').mockImplementation(() => {
      throw new Error(secret);
    });
    vi.stubEnv('NODE_ENV', 'development');
    try {
      const res = await post(JSON.stringify({ query: '{ configMap(name: "x") { metadata { name } } }' }));
      expect(spy).toHaveBeenCalled();
      expect(res.json.errors).toHaveLength(1);
      expect(res.json.errors![0].message).toBe('Unexpected error.');
      expect(res.json.errors![0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(res.text).not.toContain('disk on fire');
      expect(res.text).not.toMatch(/stack|\.ts:\d+|at \w+ \(/);
    } finally {
      spy.mockRestore();
      vi.unstubAllEnvs();
    }
  });

  it('masks an unexpected error in a running subscription over WebSocket', async () => {
    vi.stubEnv('NODE_ENV', 'development');
    const spy = vi.spyOn(cluster.server.resources, 'watch').mockImplementation(() =>
      // eslint-disable-next-line require-yield
      (async function* () {
        throw new Error('watch cache corrupted at /var/lib/kubeql');
      })(),
    );
    try {
      const sub = collect(cluster.wsClient(), 'subscription { watchConfigMaps { type } }');
      await sub.until(() => sub.completed);
      expect(spy).toHaveBeenCalled();
      const text = JSON.stringify(sub.errors);
      expect(text).toContain('Unexpected error.');
      expect(text).not.toContain('corrupted');
      expect(text).not.toMatch(/stack|\.ts:\d+/);
    } finally {
      spy.mockRestore();
      vi.unstubAllEnvs();
    }
  });
});

describe('unauthenticated endpoints', () => {
  it('serves GraphiQL to a browser without a token', async () => {
    const res = await fetch(cluster.url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toMatch(/graphiql/i);
    expect(html).toContain('<title>kubeql</title>');
  });

  it('answers /healthz, /readyz and /metrics', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const res = await fetch(base + path);
      expect(res.status, path).toBe(200);
      expect((await res.text()).trim()).toBe('ok');
    }
    const revision = async () => {
      const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${cluster.token}` } });
      expect(res.status).toBe(200);
      const match = /^kubeql_store_revision (\d+)$/m.exec(await res.text());
      expect(match).not.toBeNull();
      return Number(match![1]);
    };
    const before = await revision();
    await cluster.ok(
      'mutation { createConfigMap(configMap: { metadata: { name: "metrics" } }) { metadata { name } } }',
    );
    expect(await revision()).toBeGreaterThan(before);
  });
});
