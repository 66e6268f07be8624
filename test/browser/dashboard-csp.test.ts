import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_CSP, DEFAULT_WEB_DIR } from '../../server/http/static.ts';
import { buildDashboard, launchChromium } from '../support/browser.ts';
import { startCluster, type TestCluster } from '../support/harness.ts';

const WEB = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: busybox}]}
`;

/** Newer than its sources (as scripts/bootstrap.sh judges): web/dist is the build, no need to make another. */
function upToDate(dir: string): boolean {
  const built = path.join(dir, 'index.html');
  if (!fs.existsSync(built)) return false;
  const since = fs.statSync(built).mtimeMs;
  const newer = (file: string): boolean => {
    const stat = fs.statSync(file);
    if (!stat.isDirectory()) return stat.mtimeMs > since;
    return fs.readdirSync(file).some((name) => newer(path.join(file, name)));
  };
  return !['web/src', 'web/index.html', 'web/vite.config.ts', 'client'].some((source) =>
    newer(path.resolve(source)),
  );
}

/**
 * The dashboard's production build under the CSP the server sends with it: a policy that
 * blocks something the dashboard needs shows as a violation here, even where the page
 * still seems to work (a blocked style, a blocked WebSocket retried as something else).
 */
describe('the dashboard under its Content-Security-Policy', () => {
  let cluster: TestCluster;
  let browser: Browser;
  let page: Page;
  let webDir: string;
  let ownBuild = false;
  const problems: string[] = [];

  beforeAll(async () => {
    // A second build beside web-dashboard.test.ts's would slow both down: one is enough when current.
    let built: Promise<void> = Promise.resolve();
    if (upToDate(DEFAULT_WEB_DIR)) webDir = DEFAULT_WEB_DIR;
    else ({ dir: webDir, built } = buildDashboard());
    ownBuild = webDir !== DEFAULT_WEB_DIR;
    [cluster, browser] = await Promise.all([startCluster({ webDir }), launchChromium(), built]);
    await cluster.ok('mutation($m: String!) { apply(manifests: $m) { kind } }', { m: WEB });
    page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    page.on('console', (m) => {
      if (m.type() === 'error' || m.text().startsWith('CSP')) problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    await page.addInitScript(() =>
      document.addEventListener('securitypolicyviolation', (e) =>
        console.log(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
      ),
    );
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
    if (ownBuild) fs.rmSync(webDir, { recursive: true, force: true });
  });

  it('logs in, lists, shows details and the apply page with no violation', async () => {
    const base = cluster.url.replace(/\/graphql$/, '');
    const index = await page.goto(`${base}/`);
    expect(index?.headers()['content-security-policy']).toBe(DASHBOARD_CSP);
    await page.getByLabel('Token').fill(cluster.token);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();

    // Client-side navigation keeps the WebSocket of the live views; a reload starts a new one.
    for (const path of [
      '/deployments',
      '/deployments/default/web',
      '/pods',
      '/namespaces/default',
      '/apply',
    ]) {
      await page.goto(base + path);
      await page.locator('main h1, main h2').first().waitFor();
    }
    await page.goto(`${base}/deployments/default/web`);
    await expect.poll(() => page.locator('main').innerText()).toContain('web');
    expect(problems).toEqual([]);
  }, 120_000);
});
