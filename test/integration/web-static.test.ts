import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateWebTypes, WEB_GENERATED_FILE } from '../../scripts/codegen-web.ts';
import { startCluster, type TestCluster } from '../support/harness.ts';

/** The dashboard's files as the API server serves them: caching, SPA fallback, and the API left alone. */
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
  });

  it('has its generated operation types in step with the schema (run `npm run codegen`)', async () => {
    expect(fs.readFileSync(WEB_GENERATED_FILE, 'utf8')).toBe(await generateWebTypes());
  });
});

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
