import { build } from 'esbuild';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { startHollowCluster, type HollowCluster } from '../support/hollow.ts';

// The example custom dashboard (examples/live-rollout), built as its README says and served
// from an origin of its own, as someone else's app would be: urql and Graphcache against the
// API, allowed by --cors-origin, following a rollout in Chromium without a reload.

const EXAMPLE = path.resolve('examples/live-rollout');

const deployment = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: default }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: ${image} }] }`;

describe('the example dashboard on urql', () => {
  let site: http.Server;
  let origin: string;
  let cluster: HollowCluster;
  let browser: Browser;

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-example-'));
    await build({
      entryPoints: [path.join(EXAMPLE, 'main.ts')],
      bundle: true,
      format: 'esm',
      outfile: path.join(dir, 'main.js'),
      logLevel: 'warning',
    });
    fs.copyFileSync(path.join(EXAMPLE, 'index.html'), path.join(dir, 'index.html'));
    site = http.createServer((req, res) => {
      const file = new URL(req.url ?? '/', 'http://x').pathname === '/main.js' ? 'main.js' : 'index.html';
      res.setHeader('content-type', file.endsWith('.js') ? 'text/javascript' : 'text/html');
      res.end(fs.readFileSync(path.join(dir, file)));
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    [cluster, browser] = await Promise.all([
      startHollowCluster({ nodes: 2, serverOptions: { corsOrigins: [origin] } }),
      launchChromium(),
    ]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
    site?.close();
  });

  const apply = (manifests: string) =>
    cluster.client.request('mutation($m: String!) { apply(manifests: $m) { kind } }', { m: manifests });

  it('follows a Deployment rolling out, from another origin, with no reload', async () => {
    await apply(deployment('busybox:1'));
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${origin}/?api=${encodeURIComponent(cluster.url)}&token=${cluster.token}&name=web`);
    const pods = page.locator('#pods tr');
    await expect
      .poll(() => page.locator('#summary').innerText(), { timeout: 20_000 })
      .toBe('3 updated, 3 ready, 3 available of 3');
    await expect.poll(() => pods.count()).toBe(3);

    await apply(deployment('busybox:2'));
    // The page changes by itself: new pods with the new image, all Running, the old ones gone.
    await expect
      .poll(async () => (await pods.allInnerTexts()).map((row) => row.split('\t').slice(1).join(' ')), {
        timeout: 30_000,
      })
      .toEqual(['busybox:2 Running', 'busybox:2 Running', 'busybox:2 Running']);
    await expect
      .poll(() => page.locator('#conditions').innerText())
      .toContain('Progressing=True (NewReplicaSetAvailable)');
    expect(problems).toEqual([]);
  }, 90_000);
});
