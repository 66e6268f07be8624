import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type KubeqlClient } from '../../client/index.ts';
import { trustingFetch, type Fetch } from '../../client/node-tls.ts';
import { startCluster, type TestCluster } from '../support/harness.ts';
import { kubectlHome } from '../support/kubectl.ts';
import { kubectlBinaries, runKubectl, type KubectlRun } from '../support/kubectl-binaries.ts';

// The Kubernetes REST API's reads (server/rest/) against the real kubectl, unchanged.

const BINARIES = kubectlBinaries('kubectl-read');

let cluster: TestCluster;
let home: string;
let kubeconfig: string;
let api: KubeqlClient;
/** fetch that trusts the cluster's CA, for the REST API without kubectl. */
let https: { fetch: Fetch; close(): void };

beforeAll(async () => {
  // kubectl sends its token only over TLS: the server's own, verified with the cluster CA.
  cluster = await startCluster({ tls: { serve: true } });
  ({ home, kubeconfig } = await kubectlHome(cluster, 'kubectl-read'));
  api = createClient({ url: cluster.url, token: cluster.token, ca: cluster.server.ca });
  https = trustingFetch(cluster.server.ca!);
  await apply(
    `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: default, labels: { app: web } }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: nginx, image: nginx:1.27 }] }
---
apiVersion: v1
kind: Pod
metadata: { name: web-pod, namespace: default, labels: { app: web } }
spec: { containers: [{ name: nginx, image: nginx:1.27 }] }
---
apiVersion: v1
kind: Pod
metadata: { name: db-pod, namespace: kube-system, labels: { app: db } }
spec: { containers: [{ name: pg, image: postgres:17 }] }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: x, namespace: default }
data: { greeting: hello }
`,
  );
}, 30_000);

afterAll(async () => {
  https?.close();
  await api?.close();
  await cluster?.stop();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

function apply(manifests: string) {
  return api.request(`mutation($m: String!) { apply(manifests: $m) { kind } }`, { m: manifests });
}

function kubectl(binary: string, args: string[]): Promise<KubectlRun> {
  return runKubectl(binary, args, { home, kubeconfig }, 20_000);
}

async function ok(binary: string, args: string[]): Promise<string> {
  const run = await kubectl(binary, args);
  if (run.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
  return run.stdout;
}

describe('REST API without kubectl', () => {
  it('answers 401 with a Status without a valid token', async () => {
    const root = new URL(cluster.url).origin;
    const res = await https.fetch(`${root}/api/v1/pods`, { headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Unauthorized',
      code: 401,
    });
  });

  it('lists in Kubernetes JSON, pages with limit/continue, and answers NotFound as a Status', async () => {
    const root = new URL(cluster.url).origin;
    const headers = { authorization: `Bearer ${cluster.token}` };
    const page = await (await https.fetch(`${root}/api/v1/pods?limit=1`, { headers })).json();
    expect(page).toMatchObject({ kind: 'PodList', apiVersion: 'v1' });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ apiVersion: 'v1', kind: 'Pod' });
    expect(page.metadata.continue).toBeTruthy();
    const rest = await (
      await https.fetch(
        `${root}/api/v1/pods?limit=1&continue=${encodeURIComponent(page.metadata.continue)}`,
        {
          headers,
        },
      )
    ).json();
    expect(rest.items).toHaveLength(1);
    expect(rest.items[0].metadata.name).not.toBe(page.items[0].metadata.name);

    const res = await https.fetch(`${root}/apis/apps/v1/namespaces/default/deployments/nope`, { headers });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', group: 'apps', kind: 'deployments' },
      code: 404,
    });
  });

  it('watch streams ADDED events first, ends at timeoutSeconds, and answers a compacted resourceVersion with 410 Expired', async () => {
    const root = new URL(cluster.url).origin;
    const headers = { authorization: `Bearer ${cluster.token}` };
    const read = async (query: string) => {
      const res = await https.fetch(`${root}/api/v1/namespaces/default/configmaps?${query}`, { headers });
      expect(res.status).toBe(200);
      return (await res.text())
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    };
    const initial = await read('watch=true&timeoutSeconds=1&allowWatchBookmarks=true&resourceVersion=0');
    expect(initial[0]).toMatchObject({ type: 'ADDED', object: { apiVersion: 'v1', kind: 'ConfigMap' } });
    expect(initial.some((e) => e.type === 'ADDED' && e.object.metadata.name === 'x')).toBe(true);
    expect(initial.some((e) => e.type === 'BOOKMARK')).toBe(true);

    const store = cluster.server.resources.store;
    const old = store.revision;
    await apply(
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: compaction-marker, namespace: default }\n',
    );
    store.log.compactTo(store.revision);
    const events = await read(`watch=1&resourceVersion=${old}&timeoutSeconds=1`);
    expect(events).toEqual([
      {
        type: 'ERROR',
        object: expect.objectContaining({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 }),
      },
    ]);
  });
});

