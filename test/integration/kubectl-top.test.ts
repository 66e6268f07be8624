import { beforeAll, describe, expect, it } from 'vitest';
import type { HollowCluster } from '../support/hollow.ts';
import { kubectlBinaries, runKubectl } from '../support/kubectl-binaries.ts';
import { kubectlHollowCluster } from '../support/kubectl.ts';
import { eventually } from '../support/wait.ts';

// metrics.k8s.io/v1beta1 (server/rest/metrics-api.ts) as metrics-server serves it, read by
// the real `kubectl top`: hollow nodes report the usage their pods' annotations script
// (kubeql.io/simulate-cpu, -memory) every 200 ms.

const BINARIES = kubectlBinaries('kubectl top');
const NS = 'metrics';
/** Retries until the expectations in the read hold: the pods start and their usage arrives. */
const USAGE_REPORTED = [() => true, { ms: 20_000, every: 200, what: 'usage reported' }] as const;

let cluster: HollowCluster;
let home: string;
let kubeconfig: string;

function pod(name: string, app: string, cpu: string, memory: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NS,
      labels: { app },
      annotations: { 'kubeql.io/simulate-cpu': cpu, 'kubeql.io/simulate-memory': memory },
    },
    spec: {
      containers: [
        { name: 'main', image: 'busybox' },
        { name: 'helper', image: 'busybox' },
      ],
    },
  };
}

/** A table as kubectl prints it: a row of cells per line, the header first. */
function rows(stdout: string): string[][] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s{2,}/));
}

describe.skipIf(!Object.values(BINARIES).some(Boolean))('kubectl top', () => {
  kubectlHollowCluster(
    'kubectl-top',
    { nodes: 2, nodeOptions: { capacity: { cpu: '4', memory: '8Gi', pods: '110' }, metricsIntervalMs: 200 } },
    (started) => ({ cluster, home, kubeconfig } = started),
  );

  beforeAll(async () => {
    await cluster.writer.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await cluster.writer.create(pod('busy', 'busy', '250', '64Mi'));
    await cluster.writer.create(pod('idle', 'idle', '10m', '8Mi'));
  });

  for (const [version, binary] of Object.entries(BINARIES)) {
    describe.skipIf(!binary)(`kubectl ${version}`, () => {
      const kubectl = (...args: string[]) => runKubectl(binary!, args, { home, kubeconfig });

      it('top pod: each pod the sum of its containers; --containers one row each; -l narrows', async () => {
        const out = await eventually(
          async () => {
            const run = await kubectl('top', 'pod', '-n', NS);
            expect(run.stderr).toBe('');
            expect(run.code).toBe(0);
            expect(rows(run.stdout).map((row) => row[0])).toEqual(['NAME', 'busy', 'idle']);
            return rows(run.stdout);
          },
          ...USAGE_REPORTED,
        );
        expect(out[0]).toEqual(['NAME', 'CPU(cores)', 'MEMORY(bytes)']);
        expect(out[1]).toEqual(['busy', '500m', '128Mi']);
        expect(out[2]).toEqual(['idle', '20m', '16Mi']);

        const containers = await kubectl('top', 'pod', '-n', NS, '-l', 'app=busy', '--containers');
        expect(containers.code).toBe(0);
        expect(rows(containers.stdout)).toEqual([
          ['POD', 'NAME', 'CPU(cores)', 'MEMORY(bytes)'],
          ['busy', 'helper', '250m', '64Mi'],
          ['busy', 'main', '250m', '64Mi'],
        ]);

        const sorted = await kubectl('top', 'pod', '-A', '--sort-by=memory', '--no-headers');
        expect(sorted.code).toBe(0);
        const mine = rows(sorted.stdout).filter((row) => row[0] === NS);
        expect(mine.map((row) => row[1])).toEqual(['busy', 'idle']);
      });

      it('top node: usage as a share of allocatable', async () => {
        const out = await eventually(
          async () => {
            const run = await kubectl('top', 'node');
            expect(run.code).toBe(0);
            expect(rows(run.stdout)).toHaveLength(cluster.nodes.length + 1);
            return rows(run.stdout);
          },
          ...USAGE_REPORTED,
        );
        expect(out[0]).toEqual(['NAME', 'CPU(cores)', 'CPU(%)', 'MEMORY(bytes)', 'MEMORY(%)']);
        expect(
          out
            .slice(1)
            .map((row) => row[0])
            .sort(),
        ).toEqual(cluster.nodes.map((n) => n.name).sort());
        for (const row of out.slice(1)) {
          expect(row[1]).toMatch(/^\d+m$/);
          expect(row[2]).toMatch(/^\d+%$/);
          expect(row[3]).toMatch(/^\d+Mi$/);
        }
        // The node running `busy` uses at least its 500m: 13% of 4 cores or more.
        const cpu = out.slice(1).map((row) => Number(row[2].replace('%', '')));
        expect(Math.max(...cpu)).toBeGreaterThanOrEqual(12);
      });

      it('the API itself: lists, one object, and a 404 for a pod with no usage', async () => {
        const list = await kubectl('get', '--raw', `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods`);
        expect(list.code).toBe(0);
        const body = JSON.parse(list.stdout) as {
          kind: string;
          items: Array<{ metadata: { name: string } }>;
        };
        expect(body.kind).toBe('PodMetricsList');
        expect(body.items.map((item) => item.metadata.name)).toEqual(['busy', 'idle']);

        const one = await kubectl('get', '--raw', `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods/busy`);
        expect(JSON.parse(one.stdout)).toMatchObject({
          kind: 'PodMetrics',
          apiVersion: 'metrics.k8s.io/v1beta1',
          metadata: { name: 'busy', namespace: NS },
          window: expect.stringMatching(/^[\d.]+s$/),
          containers: [
            { name: 'main', usage: { cpu: '250m', memory: '64Mi' } },
            { name: 'helper', usage: { cpu: '250m', memory: '64Mi' } },
          ],
        });

        const missing = await kubectl(
          'get',
          '--raw',
          `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods/nope`,
        );
        expect(missing.code).not.toBe(0);
        expect(missing.stderr).toContain('NotFound');

        const resources = await kubectl('api-resources', '--api-group=metrics.k8s.io', '--no-headers');
        expect(rows(resources.stdout).map((row) => [row[0], row[row.length - 1]])).toEqual([
          ['nodes', 'NodeMetrics'],
          ['pods', 'PodMetrics'],
        ]);
      });
    });
  }
});
