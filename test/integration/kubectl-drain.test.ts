import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trustingFetch, type Fetch } from '../../client/node-tls.ts';
import type { Resource } from '../../client/index.ts';
import { startHollowCluster, type HollowCluster } from '../support/hollow.ts';
import { kubectlBinaries, runKubectl } from '../support/kubectl-binaries.ts';
import { kq, kqEnv } from '../support/cli.ts';
import { kubectlHome } from '../support/kubectl.ts';
import { eventually } from '../support/wait.ts';

// PodDisruptionBudgets acted on: the disruption controller (agent/controllers/disruption.ts)
// keeps each budget's status, and the pods/eviction subresource (server/resources/eviction.ts)
// deletes a pod only when its budget allows, which is what `kubectl drain` relies on.

const BINARIES = kubectlBinaries('kubectl drain');

let cluster: HollowCluster;
let home: string;
let kubeconfig: string;
let https: { fetch: Fetch; close(): void };
let origin: string;

interface Budget extends Resource {
  status?: {
    disruptionsAllowed?: number;
    currentHealthy?: number;
    desiredHealthy?: number;
    expectedPods?: number;
    observedGeneration?: number;
    disruptedPods?: Record<string, string>;
    conditions?: Array<{ type: string; status: string; reason?: string }>;
  };
}

function deployment(namespace: string, name: string, replicas: number) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'main', image: 'busybox' }] },
      },
    },
  };
}

function budget(namespace: string, name: string, spec: Record<string, unknown>) {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace },
    spec: { selector: { matchLabels: { app: name } }, ...spec },
  };
}