for (const [version, binary] of Object.entries(BINARIES)) {
  describe.skipIf(!binary)(`kubectl ${version}`, () => {
    const bin = binary!;

    it('version -o json reports the server', async () => {
      const out = JSON.parse(await ok(bin, ['version', '-o', 'json']));
      expect(out.serverVersion).toMatchObject({ major: '1', minor: '33' });
      expect(out.serverVersion.gitVersion).toMatch(/^v1\.33\./);
    });

    it('api-resources lists the kinds with short names', async () => {
      const out = await ok(bin, ['api-resources']);
      expect(out).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/m);
      expect(out).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
      expect(out).toMatch(/^nodes\s+no\s+v1\s+false\s+Node$/m);
    });

    it('get pods -A and get deploy print the columns of kq get', async () => {
      const pods = await ok(bin, ['get', 'pods', '-A']);
      expect(pods.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
      expect(pods).toMatch(/^default\s+web-pod\s+0\/1\s+Pending\s+0\s+\S+$/m);
      expect(pods).toMatch(/^kube-system\s+db-pod\s/m);
      const deploy = await ok(bin, ['get', 'deploy', '-n', 'default']);
      expect(deploy.split('\n')[0]).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
      expect(deploy).toMatch(/^web\s+0\/2\s+0\s+0\s+\S+$/m);
      const wide = await ok(bin, ['get', 'deploy', 'web', '-o', 'wide']);
      expect(wide).toMatch(/^web\s+0\/2\s+0\s+0\s+\S+\s+nginx\s+nginx:1\.27\s+app=web$/m);
    });

    it('get cm x -o yaml, json and jsonpath', async () => {
      const yaml = await ok(bin, ['get', 'cm', 'x', '-o', 'yaml']);
      expect(yaml).toMatch(/^kind: ConfigMap$/m);
      expect(yaml).toMatch(/^ {2}greeting: hello$/m);
      const json = JSON.parse(await ok(bin, ['get', 'cm', 'x', '-o', 'json']));
      expect(json).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', data: { greeting: 'hello' } });
      expect(await ok(bin, ['get', 'cm', 'x', '-o', 'jsonpath={.data.greeting}'])).toBe('hello');
    });

    it('get pods -l app=web selects by label', async () => {
      const out = await ok(bin, ['get', 'pods', '-l', 'app=web', '-o', 'name']);
      expect(out.trim().split('\n')).toEqual(['pod/web-pod']);
    });

    it('prints NotFound as kubectl does', async () => {
      const run = await kubectl(bin, ['get', 'pods', 'nope']);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain('Error from server (NotFound): pods "nope" not found');
    });

    it('get cm -w sees a ConfigMap created afterwards through GraphQL', async () => {
      const name = `watched-${version.replace('.', '-')}`;
      const child = spawn(bin, ['get', 'cm', '-w'], {
        env: { PATH: process.env.PATH ?? '', HOME: home, KUBECONFIG: kubeconfig },
      });
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      // One listener for the whole run (one per wait would append each chunk once per wait);
      // output comes in chunks that may end mid-line, so a wait is for a whole line.
      let onOutput = () => {};
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        onOutput();
      });
      try {
        const seen = (line: RegExp) =>
          new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no ${line} in ${stdout} / ${stderr}`)), 15_000);
            onOutput = () => {
              if (!line.test(stdout)) return;
              clearTimeout(timer);
              resolve();
            };
            onOutput();
          });
        await seen(/^x\s+1\s+\S+$/m);
        await apply(
          `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name}, namespace: default }\ndata: { a: b }\n`,
        );
        await seen(new RegExp(`^${name}\\s+1\\s+\\S+$`, 'm'));
        // Once: no event is delivered twice.
        expect(stdout.match(new RegExp(`^${name}\\s`, 'gm'))).toHaveLength(1);
      } finally {
        child.kill();
      }
      // The server ends the watch when kubectl goes away.
      const hub = cluster.server.resources.hub;
      for (let i = 0; i < 50 && hub.size > 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(hub.size).toBe(0);
    });
  });
}
