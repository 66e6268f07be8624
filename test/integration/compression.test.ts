import http from 'node:http';
import type { Socket } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { pod } from '../../bench/workload.ts';
import { startCluster, type TestCluster } from '../support/harness.ts';

// Compression as clients meet it: /graphql's JSON answers in gzip or Brotli when asked
// and worth it, event streams never, and WebSocket messages with permessage-deflate.

const PODS = 1000;
const LIST = `{ pods(namespace: "big", limit: ${PODS}) { items { manifest } } }`;

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster();
  await cluster.ok(`mutation { createNamespace(namespace: { metadata: { name: "big" } }) { kind } }`);
  for (let i = 0; i < PODS; i += 100) {
    const items = Array.from({ length: 100 }, (_, k) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      ...pod(`p-${i + k}`),
    }));
    await cluster.ok(`mutation($m: String!) { apply(manifests: $m, namespace: "big") { kind } }`, {
      m: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }),
    });
  }
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The bytes as they came over the wire. */
  body: Buffer;
}

/** POSTs over node's http, which leaves the body as it came (fetch would decode it). */
function post(query: string, headers: Record<string, string> = {}): Promise<Answer> {
  const body = JSON.stringify({ query });
  return new Promise((resolve, reject) => {
    const req = http.request(
      cluster.url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${cluster.token}`,
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const decoders: Record<string, (body: Buffer) => Buffer> = {
  gzip: zlib.gunzipSync,
  br: zlib.brotliDecompressSync,
};

describe('HTTP answers', () => {
  it('compresses a large list with gzip or Brotli, to the same JSON, many times smaller', async () => {
    const plain = await post(LIST);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const json = JSON.parse(plain.body.toString()) as { data: { pods: { items: unknown[] } } };
    expect(json.data.pods.items).toHaveLength(PODS);

    for (const encoding of ['gzip', 'br']) {
      const answer = await post(LIST, { 'accept-encoding': encoding });
      expect(answer.status).toBe(200);
      expect(answer.headers['content-encoding']).toBe(encoding);
      expect(answer.headers.vary).toMatch(/accept-encoding/i);
      expect(Number(answer.headers['content-length'])).toBe(answer.body.length);
      expect(answer.body.length).toBeLessThan(plain.body.length / 10);
      expect(JSON.parse(decoders[encoding](answer.body).toString())).toEqual(json);
    }
  });

  it('prefers Brotli, and honours q=0', async () => {
    expect((await post(LIST, { 'accept-encoding': 'gzip, deflate, br' })).headers['content-encoding']).toBe(
      'br',
    );
    expect((await post(LIST, { 'accept-encoding': 'br;q=0, gzip' })).headers['content-encoding']).toBe(
      'gzip',
    );
  });

  it('sends an answer as it is when the client does not ask, or it is small', async () => {
    const unasked: Array<Record<string, string>> = [
      {},
      { 'accept-encoding': 'identity' },
      { 'accept-encoding': 'gzip;q=0, br;q=0' },
    ];
    for (const headers of unasked) {
      const answer = await post(LIST, headers);
      expect(answer.headers['content-encoding'], JSON.stringify(headers)).toBeUndefined();
      expect(JSON.parse(answer.body.toString()).data.pods.items).toHaveLength(PODS);
    }
    const small = await post('{ __typename }', { 'accept-encoding': 'gzip, br' });
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(small.body.toString())).toEqual({ data: { __typename: 'Query' } });
  });

  it('never compresses an event stream', async () => {
    const body = JSON.stringify({ query: 'subscription { watchPods(namespace: "big") { type } }' });
    const first = await new Promise<{ headers: http.IncomingHttpHeaders; text: string }>(
      (resolve, reject) => {
        const req = http.request(cluster.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'text/event-stream',
            'accept-encoding': 'gzip, br',
            authorization: `Bearer ${cluster.token}`,
          },
        });
        req.on('response', (res) => {
          res.once('data', (chunk: Buffer) => {
            resolve({ headers: res.headers, text: chunk.toString() });
            req.destroy();
          });
        });
        req.on('error', reject);
        req.end(body);
      },
    );
    expect(first.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(first.headers['content-encoding'] ?? 'none').toBe('none');
    expect(first.text).toMatch(/^:|^event: next/);
  });
});

/** Runs LIST over graphql-transport-ws; resolves with what was negotiated and the bytes read. */
async function overWebSocket(perMessageDeflate: boolean) {
  const ws = new WebSocket(cluster.wsUrl, 'graphql-transport-ws', { perMessageDeflate });
  let socket: Socket | undefined;
  let extensions = '';
  ws.on('upgrade', (res) => {
    socket = res.socket;
    extensions = String(res.headers['sec-websocket-extensions'] ?? '');
  });
  const messages: Array<{ type: string; payload?: unknown }> = [];
  const done = new Promise<void>((resolve, reject) => {
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; payload?: unknown };
      messages.push(message);
      if (message.type === 'connection_ack')
        ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: LIST } }));
      if (message.type === 'complete' || message.type === 'error') resolve();
    });
    ws.on('error', reject);
  });
  await new Promise((resolve) => ws.once('open', resolve));
  const before = socket!.bytesRead;
  ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${cluster.token}` } }));
  await done;
  const bytes = socket!.bytesRead - before;
  ws.close();
  const next = messages.find((m) => m.type === 'next') as {
    payload: { data: { pods: { items: unknown[] } } };
  };
  return { extensions, bytes, items: next.payload.data.pods.items.length, size: JSON.stringify(next).length };
}

describe('WebSocket messages', () => {
  it('negotiates permessage-deflate without context takeover, and compresses a large answer', async () => {
    const deflated = await overWebSocket(true);
    expect(deflated.extensions).toMatch(/^permessage-deflate\b/);
    expect(deflated.extensions).toContain('server_no_context_takeover');
    expect(deflated.extensions).toContain('server_max_window_bits=11');
    expect(deflated.items).toBe(PODS);
    expect(deflated.bytes).toBeLessThan(deflated.size / 10);

    const plain = await overWebSocket(false);
    expect(plain.extensions).toBe('');
    expect(plain.items).toBe(PODS);
    expect(plain.bytes).toBeGreaterThan(plain.size);
  });
});
