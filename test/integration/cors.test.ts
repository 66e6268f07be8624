import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corsFor } from '../../server/http/cors.ts';
import { startCluster, type TestCluster } from '../support/harness.ts';

// CORS on /graphql: same-origin by default, so a page on another origin cannot read the
// API's answers; an allowlist names the origins (a dashboard served elsewhere) that may.

const ALLOWED = 'https://dashboard.example.com';

let closed: TestCluster;
let open: TestCluster;

beforeAll(async () => {
  closed = await startCluster();
  open = await startCluster({ corsOrigins: [ALLOWED, 'http://localhost:5173/'] });
});

afterAll(async () => {
  await Promise.all([closed?.stop(), open?.stop()]);
});

/** A preflight and the request it clears, from `origin`; returns both responses' headers. */
async function fromOrigin(cluster: TestCluster, origin: string) {
  const preflight = await fetch(cluster.url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type',
    },
  });
  const request = await fetch(cluster.url, {
    method: 'POST',
    headers: { origin, 'content-type': 'application/json', authorization: `Bearer ${cluster.token}` },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  expect(request.status).toBe(200);
  return { preflight: preflight.headers, request: request.headers };
}

function expectNoCorsHeaders(headers: Headers): void {
  const cors = [...headers.keys()].filter((name) => name.startsWith('access-control-'));
  expect(cors).toEqual([]);
}

describe('CORS', () => {
  it('gives a foreign origin no Access-Control-Allow-* headers, by default and with an allowlist', async () => {
    for (const cluster of [closed, open]) {
      const { preflight, request } = await fromOrigin(cluster, 'https://evil.example');
      expectNoCorsHeaders(preflight);
      expectNoCorsHeaders(request);
    }
  });

  it('never allows the null origin (sandboxed frames, file: pages)', async () => {
    for (const cluster of [closed, open]) {
      const { preflight, request } = await fromOrigin(cluster, 'null');
      expectNoCorsHeaders(preflight);
      expectNoCorsHeaders(request);
    }
  });

  it('allows an allowlisted origin, without credentials', async () => {
    for (const origin of [ALLOWED, 'http://localhost:5173']) {
      const { preflight, request } = await fromOrigin(open, origin);
      expect(preflight.get('access-control-allow-origin')).toBe(origin);
      expect(preflight.get('access-control-allow-methods')).toBe('GET, POST, PUT, DELETE');
      expect(preflight.get('access-control-allow-headers')).toContain('authorization');
      expect(preflight.get('access-control-allow-credentials')).toBeNull();
      expect(request.get('access-control-allow-origin')).toBe(origin);
      expect(request.get('vary')).toMatch(/origin/i);
    }
    // Not on the default server: the allowlist is per server.
    expectNoCorsHeaders((await fromOrigin(closed, ALLOWED)).request);
  });

  it("clears graphql-sse's single-connection mode for an allowlisted origin: PUT and its stream token", async () => {
    const preflight = await fetch(new URL('/graphql/stream', open.url), {
      method: 'OPTIONS',
      headers: {
        origin: ALLOWED,
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'authorization, x-graphql-event-stream-token',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-graphql-event-stream-token');
    const reserved = await fetch(new URL('/graphql/stream', open.url), {
      method: 'PUT',
      headers: { origin: ALLOWED, authorization: `Bearer ${open.token}` },
    });
    expect(reserved.status).toBe(201);
    expect(reserved.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  });

  it('needs no CORS for the same origin: a request without Origin is served as ever', async () => {
    const res = await fetch(closed.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${closed.token}` },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(res.status).toBe(200);
    expectNoCorsHeaders(res.headers);
  });

  it('refuses an allowlist entry that is not an origin', () => {
    for (const entry of ['null', '*', 'dashboard.example.com', 'file:///tmp/x.html']) {
      expect(() => corsFor([entry]), entry).toThrow(/not an origin/);
    }
  });
});