async function rest(path: string, init: { method?: string; body?: unknown } = {}) {
  const response = await https.fetch(`${origin}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${cluster.token}`, 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function readBudget(namespace: string, name: string): Promise<Budget> {
  return (await rest(`/apis/policy/v1/namespaces/${namespace}/poddisruptionbudgets/${name}`)).body as Budget;
}

async function podNames(namespace: string): Promise<string[]> {
  const { body } = await rest(`/api/v1/namespaces/${namespace}/pods`);
  return (body.items as Resource[])
    .filter((pod) => !pod.metadata.deletionTimestamp)
    .map((pod) => pod.metadata.name!);
}

/** Waits for the budget's status to settle on `expected` (the controller computes it from running pods). */
function budgetSettles(namespace: string, name: string, expected: Budget['status']) {
  return eventually(
    () => readBudget(namespace, name),
    (found) =>
      Object.entries(expected!).every(([key, value]) => found.status?.[key as 'currentHealthy'] === value),
    { ms: 15_000, what: `budget ${name} at ${JSON.stringify(expected)}` },
  );
}

const eviction = (namespace: string, name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'policy/v1',
  kind: 'Eviction',
  metadata: { name, namespace },
  ...extra,
});

beforeAll(async () => {
  cluster = await startHollowCluster({ nodes: 3, serverOptions: { tls: { serve: true } } });
  ({ home, kubeconfig } = await kubectlHome(cluster, 'kubectl-drain'));
  https = trustingFetch(cluster.cluster.server.ca!);
  origin = new URL(cluster.url).origin;
}, 60_000);

afterAll(async () => {
  https?.close();
  await cluster?.stop();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

describe('the disruption controller and the eviction subresource', () => {
  const ns = 'budgets';

  beforeAll(async () => {
    await cluster.writer.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  });

  it('keeps a budget status: minAvailable as a count, maxUnavailable as a share of the controller scale', async () => {
    await cluster.writer.create(deployment(ns, 'counted', 3));
    await cluster.writer.create(budget(ns, 'counted', { minAvailable: 2 }));
    const counted = await budgetSettles(ns, 'counted', {
      currentHealthy: 3,
      desiredHealthy: 2,
      expectedPods: 3,
      disruptionsAllowed: 1,
    });
    expect(counted.status?.observedGeneration).toBe(counted.metadata.generation);
    expect(counted.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods' }),
    );

    await cluster.writer.create(deployment(ns, 'shared', 4));
    await cluster.writer.create(budget(ns, 'shared', { maxUnavailable: '50%' }));
    await budgetSettles(ns, 'shared', { expectedPods: 4, desiredHealthy: 2, disruptionsAllowed: 2 });
  });

  it('evicts while the budget allows, spending it, then answers 429', async () => {
    // Pods of no controller: nothing replaces the one evicted, so the budget stays spent.
    for (const name of ['tight-a', 'tight-b']) {
      await cluster.writer.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: ns, labels: { app: 'tight' } },
        spec: { containers: [{ name: 'main', image: 'busybox' }] },
      });
    }
    await cluster.writer.create(budget(ns, 'tight', { minAvailable: 1 }));
    await budgetSettles(ns, 'tight', { currentHealthy: 2, disruptionsAllowed: 1 });

    const evicted = await rest(`/api/v1/namespaces/${ns}/pods/tight-a/eviction`, {
      method: 'POST',
      body: eviction(ns, 'tight-a'),
    });
    expect(evicted).toMatchObject({ status: 201, body: { kind: 'Status', status: 'Success' } });
    // Spent before the pod's deletion: whether or not the controller has run since.
    expect((await readBudget(ns, 'tight')).status?.disruptionsAllowed).toBe(0);

    const refused = await rest(`/api/v1/namespaces/${ns}/pods/tight-b/eviction`, {
      method: 'POST',
      body: eviction(ns, 'tight-b'),
    });
    expect(refused).toMatchObject({
      status: 429,
      body: { kind: 'Status', reason: 'TooManyRequests', code: 429 },
    });
    expect(refused.body.message).toContain(
      "Cannot evict pod as it would violate the pod's disruption budget",
    );
    expect(await podNames(ns)).toContain('tight-b');
    await budgetSettles(ns, 'tight', { currentHealthy: 1, expectedPods: 1, disruptionsAllowed: 0 });
  });

  it('refuses while nothing may be disrupted, deletes a pod no budget covers, and honours dryRun', async () => {
    await cluster.writer.create(deployment(ns, 'strict', 1));
    await cluster.writer.create(budget(ns, 'strict', { minAvailable: 1 }));
    await budgetSettles(ns, 'strict', { currentHealthy: 1, disruptionsAllowed: 0 });
    const [strict] = (await podNames(ns)).filter((n) => n.startsWith('strict-'));
    const refused = await rest(`/api/v1/namespaces/${ns}/pods/${strict}/eviction`, {
      method: 'POST',
      body: eviction(ns, strict),
    });
    expect(refused.status).toBe(429);
    expect(refused.body.message).toContain(
      'The disruption budget strict needs 1 healthy pods and has 1 currently',
    );
    expect(await podNames(ns)).toContain(strict);

    await cluster.writer.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'loose', namespace: ns },
      spec: { containers: [{ name: 'main', image: 'busybox' }] },
    });
    const dry = await rest(`/api/v1/namespaces/${ns}/pods/loose/eviction?dryRun=All`, {
      method: 'POST',
      body: eviction(ns, 'loose'),
    });
    expect(dry.status).toBe(201);
    expect(await podNames(ns)).toContain('loose');
    const done = await rest(`/api/v1/namespaces/${ns}/pods/loose/eviction`, {
      method: 'POST',
      body: eviction(ns, 'loose', { deleteOptions: { gracePeriodSeconds: 0 } }),
    });
    expect(done.status).toBe(201);
    await eventually(
      () => podNames(ns),
      (names) => !names.includes('loose'),
      { what: 'loose deleted' },
    );

    const mismatch = await rest(`/api/v1/namespaces/${ns}/pods/${strict}/eviction`, {
      method: 'POST',
      body: eviction(ns, 'other'),
    });
    expect(mismatch).toMatchObject({ status: 400, body: { reason: 'BadRequest' } });
    const missing = await rest(`/api/v1/namespaces/${ns}/pods/nope/eviction`, {
      method: 'POST',
      body: eviction(ns, 'nope'),
    });
    expect(missing).toMatchObject({ status: 404, body: { reason: 'NotFound' } });
  });
});

