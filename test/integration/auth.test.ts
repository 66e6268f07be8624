import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Authenticator } from '../../server/auth.ts';
import { collect, startCluster, type GraphQLResponse, type TestCluster } from '../support/harness.ts';

// Bearer tokens: the admin token file, and the token on each transport (HTTP,
// WebSocket connection_init or upgrade header, SSE).

let cluster: TestCluster;
let dataDir: string;
const clients: Client[] = [];

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-auth-'));
  expect(fs.existsSync(path.join(dataDir, 'admin.token'))).toBe(false);
  cluster = await startCluster({ dataDir });
});

afterAll(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
  await cluster?.stop();
});

const tokenFile = () => path.join(dataDir, 'admin.token');

async function status(token: string): Promise<number> {
  const res = await fetch(cluster.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  return res.status;
}

/** A graphql-ws client with the given connection_init payload and upgrade-request headers. */
function client(connectionParams: Record<string, unknown>, headers: Record<string, string> = {}): Client {
  class WithHeaders extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  }
  const c = createClient({
    url: cluster.wsUrl,
    webSocketImpl: WithHeaders,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
  clients.push(c);
  return c;
}

const WATCH = 'subscription { watchConfigMaps(namespace: "default") { type object { metadata { name } } } }';

async function createConfigMap(name: string): Promise<void> {
  await cluster.ok(
    `mutation { createConfigMap(configMap: { metadata: { name: "${name}" } }) { metadata { name } } }`,
  );
}

describe('the admin token file', () => {
  it('is written on first start, readable by its owner only', () => {
    const stat = fs.statSync(tokenFile());
    expect(stat.mode & 0o777).toBe(0o600);
    const text = fs.readFileSync(tokenFile(), 'utf8');
    expect(text).toMatch(/^[0-9a-f]{64}\n$/);
    expect(cluster.token).toBe(text.trim());
  });

  it('is reused on restart: the same token keeps working', async () => {
    const before = fs.readFileSync(tokenFile(), 'utf8');
    expect(await status(cluster.token)).toBe(200);
    await cluster.restart();
    expect(fs.readFileSync(tokenFile(), 'utf8')).toBe(before);
    expect(fs.statSync(tokenFile()).mode & 0o777).toBe(0o600);
    expect(await status(cluster.token)).toBe(200);
    expect(await status('0'.repeat(64))).toBe(401);
  });

  it('is taken as it is when it already exists', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-auth-'));
    const mine = 'a-token-the-operator-chose';
    fs.writeFileSync(path.join(dir, 'admin.token'), `${mine}\n`, { mode: 0o600 });
    const other = await startCluster({ dataDir: dir });
    try {
      expect(other.token).toBe(mine);
      expect(await other.ok('{ __typename }')).toEqual({ __typename: 'Query' });
    } finally {
      await other.stop();
    }
  });

  it('is refused when empty, rather than leaving the server without a usable token', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-auth-'));
    fs.writeFileSync(path.join(dir, 'admin.token'), '\n', { mode: 0o600 });
    expect(() => new Authenticator(dir)).toThrow(/admin\.token is empty/);
  });
});

