import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, buildDashboard, launchChromium } from '../support/browser.ts';
import { startHollowCluster, type HollowCluster } from '../support/hollow.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

const WEB = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: busybox:1
          resources:
            requests:
              cpu: 250m
              memory: 64Mi
`;

const WEB_SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
spec:
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 8080
`;

const configMap = (i: number) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: filler-${i}
  namespace: default
data:
  n: "${i}"
`;

const TICKER = `apiVersion: v1
kind: Pod
metadata:
  name: ticker
  namespace: default
spec:
  containers:
    - name: main
      image: busybox
      command: ["sh", "-c", "echo started; while true; do echo tick; sleep 1; done"]
`;

/** A pod bound to a node that does not exist: stored and listed, never run (no agent picks it up). */
const crowdPod = (i: number) => `apiVersion: v1
kind: Pod
metadata:
  name: crowd-${i}
  namespace: crowd
  labels:
    tier: crowd
spec:
  nodeName: nowhere
  containers:
    - name: main
      image: busybox
`;

interface DeploymentData {
  deployment: {
    spec: { replicas: number; template: { spec: { containers: Array<{ image: string }> } } };
    metadata: { annotations: Record<string, string> | null };
  } | null;
}

/**
 * The dashboard in headless Chromium against a real API server (hollow nodes), serving a
 * fresh production build: everything the user does goes through the UI, everything
 * checked about the cluster through the API.
 */
describe('web dashboard', () => {
  let cluster: HollowCluster;
  let browser: Browser;
  let page: Page;
  let base: string;
  let webDir: string;
  let proxy: TcpProxy;

  const deployment = async () =>
    (
      await cluster.client.request<DeploymentData>(
        `{ deployment(namespace: "default", name: "web") {
             spec { replicas template { spec { containers { image } } } }
             metadata { annotations } } }`,
      )
    ).deployment;
  /** Applies manifests through the API, as kubectl apply would. */
  const apply = (manifests: string) =>
    cluster.client.request('mutation($m: String!) { apply(manifests: $m) { kind } }', { m: manifests });
  const shoot = async (name: string) => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: false });
  };
  const rows = (table: string) => page.locator(`[role=table][aria-label="${table}"]`);

  beforeAll(async () => {
    // The server only reads the directory per request: build, start and launch at once.
    const build = buildDashboard();
    webDir = build.dir;
    [cluster, browser] = await Promise.all([
      // A short event log, so that a watch cut off for a while cannot resume and must relist.
      startHollowCluster({ nodes: 3, serverOptions: { webDir, retainEvents: 100, compactEveryMs: 200 } }),
      launchChromium(),
      build.built,
    ]);
    // The browser reaches the server through a proxy the test can cut.
    proxy = await startTcpProxy(Number(new URL(cluster.url).port));
    base = `http://127.0.0.1:${proxy.port}`;
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // Fail a step with its own message well before the test's timeout.
    page.setDefaultTimeout(10_000);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await proxy?.close();
    await cluster?.stop();
    if (webDir) fs.rmSync(webDir, { recursive: true, force: true });
  });

  it('logs in with the API token, refusing a wrong one', async () => {
    await page.goto(`${base}/`);
    await page.getByLabel('Token').fill('not-the-token');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('did not accept');
    await shoot('login');

    await page.getByLabel('Token').fill(cluster.token);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    // The three hollow nodes, live from their watch.
    await expect.poll(() => rows('Nodes').getByText('Ready', { exact: true }).count()).toBe(3);
  });

  it("shows a Deployment's pods appear live after it is applied through the API", async () => {
    await page.goto(`${base}/pods?namespace=default&label=app%3Dweb`);
    await expect.poll(() => page.getByTestId('count').textContent()).toBe('0');
    await apply(WEB);
    await expect.poll(() => page.getByTestId('count').textContent(), { timeout: 15_000 }).toBe('2');
    await expect.poll(() => rows('Pod list').getByText('Running').count(), { timeout: 15_000 }).toBe(2);
    await shoot('pods');
  });

  it('scales the Deployment from its page and follows the pods', async () => {
    await page.goto(`${base}/deployments/default/web`);
    await expect.poll(() => rows('Pods').getAttribute('data-rows')).toBe('2');
    await page.getByLabel('Replicas').fill('4');
    await page.getByRole('button', { name: 'Scale' }).click();
    await expect.poll(() => rows('Pods').getAttribute('data-rows'), { timeout: 15_000 }).toBe('4');
    expect((await deployment())?.spec.replicas).toBe(4);
    await expect
      .poll(() => page.getByLabel('Rollout').getAttribute('data-state'), { timeout: 15_000 })
      .toBe('done');
    await shoot('deployment');
  });

  it('sets an image, then rolls back to the first revision', async () => {
    await page.getByLabel('Image', { exact: true }).fill('busybox:2');
    await page.getByLabel('Change cause').fill('try busybox 2');
    await page.getByRole('button', { name: 'Set image' }).click();
    const revisions = page.getByRole('table', { name: 'Revisions' });
    await revisions.locator('tr[data-revision="2"].current').waitFor({ timeout: 15_000 });
    await expect.poll(() => revisions.getByText('try busybox 2').count()).toBe(1);

    await revisions.locator('tr[data-revision="1"]').getByRole('button', { name: 'Roll back' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Roll back' }).click();
    // Undo turns revision 1's template into the newest revision, 3.
    await revisions.locator('tr[data-revision="3"].current').waitFor({ timeout: 15_000 });
    const rolledBack = await deployment();
    expect(rolledBack?.spec.template.spec.containers[0].image).toBe('busybox:1');
    expect(rolledBack?.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    await expect
      .poll(() => page.getByLabel('Rollout').getAttribute('data-state'), { timeout: 15_000 })
      .toBe('done');
    await shoot('deployment-rolled-back');
  });

  it('shows an invalid YAML edit’s error at its field, and saves nothing', async () => {
    await page.getByRole('tab', { name: 'YAML' }).click();
    await page.getByRole('button', { name: 'Edit' }).click();
    const editor = page.getByLabel('YAML', { exact: true });
    const text = await editor.inputValue();
    const lines = text.split('\n');
    const at = lines.findIndex((line) => line === '  replicas: 4');
    expect(at).toBeGreaterThan(0);
    lines[at] = '  replicas: -3';
    await editor.fill(lines.join('\n'));
    await page.getByRole('button', { name: 'Save' }).click();
    const problems = page.getByRole('alert', { name: 'Problems' });
    await expect.poll(() => problems.textContent()).toContain('spec.replicas');
    expect(await problems.textContent()).toContain(`line ${at + 1}`);
    await shoot('yaml-invalid');
    expect((await deployment())?.spec.replicas).toBe(4);
  });

  it('reports a conflict when the object changed during the edit, and overwrites nothing', async () => {
    const editor = page.getByLabel('YAML', { exact: true });
    await editor.fill((await editor.inputValue()).replace('\n  replicas: -3\n', '\n  replicas: 5\n'));
    await cluster.client.request(
      'mutation { scaleDeployment(namespace: "default", name: "web", replicas: 6) { kind } }',
    );
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('Conflict');
    expect((await deployment())?.spec.replicas).toBe(6);
    // The edit is kept for the user to redo on top of the latest.
    expect(await editor.inputValue()).toContain('\n  replicas: 5\n');
  });

  it("streams a pod's logs as new lines arrive, and runs a command in it", async () => {
    await apply(TICKER);
    await page.goto(`${base}/pods/default/ticker`);
    await expect.poll(() => page.getByText('Running').first().isVisible(), { timeout: 15_000 }).toBe(true);
    await shoot('pod');
    await page.getByRole('tab', { name: 'Logs' }).click();
    const log = page.getByLabel('Log lines');
    await expect.poll(() => log.textContent()).toContain('started');
    const before = Number(await log.getAttribute('data-lines'));
    // The container prints a line a second: following, the view grows without a reload.
    await expect.poll(async () => Number(await log.getAttribute('data-lines'))).toBeGreaterThan(before);
    expect(await log.textContent()).toContain('tick');
    await shoot('pod-logs');

    await page.getByRole('tab', { name: 'Exec' }).click();
    await page.getByLabel('Command').fill('echo "hello from" ticker');
    await page.getByRole('button', { name: 'Run' }).click();
    const result = page.getByLabel('Exec result');
    await expect.poll(() => result.textContent()).toContain('hello from ticker');
    expect(await result.textContent()).toContain('exit code 0');

    await page.getByRole('tab', { name: 'Summary' }).click();
    await page.getByRole('link', { name: /^hollow-/ }).click();
    await page.getByRole('table', { name: 'Conditions' }).waitFor();
    await shoot('node');
  });

  it('creates a Service from YAML and follows it to its endpoints and pods', async () => {
    await page.getByRole('link', { name: '+ Create' }).click();
    await page.getByLabel('Manifests').fill(WEB_SERVICE);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(`${base}/services/default/web`);
    // Service → Endpoints (the ready pods' addresses) → Pods, all live.
    await expect
      .poll(() => page.getByRole('table', { name: 'Endpoint addresses' }).locator('tbody tr').count(), {
        timeout: 15_000,
      })
      .toBe(6);
    // The pods come through their own list and watch, which may land after the endpoints.
    await expect.poll(() => rows('Pods').getAttribute('data-rows')).toBe('6');
    await shoot('service');
    await page
      .getByRole('table', { name: 'Endpoint addresses' })
      .getByRole('link', { name: /^web-/ })
      .first()
      .click();
    await page.getByRole('table', { name: 'Containers' }).waitFor();
    expect(page.url()).toMatch(/\/pods\/default\/web-/);
  });

  it('deletes a pod only after confirmation', async () => {
    await page.goto(`${base}/pods/default/ticker`);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    expect(await page.getByRole('dialog').count()).toBe(0);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(`${base}/pods`);
    await expect
      .poll(
        async () => (await cluster.client.request<{ pod: unknown }>('{ pod(name: "ticker") { kind } }')).pod,
        {
          timeout: 15_000,
        },
      )
      .toBeNull();
  });

  it('stays correct across a dropped connection, relisting what it could not resume', async () => {
    await page.goto(`${base}/deployments/default/web`);
    await expect.poll(() => rows('Pods').getAttribute('data-rows')).toBe('6');
    const before = (await cluster.client.list('Deployment', { namespace: 'default' })).resourceVersion;
    proxy.cut();
    await cluster.client.request(
      'mutation { scaleDeployment(namespace: "default", name: "web", replicas: 2) { kind } }',
    );
    // More changes than the server keeps: the watches' last revision is compacted away.
    await apply(Array.from({ length: 150 }, (_, i) => configMap(i)).join('---\n'));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // No watch can resume from before the cut any more: the dashboard's must list again.
    await expect(
      cluster.client.watch('Deployment', { resourceVersion: before }).next(),
    ).rejects.toMatchObject({
      code: 'EXPIRED',
    });
    proxy.restore();
    await expect.poll(() => rows('Pods').getAttribute('data-rows'), { timeout: 20_000 }).toBe('2');
    // Each watch comes back after its own jittered back-off.
    await expect
      .poll(() => page.locator('.stats').first().textContent(), { timeout: 20_000 })
      .toContain('Desired2');
  });

  it('keeps a list of 1,000 pods responsive: only the rows in view are in the page', async () => {
    await apply('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: crowd\n');
    const pods = Array.from({ length: 1000 }, (_, i) => crowdPod(i)).join('---\n');
    await apply(pods);
    await page.goto(`${base}/pods?namespace=crowd`);
    await expect.poll(() => page.getByTestId('count').textContent(), { timeout: 15_000 }).toBe('1000');
    const rendered = await rows('Pod list').locator('[role=row]').count();
    expect(rendered).toBeLessThan(80);
    // A change to every pod at once arrives as 1,000 events: the page keeps drawing frames
    // meanwhile (measured in the page: the test process is busy being the server).
    await page.evaluate(() => {
      const w = window as unknown as { longestFrameMs: number; stopFrames: boolean };
      w.longestFrameMs = 0;
      w.stopFrames = false;
      let last = performance.now();
      const frame = (now: number) => {
        w.longestFrameMs = Math.max(w.longestFrameMs, now - last);
        last = now;
        if (!w.stopFrames) requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
    await apply(pods.replaceAll('tier: crowd', 'tier: crowd2'));
    await page.getByLabel('Label selector').fill('tier=crowd2');
    await page.getByLabel('Label selector').press('Enter');
    await expect.poll(() => page.getByTestId('count').textContent(), { timeout: 15_000 }).toBe('1000');
    const longestFrameMs = await page.evaluate(() => {
      const w = window as unknown as { longestFrameMs: number; stopFrames: boolean };
      w.stopFrames = true;
      return w.longestFrameMs;
    });
    console.log(`longest frame while 1,000 pods changed: ${Math.round(longestFrameMs)} ms`);
    expect(longestFrameMs).toBeLessThan(1000);
    await page.getByLabel('Filter by name').fill('crowd-99');
    await expect.poll(() => page.getByTestId('count').textContent()).toBe('11');
  });

  it('lays out cleanly in a narrow window', async () => {
    await page.setViewportSize({ width: 420, height: 800 });
    await page.goto(`${base}/`);
    await expect.poll(() => rows('Nodes').getByText('Ready', { exact: true }).count()).toBe(3);
    await shoot('overview-narrow');
    await page.goto(`${base}/deployments/default/web`);
    await page.getByRole('table', { name: 'Revisions' }).waitFor();
    await shoot('deployment-narrow');
    // Nothing is wider than the window: no sideways scrolling of the page itself.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(420);
    await page.getByRole('button', { name: 'Menu' }).click();
    await shoot('menu-narrow');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${base}/`);
    await expect.poll(() => rows('Nodes').getByText('Ready', { exact: true }).count()).toBe(3);
    await shoot('overview');
  });
});
