import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_WEB_IMAGES } from '../../agent/node/images.ts';
import { httpGet, startDockerCluster, type DockerCluster } from '../support/docker.ts';
import { kubectlBinaries, runKubectl } from '../support/kubectl-binaries.ts';
import { kubectlHome } from '../support/kubectl.ts';
import { waitFor } from '../support/wait.ts';

// The seed article's walkthrough typed as the article types it, with the real kubectl on
// real containers: create deployment → expose as a NodePort → requests reach every pod →
// scale → set image with rollout status and no failed request → rollout history → undo →
// a container killed through /kill restarts and RESTARTS shows 1. The GraphQL and kq
// versions of the same walkthrough are e2e-docker-walkthrough.test.ts and cli-seed.test.ts.

const BINARIES = kubectlBinaries('kubectl-walkthrough-docker', ['1.33']);
const kubectlBinary = BINARIES['1.33'];

describe.skipIf(!kubectlBinary)('the seed walkthrough with kubectl on Docker', () => {
  let c: DockerCluster;
  let home: string;
  let kubeconfig: string;
  let url = '';

  const kubectl = async (...args: string[]) => {
    const run = await runKubectl(kubectlBinary!, ['-n', 'default', ...args], { home, kubeconfig }, 120_000);
    if (run.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
    return run.stdout;
  };
  /** The pods `kubectl get pods` lists for the app, less those being deleted. */
  const podNames = async () =>
    (
      await kubectl(
        'get',
        'pods',
        '-l',
        'app=hello',
        '-o',
        'jsonpath={range .items[*]}{.metadata.name} {.metadata.deletionTimestamp}{"\\n"}{end}',
      )
    )
      .split('\n')
      .map((line) => line.split(' '))
      .filter(([name, deleting]) => name && !deleting)
      .map(([name]) => name)
      .sort();
  /** Asks through the NodePort until every one of `expected` has answered (round-robin makes it quick). */
  const hostnamesSeen = async (expected: string[], attempts = 60) => {
    const seen = new Set<string>();
    for (let i = 0; i < attempts && expected.some((n) => !seen.has(n)); i++) {
      const host = /HostName: (\S+)/.exec((await httpGet(url)).body)?.[1];
      if (host) seen.add(host);
    }
    return [...seen].sort();
  };

  beforeAll(async () => {
    c = await startDockerCluster({ serverOptions: { tls: { serve: true } } });
    ({ home, kubeconfig } = await kubectlHome(c, 'kubectl-walkthrough'));
  }, 120_000);

  afterAll(async () => {
    await c?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it('create deployment and expose it as a NodePort: requests reach all three pods', async () => {
    expect(
      await kubectl(
        'create',
        'deployment',
        'hello',
        `--image=${DEMO_WEB_IMAGES.v1}`,
        '--replicas=3',
        '--port=8000',
      ),
    ).toBe('deployment.apps/hello created\n');
    expect(await kubectl('expose', 'deployment', 'hello', '--type=NodePort', '--port=8000')).toBe(
      'service/hello exposed\n',
    );
    const nodePort = await kubectl('get', 'service', 'hello', '-o', 'jsonpath={.spec.ports[0].nodePort}');
    expect(nodePort).toMatch(/^3\d{4}$/);
    url = `http://127.0.0.1:${nodePort}/`;
    expect(await kubectl('get', 'service', 'hello')).toMatch(
      new RegExp(`^hello\\s+NodePort\\s+\\d+\\.\\d+\\.\\d+\\.\\d+\\s+<none>\\s+8000:${nodePort}/TCP\\s`, 'm'),
    );

    const status = await kubectl('rollout', 'status', 'deployment/hello', '--timeout=90s');
    expect(status).toContain('deployment "hello" successfully rolled out\n');
    const names = await podNames();
    expect(names).toHaveLength(3);
    const { body } = await httpGet(url);
    expect(body).toMatch(/^Version 1\.0\nHello kubeql cluster!\nHostName: hello-/);
    expect(await hostnamesSeen(names)).toEqual(names);
  }, 120_000);

  it('scale to five: the new pods answer through the NodePort too', async () => {
    expect(await kubectl('scale', 'deployment', 'hello', '--replicas=5')).toBe(
      'deployment.apps/hello scaled\n',
    );
    expect(await kubectl('rollout', 'status', 'deployment/hello', '--timeout=90s')).toContain(
      'successfully rolled out',
    );
    const five = await waitFor(
      async () => {
        const names = await podNames();
        return names.length === 5 && names;
      },
      { ms: 30_000, every: 300, what: 'five pods listed' },
    );
    expect(await hostnamesSeen(five, 100)).toEqual(five);
  }, 120_000);

  it('set image to v2 with rollout status, no failed request meanwhile; history shows two revisions', async () => {
    const answers: string[] = [];
    const failures: string[] = [];
    let loading = true;
    const load = (async () => {
      while (loading) {
        const { ok, body } = await httpGet(url);
        if (!ok) failures.push(body);
        else answers.push(/Version (\S+)/.exec(body)?.[1] ?? body);
      }
    })();
    try {
      expect(await kubectl('set', 'image', 'deployment/hello', `demo-web=${DEMO_WEB_IMAGES.v2}`)).toBe(
        'deployment.apps/hello image updated\n',
      );
      const status = await kubectl('rollout', 'status', 'deployment/hello', '--timeout=120s');
      expect(status).toMatch(/^Waiting for deployment "hello" rollout to finish: /);
      expect(status.endsWith('deployment "hello" successfully rolled out\n')).toBe(true);
      // Requests still in flight to old pods land on v1; what follows is v2 only.
      await waitFor(() => answers.length > 0 && answers.slice(-20).every((v) => v === '2.0'), {
        ms: 20_000,
        what: 'only v2 answering',
      });
    } finally {
      loading = false;
      await load;
    }
    expect(failures).toEqual([]);
    expect(new Set(answers)).toEqual(new Set(['1.0', '2.0']));

    const history = await kubectl('rollout', 'history', 'deployment/hello');
    expect(history.split('\n').map((line) => line.trimEnd())).toEqual([
      'deployment.apps/hello',
      'REVISION  CHANGE-CAUSE',
      '1         <none>',
      '2         <none>',
      '',
      '',
    ]);
    const second = await kubectl('rollout', 'history', 'deployment/hello', '--revision=2');
    expect(second).toContain('deployment.apps/hello with revision #2');
    expect(second).toMatch(/Image:\s+kubeql\/demo-web:v2/);
  }, 180_000);

  it('rollout undo goes back to v1 as revision 3', async () => {
    expect(await kubectl('rollout', 'undo', 'deployment/hello')).toBe('deployment.apps/hello rolled back\n');
    expect(await kubectl('rollout', 'status', 'deployment/hello', '--timeout=120s')).toContain(
      'successfully rolled out',
    );
    expect(
      await kubectl('get', 'deployment', 'hello', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'),
    ).toBe(DEMO_WEB_IMAGES.v1);
    const history = await kubectl('rollout', 'history', 'deployment/hello');
    expect(history).toMatch(/^2\s+<none>\s*\n3\s+<none>\s*$/m);
    expect(history).not.toMatch(/^1\s/m);
    await waitFor(async () => (await podNames()).length === 5, { ms: 30_000, what: 'five v1 pods' });
    const names = await podNames();
    await waitFor(async () => /Version 1\.0/.test((await httpGet(url)).body), { ms: 10_000 });
    expect(await hostnamesSeen(names, 100)).toEqual(names);
  }, 180_000);

  it('a container killed through /kill restarts: kubectl get pods shows RESTARTS 1', async () => {
    expect(await kubectl('scale', 'deployment', 'hello', '--replicas=3')).toBe(
      'deployment.apps/hello scaled\n',
    );
    const listedRows = async () =>
      (await kubectl('get', 'pods', '-l', 'app=hello')).trim().split('\n').slice(1);
    // The two pods scaled away stay listed as Terminating until their containers are gone.
    const before = await waitFor(
      async () => {
        const rows = await listedRows();
        return rows.length === 3 && rows.every((row) => /\s1\/1\s+Running\s+0\s/.test(row)) && rows;
      },
      { ms: 60_000, every: 300, what: 'three running pods listed' },
    );
    expect(before).toHaveLength(3);
    await httpGet(`${url}kill`);
    const after = await waitFor(
      async () => {
        const rows = await listedRows();
        return rows.some((row) => /^hello-\S+\s+1\/1\s+Running\s+1 \(\d+s ago\)\s+\S+$/.test(row)) && rows;
      },
      { ms: 30_000, every: 300, what: 'a pod listed with RESTARTS 1 and ready again' },
    );
    expect(after).toHaveLength(3);
    expect(after.filter((row) => /\s1\/1\s+Running\s+0\s+\S+$/.test(row))).toHaveLength(2);
    expect(await hostnamesSeen(await podNames())).toHaveLength(3);
  }, 120_000);
});
