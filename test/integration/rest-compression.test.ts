import http from 'node:http';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/harness.ts';

// The REST API gzips large answers for clients that accept it, as kube-apiserver does
// (128 KiB and more): kubectl and client-go ask for gzip on every request.

let cluster: TestCluster;
let origin: URL;

function get(path: string, acceptEncoding?: string) {
  return new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${cluster.token}` };
    if (acceptEncoding) headers['accept-encoding'] = acceptEncoding;
    http
      .get(new URL(path, origin), { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe('REST answers compressed', () => {
  beforeAll(async () => {
    cluster = await startCluster();
    origin = new URL(cluster.url);
    const filler = 'x'.repeat(2000);
    for (let i = 0; i < 80; i++) {
      const res = await fetch(new URL('/api/v1/namespaces/default/configmaps', origin), {
        method: 'POST',
        headers: { authorization: `Bearer ${cluster.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `cm-${i}` },
          data: { filler },
        }),
      });
      expect(res.status).toBe(201);
    }
  });
  afterAll(() => cluster?.stop());

  it('gzips a list of 128 KiB or more when asked, and sends it as it is otherwise', async () => {
    const plain = await get('/api/v1/namespaces/default/configmaps');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(128 * 1024);

    const gzipped = await get('/api/v1/namespaces/default/configmaps', 'gzip, deflate');
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(Number(gzipped.headers['content-length'])).toBe(gzipped.body.length);
    expect(gzipped.body.length).toBeLessThan(plain.body.length / 10);
    const list = JSON.parse(zlib.gunzipSync(gzipped.body).toString('utf8')) as { items: unknown[] };
    expect(list.items).toHaveLength(80);
    expect(JSON.parse(plain.body.toString('utf8'))).toEqual(list);
  });

  it('leaves small answers alone', async () => {
    const one = await get('/api/v1/namespaces/default/configmaps/cm-1', 'gzip');
    expect(one.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(one.body.toString('utf8')).metadata.name).toBe('cm-1');
  });
});
