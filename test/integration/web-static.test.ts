import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWebTypes, WEB_GENERATED_FILE } from '../../scripts/codegen-web.ts';
import { MAX_CACHED_FILE } from '../../server/http/file-cache.ts';
import { DASHBOARD_CSP } from '../../server/http/static.ts';
import { startCluster, type TestCluster } from '../support/harness.ts';

/** The dashboard's files as the API server serves them: caching, compression, CSP, SPA fallback, and the API left alone. */
describe('dashboard files', () => {
  let cluster: TestCluster;
  let missing: TestCluster;
  let base: string;
  const webDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-web-'));
  // Beside the build directory: what a path escaping it would reach.
  const secret = path.join(os.tmpdir(), 'kubeql-web-secret.txt');

  beforeAll(async () => {
    fs.mkdirSync(path.join(webDir, 'assets'));
    fs.writeFileSync(
      path.join(webDir, 'index.html'),
      '<!doctype html><title>kubeql</title><div id="root"></div>',
    );
    fs.writeFileSync(path.join(webDir, 'assets', 'index-Ab12Cd34.js'), 'console.log("app")');
    fs.writeFileSync(path.join(webDir, 'assets', 'vendor-Ef56Gh78.js'), VENDOR);
    fs.writeFileSync(path.join(webDir, 'robots.txt'), 'User-agent: *\n');
    fs.writeFileSync(secret, 'outside');
    [cluster, missing] = await Promise.all([
      startCluster({ webDir }),
      startCluster({ webDir: path.join(webDir, 'not-built') }),
    ]);
    base = cluster.url.replace(/\/graphql$/, '');
  });

  afterAll(async () => {
    await Promise.all([cluster?.stop(), missing?.stop()]);
    fs.rmSync(webDir, { recursive: true, force: true });
    fs.rmSync(secret, { force: true });
  });

  it('serves hashed assets as immutable and index.html as always revalidated', async () => {
    const asset = await fetch(`${base}/assets/index-Ab12Cd34.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).toBe('console.log("app")');

    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(await index.text()).toContain('<div id="root">');

    // Revalidation is cheap: the same ETag gets a 304 without a body.
    const again = await fetch(`${base}/`, { headers: { 'if-none-match': index.headers.get('etag')! } });
    expect(again.status).toBe(304);

    const other = await fetch(`${base}/robots.txt`);
    expect(other.headers.get('cache-control')).toBe('no-cache');
  });

  it("answers the dashboard's own routes with index.html, and missing files with 404", async () => {
    const route = await fetch(`${base}/deployments/default/web?tab=yaml`);
    expect(route.status).toBe(200);
    expect(route.headers.get('cache-control')).toBe('no-cache');
    expect(await route.text()).toContain('<div id="root">');

    const missingAsset = await fetch(`${base}/assets/index-gone.js`);
    expect(missingAsset.status).toBe(404);
    // An encoded slash survives URL normalisation: the server must still stay inside its directory.
    const outside = await rawGet(`${base}/assets%2F..%2F..%2Fkubeql-web-secret.txt`);
    expect(outside.status).toBe(404);
    expect(outside.body).not.toContain('outside');
  });

  it('leaves /graphql to the API: the playground, and operations with a token', async () => {
    const playground = await fetch(`${base}/graphql`, { headers: { accept: 'text/html' } });
    expect(playground.status).toBe(200);
    expect(await playground.text()).toContain('GraphiQL');
    const data = await cluster.ok('{ namespaces { items { metadata { name } } } }');
    expect(data.namespaces.items.length).toBeGreaterThan(0);
    const health = await fetch(`${base}/healthz`);
    expect(await health.text()).toBe('ok\n');
  });

  it('says how to build the dashboard when there is no build', async () => {
    const page = await fetch(missing.url.replace(/\/graphql$/, '/'));
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('npm run build:web');
    // Its one inline style is allowed by its hash, and nothing else.
    expect(page.headers.get('content-security-policy')).toMatch(
      /^default-src 'none'; style-src 'sha256-[\w+/]+=*'/,
    );
  });

  it('sends its pages under a CSP that allows only its own scripts and styles', async () => {
    for (const url of [`${base}/`, `${base}/pods/default/web-1`]) {
      const page = await fetch(url);
      expect(page.headers.get('content-security-policy'), url).toBe(DASHBOARD_CSP);
      expect(page.headers.get('x-content-type-options'), url).toBe('nosniff');
    }
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(DASHBOARD_CSP).not.toContain('unsafe');
  });

  it('compresses each file once, as the client accepts, and sends 304s by content', async () => {
    const url = `${base}/assets/vendor-Ef56Gh78.js`;
    const plain = await request(url);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(VENDOR);
    const gzipped = await request(url, { 'accept-encoding': 'gzip' });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers.vary).toBe('Accept-Encoding');
    expect(Number(gzipped.headers['content-length'])).toBe(gzipped.body.length);
    expect(zlib.gunzipSync(gzipped.body).toString()).toBe(VENDOR);
    await expect
      .poll(
        async () =>
          (await request(url, { 'accept-encoding': 'gzip, deflate, br' })).headers['content-encoding'],
        // Brotli comes after any in progress, such as GraphiQL's (loaded by the test above).
        { timeout: 60_000, interval: 200 },
      )
      .toBe('br');
    const brotli = await request(url, { 'accept-encoding': 'br' });
    expect(zlib.brotliDecompressSync(brotli.body).toString()).toBe(VENDOR);
    expect(brotli.body.length).toBeLessThan(gzipped.body.length);
    // Too small to be worth it: as it is.
    expect(
      (await request(`${base}/assets/index-Ab12Cd34.js`, { 'accept-encoding': 'br' })).headers,
    ).not.toHaveProperty('content-encoding');

    // One validator for every encoding of the same bytes; a list, or a weak tag, matches too.
    expect(brotli.headers.etag).toBe(plain.headers.etag);
    const etag = plain.headers.etag!;
    expect((await request(url, { 'if-none-match': etag, 'accept-encoding': 'br' })).status).toBe(304);
    expect((await request(url, { 'if-none-match': `"other", ${etag}` })).status).toBe(304);
    const head = await request(url, { 'accept-encoding': 'gzip' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(gzipped.body.length);
    expect(head.body.length).toBe(0);
  }, 90_000);

  it('notices a rebuild: new bytes, a new ETag, and the old one no longer matches', async () => {
    const index = path.join(webDir, 'index.html');
    const before = await request(`${base}/`);
    fs.writeFileSync(index, '<!doctype html><title>kubeql</title><div id="root" data-build="2"></div>');
    const after = await request(`${base}/`, { 'if-none-match': before.headers.etag! });
    expect(after.status).toBe(200);
    expect(after.body.toString()).toContain('data-build="2"');
    expect(after.headers.etag).not.toBe(before.headers.etag);
  });

  it('streams a file too big to keep in memory, as it is', async () => {
    const big = path.join(webDir, 'assets', 'big-Zz99Yy88.bin');
    fs.writeFileSync(big, Buffer.alloc(MAX_CACHED_FILE + 1, 'a'));
    try {
      const res = await request(`${base}/assets/big-Zz99Yy88.bin`, { 'accept-encoding': 'gzip, br' });
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.body.length).toBe(MAX_CACHED_FILE + 1);
      expect(
        (await request(`${base}/assets/big-Zz99Yy88.bin`, { 'if-none-match': res.headers.etag! })).status,
      ).toBe(304);
    } finally {
      fs.rmSync(big);
    }
  });

  it('has its generated operation types in step with the schema (run `npm run codegen`)', async () => {
    expect(fs.readFileSync(WEB_GENERATED_FILE, 'utf8')).toBe(await generateWebTypes());
  });
});

/** Big enough to be worth compressing: the dashboard's scripts are ~0.5 MB. */
const VENDOR = Array.from({ length: 2000 }, (_, i) => `export const value${i} = ${i} * 2;\n`).join('');

/** A request as sent, its body as received (fetch would ask for compression and undo it). */
function request(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .request(url, { method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      })
      .on('error', reject)
      .end();
  });
}

/** A GET sent with its path exactly as given (fetch would normalise it). */
function rawGet(url: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  const pathname = url.slice(url.indexOf('/', url.indexOf('//') + 2));
  return new Promise((resolve, reject) => {
    http
      .get({ hostname, port, path: pathname }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}
