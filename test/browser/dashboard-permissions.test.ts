import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, buildDashboard, launchChromium } from '../support/browser.ts';
import { startHollowCluster, type HollowCluster } from '../support/hollow.ts';

const TEAM = `apiVersion: v1
kind: Namespace
metadata:
  name: team
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: team
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
`;

/**
 * The dashboard follows what the token may do: a ServiceAccount bound to `view` in one
 * namespace sees only the kinds it may list and finds every write disabled with the
 * reason; the admin token, on the same pages, has them all.
 */
describe('dashboard by permission', () => {
  let cluster: HollowCluster;
  let browser: Browser;
  let webDir: string;
  let base: string;
  let viewerToken: string;
  const contexts: BrowserContext[] = [];

  /** A fresh browser profile (its own saved token) logged in with `token`. */
  const loggedIn = async (token: string): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${base}/`);
    await page.getByLabel('Token').fill(token);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    return page;
  };
  const navLink = (page: Page, name: string) =>
    page.getByRole('navigation', { name: 'Kinds' }).getByRole('link', { name, exact: true });
  const shoot = async (page: Page, name: string) => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
  };

  beforeAll(async () => {
    const build = buildDashboard();
    webDir = build.dir;
    [cluster, browser] = await Promise.all([
      startHollowCluster({ nodes: 1, serverOptions: { webDir } }),
      launchChromium(),
      build.built,
    ]);
    base = cluster.url.replace(/\/graphql$/, '');
    await cluster.client.request('mutation($m: String!) { apply(manifests: $m) { kind } }', { m: TEAM });
    const data = await cluster.client.request<{ t: { token: string } }>(
      `mutation {
        sa: createServiceAccount(namespace: "team", serviceAccount: { metadata: { name: "viewer" } }) { kind }
        rb: createRoleBinding(namespace: "team", roleBinding: {
          metadata: { name: "viewer-views" }
          roleRef: { kind: "ClusterRole", name: "view" }
          subjects: [{ kind: "ServiceAccount", name: "viewer", namespace: "team" }]
        }) { kind }
        t: createToken(namespace: "team", serviceAccountName: "viewer") { token }
      }`,
    );
    viewerToken = data.t.token;
  }, 90_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await cluster?.stop();
    if (webDir) fs.rmSync(webDir, { recursive: true, force: true });
  });

  it('shows a view-only token the kinds it may list in its namespace, and no others', async () => {
    const page = await loggedIn(viewerToken);
    await page.goto(`${base}/deployments?namespace=team`);
    await expect.poll(() => page.getByTestId('count').textContent()).toBe('1');
    await expect.poll(() => navLink(page, 'ConfigMaps').count()).toBe(1);
    // `view` reads no Secrets; a RoleBinding grants no cluster-scoped kind.
    expect(await navLink(page, 'Secrets').count()).toBe(0);
    expect(await navLink(page, 'Nodes').count()).toBe(0);
    expect(await navLink(page, 'Namespaces').count()).toBe(0);
    // Listable in team only: the link keeps the namespace.
    expect(await navLink(page, 'Pods').getAttribute('href')).toBe('/pods?namespace=team');
    // It may not list namespaces: the namespace is typed, not picked.
    expect(await page.getByRole('textbox', { name: 'Namespace' }).inputValue()).toBe('team');

    // A list it may not read says so in place, and is no connection problem.
    await page.goto(`${base}/secrets?namespace=team`);
    await expect.poll(() => page.getByRole('note').textContent()).toContain('Not permitted');
    expect(await page.getByText('Connection problem').count()).toBe(0);
    await shoot(page, 'permissions-viewer-secrets');
  });

  it('disables scale, delete and edit for a view-only token, saying what they need', async () => {
    const page = await loggedIn(viewerToken);
    await page.goto(`${base}/deployments/team/web`);
    const scale = page.getByRole('button', { name: 'Scale' });
    await expect
      .poll(() => scale.getAttribute('title'))
      .toBe('forbidden: needs update on deployments.apps/scale in namespace team');
    expect(await scale.isDisabled()).toBe(true);
    const remove = page.getByRole('button', { name: 'Delete' });
    expect(await remove.getAttribute('title')).toBe(
      'forbidden: needs delete on deployments.apps in namespace team',
    );
    expect(await remove.isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Restart' }).isDisabled()).toBe(true);
    // The rest of the page is there: its pods, which `view` may list.
    await expect
      .poll(() => page.locator('[role=table][aria-label="Pods"]').getAttribute('data-rows'))
      .toBe('2');
    await shoot(page, 'permissions-viewer-deployment');

    await page.getByRole('tab', { name: 'YAML' }).click();
    const edit = page.getByRole('button', { name: 'Edit' });
    expect(await edit.getAttribute('title')).toBe(
      'forbidden: needs patch on deployments.apps in namespace team',
    );
    expect(await edit.isDisabled()).toBe(true);
  });

  it('enables them all for the admin token, and shows it every kind', async () => {
    const page = await loggedIn(cluster.token);
    await page.goto(`${base}/deployments/team/web`);
    // The rules arrive after the page: wait for the navigation to follow them.
    await expect.poll(() => navLink(page, 'Secrets').count()).toBe(1);
    expect(await navLink(page, 'Nodes').count()).toBe(1);
    expect(await navLink(page, 'Secrets').getAttribute('href')).toBe('/secrets');
    await page.getByLabel('Replicas').fill('3');
    const scale = page.getByRole('button', { name: 'Scale' });
    expect(await scale.isDisabled()).toBe(false);
    expect(await scale.getAttribute('title')).toBeNull();
    const remove = page.getByRole('button', { name: 'Delete' });
    expect(await remove.isDisabled()).toBe(false);
    expect(await remove.getAttribute('title')).toBeNull();
    await page.getByRole('tab', { name: 'YAML' }).click();
    expect(await page.getByRole('button', { name: 'Edit' }).isDisabled()).toBe(false);
  });
});