describe('WebSocket authentication', () => {
  const cases: Array<[string, () => Client]> = [
    [
      'connection_init { authorization: "Bearer <t>" }',
      () => client({ authorization: `Bearer ${cluster.token}` }),
    ],
    ['connection_init { token: "<t>" }', () => client({ token: cluster.token })],
    // The request's headers, as a playground holds them: flat, or nested as some clients send them.
    [
      'connection_init { Authorization: "Bearer <t>" }',
      () => client({ Authorization: `Bearer ${cluster.token}` }),
    ],
    [
      'connection_init { headers: { Authorization: "Bearer <t>" } }',
      () => client({ headers: { Authorization: `Bearer ${cluster.token}`, 'X-Other': 'ignored' } }),
    ],
    [
      'connection_init { headers: { authorization: "Bearer <t>" } }',
      () => client({ headers: { authorization: `Bearer ${cluster.token}` } }),
    ],
    [
      "the upgrade request's Authorization header",
      () => client({}, { authorization: `Bearer ${cluster.token}` }),
    ],
  ];

  for (const [how, make] of cases) {
    it(`authenticates with ${how}`, async () => {
      const c = make();
      const query = collect(c, '{ namespace(name: "default") { metadata { name } } }');
      await query.until(() => query.completed);
      expect(query.errors).toEqual([]);
      expect(query.items).toEqual([{ namespace: { metadata: { name: 'default' } } }]);

      const name = `ws-${clients.length}`;
      const watch = collect(c, WATCH);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await createConfigMap(name);
      await watch.until(() =>
        watch.items.some((item) => item.watchConfigMaps.object?.metadata.name === name),
      );
      expect(watch.errors).toEqual([]);
      watch.unsubscribe();
    });
  }

  it('closes the connection with 4403 for a missing or wrong token in any form, saying why', async () => {
    for (const params of [
      {},
      { authorization: 'Bearer wrong' },
      { token: 'wrong' },
      { token: cluster.token.slice(1) },
      { headers: { Authorization: 'Bearer wrong' } },
      { headers: { Authorization: '' } },
      { headers: `Bearer ${cluster.token}` },
      { headers: { Authorization: { token: cluster.token } } },
      { Authorization: ['Bearer', cluster.token] },
    ]) {
      const sub = collect(client(params), '{ __typename }');
      await sub.until(() => sub.completed);
      expect(sub.items).toEqual([]);
      const closed = sub.errors[0] as { code?: number; reason?: string };
      expect(closed.code, JSON.stringify(params)).toBe(4403);
      expect(closed.reason).toBe(
        'Forbidden: connection_init has no valid token ({"authorization": "Bearer <token>"})',
      );
    }
  });
});

describe('SSE subscriptions', () => {
  async function openStream(token?: string) {
    const abort = new AbortController();
    const res = await fetch(cluster.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query: WATCH }),
      signal: abort.signal,
    });
    const events: Array<{
      event: string;
      data?: GraphQLResponse<{ watchConfigMaps: { object?: { metadata: { name: string } } } }>;
    }> = [];
    let buffer = '';
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    const read = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: ?(.*)$/m.exec(block)?.[1];
          if (event) events.push({ event, data: data ? JSON.parse(data) : undefined });
        }
      }
    })().catch(() => {});
    const until = async (predicate: () => boolean, ms = 5000) => {
      const deadline = Date.now() + ms;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out; events ${JSON.stringify(events)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    return { res, events, until, read, close: () => abort.abort() };
  }

  it('streams watch events with the token header', async () => {
    const stream = await openStream(cluster.token);
    try {
      expect(stream.res.status).toBe(200);
      expect(stream.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await createConfigMap('sse-1');
      await stream.until(() =>
        stream.events.some(
          (e) => e.event === 'next' && e.data?.data?.watchConfigMaps.object?.metadata.name === 'sse-1',
        ),
      );
      const event = stream.events.find(
        (e) => e.data?.data?.watchConfigMaps.object?.metadata.name === 'sse-1',
      )!;
      expect(event.data).toEqual({
        data: { watchConfigMaps: { type: 'ADDED', object: { metadata: { name: 'sse-1' } } } },
      });
      expect(stream.events.some((e) => e.data?.errors)).toBe(false);
    } finally {
      stream.close();
      await stream.read;
    }
  });

  it('answers 401 without the token and streams nothing', async () => {
    const stream = await openStream();
    await stream.read;
    expect(stream.res.status).toBe(401);
    expect(stream.events.flatMap((e) => e.data?.errors ?? []).map((e) => e.extensions?.code)).toEqual([
      'UNAUTHENTICATED',
    ]);
    expect(stream.events.some((e) => e.data?.data)).toBe(false);
  });
});