describe.skipIf(!Object.values(BINARIES).some(Boolean))('kubectl drain', () => {
  for (const [version, binary] of Object.entries(BINARIES)) {
    describe.skipIf(!binary)(`kubectl ${version}`, () => {
      const ns = `drain-${version.replace('.', '-')}`;
      // Its own app label: the drain leaves the other tests' pods (some without a controller) alone.
      const app = `web-${version.replace('.', '-')}`;
      const kubectl = (...args: string[]) => runKubectl(binary!, args, { home, kubeconfig });

      it('evicts every pod of a node within its budget (retrying the refusals), then uncordon', async () => {
        expect((await kubectl('create', 'namespace', ns)).code).toBe(0);
        await cluster.writer.create(deployment(ns, app, 3));
        expect(
          (await kubectl('create', 'pdb', app, '-n', ns, `--selector=app=${app}`, '--min-available=2')).code,
        ).toBe(0);
        await budgetSettles(ns, app, { currentHealthy: 3, disruptionsAllowed: 1 });
        const { body } = await rest(`/api/v1/namespaces/${ns}/pods`);
        const byNode = new Map<string, number>();
        for (const pod of body.items as Array<{ spec: { nodeName: string } }>)
          byNode.set(pod.spec.nodeName, (byNode.get(pod.spec.nodeName) ?? 0) + 1);
        const [node] = [...byNode].sort((a, b) => b[1] - a[1])[0];

        const drained = await kubectl(
          'drain',
          node,
          '--ignore-daemonsets',
          `--pod-selector=app=${app}`,
          '--timeout=60s',
        );
        expect(drained.stderr + drained.stdout).toContain(`node/${node} drained`);
        expect(drained.code).toBe(0);
        expect(drained.stdout + drained.stderr).toMatch(/evicted/);

        const after = await rest(`/api/v1/namespaces/${ns}/pods`);
        const remaining = (
          after.body.items as Array<{ spec: { nodeName: string }; metadata: Resource['metadata'] }>
        )
          .filter((pod) => !pod.metadata.deletionTimestamp)
          .map((pod) => pod.spec.nodeName);
        expect(remaining).not.toContain(node);
        const cordoned = await rest(`/api/v1/nodes/${node}`);
        expect((cordoned.body.spec as { unschedulable?: boolean }).unschedulable).toBe(true);
        expect((await kubectl('uncordon', node)).code).toBe(0);
        await budgetSettles(ns, app, { currentHealthy: 3, disruptionsAllowed: 1 });
      }, 120_000);
    });
  }
});

describe('kq cordon, drain and uncordon', () => {
  const ns = 'kq-drain';
  const run = (...args: string[]) =>
    kq(cluster, [...args, '--data', cluster.dataDir], { env: kqEnv(cluster) });

  it('drains within the budget through evictPod, refusing pods no controller manages unless forced', async () => {
    await cluster.writer.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await cluster.writer.create(deployment(ns, 'kq-web', 3));
    await cluster.writer.create(budget(ns, 'kq-web', { minAvailable: 2 }));
    await budgetSettles(ns, 'kq-web', { currentHealthy: 3, disruptionsAllowed: 1 });
    const { body } = await rest(`/api/v1/namespaces/${ns}/pods`);
    const node = (body.items as Array<{ spec: { nodeName: string } }>)[0].spec.nodeName;
    await cluster.writer.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'stray', namespace: ns },
      spec: { nodeName: node, containers: [{ name: 'main', image: 'busybox' }] },
    });

    const drained = await run('drain', node, '--ignore-daemonsets', '--pod-selector=app in (kq-web),!other');
    expect(drained.code).toBe(0);
    const strays = await run('drain', node, '--ignore-daemonsets');
    expect(strays.code).toBe(1);
    // Other tests' pods without a controller may share the node: the list names ours among them.
    expect(strays.stderr).toMatch(
      new RegExp(
        `cannot delete Pods that declare no controller \\(use --force to override\\): .*\\b${ns}/stray\\b`,
      ),
    );
    expect(await podNames(ns)).toContain('stray');

    expect(drained.stdout).toContain(`node/${node} cordoned`);
    expect(drained.stdout).toContain(`node/${node} drained`);
    const left = await rest(`/api/v1/namespaces/${ns}/pods?labelSelector=app%3Dkq-web`);
    const nodes = (left.body.items as Array<{ spec: { nodeName: string }; metadata: Resource['metadata'] }>)
      .filter((pod) => !pod.metadata.deletionTimestamp)
      .map((pod) => pod.spec.nodeName);
    expect(nodes).not.toContain(node);

    const again = await run('cordon', node);
    expect(again.stdout).toBe(`node/${node} already cordoned\n`);
    expect((await run('uncordon', node)).stdout).toBe(`node/${node} uncordoned\n`);
    const uncordoned = await rest(`/api/v1/nodes/${node}`);
    expect((uncordoned.body.spec as { unschedulable?: boolean }).unschedulable).toBeUndefined();
  }, 120_000);
});
