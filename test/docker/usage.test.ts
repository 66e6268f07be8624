import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCode } from '../../client/index.ts';
import { readHostUsage } from '../../agent/node/host-usage.ts';
import { simulatedUsage } from '../../agent/node/runtime/simulated-usage.ts';
import { cpuQuantity, memoryQuantity, topCpu, topMemory } from '../../server/usage/quantities.ts';
import { UsageStore } from '../../server/usage/store.ts';
import { startDockerCluster, type DockerCluster } from '../support/docker.ts';
import { startE2ECluster, until, type E2ECluster, type PodObject } from '../support/e2e.ts';

// Resource usage end to end: on hollow nodes the simulated runtime scripts usage from pod
// annotations and node agents report it every 200 ms; on a Docker node it comes from the
// engine's counters and /proc. podMetrics / nodeMetrics (kubeql's metrics.k8s.io) answer
// through the GraphQL endpoint.

const MI = 2 ** 20;

describe('usage formatting', () => {
  it('writes quantities as metrics-server does and columns as kubectl top does', () => {
    expect(cpuQuantity(250_000_000)).toBe('250m');
    expect(cpuQuantity(12_345_678)).toBe('12345678n');
    expect(cpuQuantity(2_000_000_000)).toBe('2');
    expect(cpuQuantity(1_500)).toBe('1500n');
    expect(cpuQuantity(0)).toBe('0');
    expect(memoryQuantity(64 * MI)).toBe('64Mi');
    expect(memoryQuantity(1_553_330_176)).toBe('1516924Ki');
    expect(memoryQuantity(1000)).toBe('1000');
    expect(topCpu(250_000_001)).toBe('251m');
    expect(topCpu(250_000_000)).toBe('250m');
    expect(topMemory(64 * MI + 5)).toBe('64Mi');
  });

  it('reads the simulate annotations: bare numbers are millicores, units are quantities', () => {
    expect(simulatedUsage({ 'kubeql.io/simulate-cpu': '250', 'kubeql.io/simulate-memory': '64Mi' })).toEqual({
      millicores: 250,
      memoryBytes: 64 * MI,
    });
    expect(simulatedUsage({ 'kubeql.io/simulate-cpu': '1.5' }).millicores).toBe(1.5);
    expect(simulatedUsage({ 'kubeql.io/simulate-cpu': '1500m' }).millicores).toBe(1500);
    expect(simulatedUsage({ 'kubeql.io/simulate-cpu': '2' }).millicores).toBe(2);
    expect(simulatedUsage(undefined)).toEqual({ millicores: 1, memoryBytes: 4 * MI });
  });

  it("reads the host's usage from /proc", async () => {
    const first = await readHostUsage();
    expect(first?.memoryWorkingSetBytes).toBeGreaterThan(0);
    expect(first?.cpuUsageNanoSeconds).toBeGreaterThan(0);
    expect(await readHostUsage('/nonexistent')).toBeUndefined();
  });
});

describe('usage store', () => {
  it('forgets a node that stops reporting after three windows (at least the minimum retention)', () => {
    let now = 0;
    const store = new UsageStore({ now: () => now, minRetentionMs: 1000 });
    const report = (name: string, windowMs: number) =>
      store.report({ name, timestamp: now, windowMs, cpuNanoCores: 1, memoryBytes: 1, pods: new Map() });
    report('a', 10_000);
    report('b', 100);
    now = 1000;
    expect(store.node('a')).toBeDefined();
    expect(store.node('b')).toBeDefined();
    now = 1001;
    expect(store.node('b')).toBeUndefined();
    now = 30_000;
    expect(store.node('a')).toBeDefined();
    now = 30_001;
    expect(store.node('a')).toBeUndefined();
  });
});

const POD_METRICS = `query($namespace: String, $labelSelector: String, $name: String) {
  podMetrics(namespace: $namespace, labelSelector: $labelSelector, name: $name) {
    apiVersion kind metadata { name namespace labels } timestamp window
    containers { name usage { cpu memory cpuMillicores memoryBytes } }
    usage { cpu memory cpuMillicores memoryBytes }
    top { name namespace cpu memory }
  }
}`;

/** A row of nodeMetrics, as NODE_METRICS selects it. */
interface NodeMetricsRow {
  metadata: { name: string };
  usage: { cpu: string; memory: string; cpuMillicores: number; memoryBytes: number };
  cpuPercent: number;
  memoryPercent: number;
  top: { cpuPercent: string };
}

const NODE_METRICS = `query($name: String) {
  nodeMetrics(name: $name) {
    apiVersion kind metadata { name } timestamp window
    usage { cpu memory cpuMillicores memoryBytes }
    cpuPercent memoryPercent
    top { name cpu cpuPercent memory memoryPercent }
  }
}`;

interface PodMetrics {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  timestamp: string;
  window: string;
  containers: Array<{ name: string; usage: { cpu: string; memory: string; cpuMillicores: number } }>;
  usage: { cpu: string; memory: string; cpuMillicores: number; memoryBytes: number };
  top: { name: string; namespace: string; cpu: string; memory: string };
}

let e: E2ECluster;

function pod(
  namespace: string,
  name: string,
  annotations: Record<string, string>,
  nodeName?: string,
): PodObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: name }, annotations },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      containers: [
        { name: 'app', image: 'busybox' },
        { name: 'sidecar', image: 'busybox' },
      ],
    },
  };
}

async function podMetrics(vars: { namespace?: string; labelSelector?: string; name?: string }) {
  return (await e.api.request<{ podMetrics: PodMetrics[] }>(POD_METRICS, vars)).podMetrics;
}

describe('podMetrics and nodeMetrics', () => {
  beforeAll(async () => {
    e = await startE2ECluster({
      nodes: 2,
      nodeOptions: { capacity: { cpu: '4', memory: '8Gi', pods: '110' }, metricsIntervalMs: 200 },
    });
  });
  afterAll(() => e?.stop());

  it('serve the usage the pods script, per container and summed, as metrics.k8s.io and kubectl top write it', async () => {
    const ns = await e.namespace('usage');
    const node = e.hollow.nodes[0].name;
    await e.writer.create(
      pod(ns, 'busy', { 'kubeql.io/simulate-cpu': '250', 'kubeql.io/simulate-memory': '64Mi' }, node),
    );
    await e.writer.create(pod(ns, 'idle', {}, node));

    const [busy] = await until(async () => {
      const found = await podMetrics({ namespace: ns, name: 'busy' });
      return found.length === 1 && found;
    }, 'usage of pod busy');
    expect(busy).toMatchObject({
      apiVersion: 'metrics.k8s.io/v1beta1',
      kind: 'PodMetrics',
      metadata: { name: 'busy', namespace: ns, labels: { app: 'busy' } },
      containers: [
        { name: 'app', usage: { cpu: '250m', memory: '64Mi', cpuMillicores: 250 } },
        { name: 'sidecar', usage: { cpu: '250m', memory: '64Mi', cpuMillicores: 250 } },
      ],
      usage: { cpu: '500m', memory: '128Mi', cpuMillicores: 500, memoryBytes: 128 * MI },
      top: { name: 'busy', namespace: ns, cpu: '500m', memory: '128Mi' },
    });
    expect(busy.window).toMatch(/^0\.\d+s$/);
    expect(Date.now() - Date.parse(busy.timestamp)).toBeLessThan(10_000);

    // Selection: a namespace lists both, a label selector one.
    await until(async () => (await podMetrics({ namespace: ns })).length === 2, 'usage of both pods');
    const idle = await podMetrics({ namespace: ns, labelSelector: 'app=idle' });
    expect(idle.map((m) => [m.metadata.name, m.top.cpu, m.top.memory])).toEqual([['idle', '2m', '8Mi']]);

    // The node's usage is its pods' (a hollow node), as a share of its allocatable (4 cpu, 8Gi).
    const nodeMetrics = await until(async () => {
      const data = await e.api.request<{ nodeMetrics: NodeMetricsRow[] }>(NODE_METRICS, { name: node });
      const [m] = data.nodeMetrics;
      return m?.usage.cpuMillicores === 502 && m;
    }, 'node usage to sum its pods');
    expect(nodeMetrics).toMatchObject({
      apiVersion: 'metrics.k8s.io/v1beta1',
      kind: 'NodeMetrics',
      metadata: { name: node },
      usage: { cpu: '502m', memory: '136Mi', memoryBytes: 136 * MI },
      cpuPercent: 12,
      memoryPercent: 1,
      top: { name: node, cpu: '502m', cpuPercent: '12%', memory: '136Mi', memoryPercent: '1%' },
    });

    // The edges: a pod's usage and a node's, in one query.
    const edges = await e.api.request<{
      pod: { usage: { top: { cpu: string } }; node: { usage: { top: { cpu: string } } } };
      node: { usage: { cpuPercent: number } };
    }>(
      `query($ns: String!, $node: String!) {
        pod(namespace: $ns, name: "busy") { usage { top { cpu } } node { usage { top { cpu } } } }
        node(name: $node) { usage { cpuPercent } }
      }`,
      { ns, node },
    );
    expect(edges.pod.usage.top.cpu).toBe('500m');
    expect(edges.pod.node.usage.top.cpu).toBe('502m');
    expect(edges.node.usage.cpuPercent).toBe(12);
  });

  it('follows a changed annotation, and drops a deleted pod', async () => {
    const ns = await e.namespace('usage');
    await e.writer.create(pod(ns, 'web', { 'kubeql.io/simulate-cpu': '100m' }, e.hollow.nodes[1].name));
    await until(
      async () => (await podMetrics({ namespace: ns, name: 'web' }))[0]?.top.cpu === '200m',
      '200m',
    );
    await e.writer.patch('Pod', 'web', ns, {
      metadata: { annotations: { 'kubeql.io/simulate-cpu': '1000', 'kubeql.io/simulate-memory': '1Gi' } },
    });
    const [changed] = await until(async () => {
      const found = await podMetrics({ namespace: ns, name: 'web' });
      return found[0]?.top.cpu === '2000m' && found;
    }, 'the new rate');
    expect(changed.containers[0].usage).toMatchObject({ cpu: '1', memory: '1Gi' });

    await e.writer.delete('Pod', 'web', ns, { gracePeriodSeconds: 0 });
    await until(async () => (await e.api.get('Pod', 'web', ns)) === null, 'the pod to go');
    expect(await podMetrics({ namespace: ns, name: 'web' })).toEqual([]);
  });

  it('refuses a report for a node that does not exist or with bad numbers; a node cannot speak for pods of another', async () => {
    const report = (overrides: Record<string, unknown>) => ({
      nodeName: e.hollow.nodes[0].name,
      timestamp: new Date().toISOString(),
      windowSeconds: 10,
      cpuNanoCores: 1e9,
      memoryWorkingSetBytes: MI,
      pods: [],
      ...overrides,
    });
    const mutation = `mutation($report: NodeUsageReportInput!) { reportNodeUsage(report: $report) }`;
    const errorOf = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (error: unknown) => error as { code?: string; message: string; causes?: unknown },
      );

    const missing = await errorOf(e.api.request(mutation, { report: report({ nodeName: 'no-such-node' }) }));
    expect(isCode(missing, 'NOT_FOUND')).toBe(true);
    expect(missing?.message).toBe('nodes "no-such-node" not found');

    const bad = await errorOf(e.api.request(mutation, { report: report({ cpuNanoCores: -1 }) }));
    expect(isCode(bad, 'INVALID')).toBe(true);
    expect(bad?.message).toContain('cpuNanoCores: Invalid value: -1: must be a non-negative number');

    // A pod bound to another node is not this node's to report.
    const ns = await e.namespace('usage');
    const other = await e.writer.create(pod(ns, 'elsewhere', {}, e.hollow.nodes[1].name));
    const silent = e.hollow.nodes[0];
    silent.silence();
    // A report already on its way when the node went silent lands first.
    await new Promise((resolve) => setTimeout(resolve, 400));
    try {
      const fake = {
        namespace: ns,
        name: 'elsewhere',
        uid: other.metadata.uid,
        timestamp: new Date().toISOString(),
        windowSeconds: 10,
        containers: [{ name: 'app', cpuNanoCores: 9e9, memoryWorkingSetBytes: 1 }],
      };
      expect(await e.api.request(mutation, { report: report({ pods: [fake] }) })).toEqual({
        reportNodeUsage: true,
      });
      const [m] = await until(async () => {
        const found = await podMetrics({ namespace: ns, name: 'elsewhere' });
        return found.length === 1 && found;
      }, 'the real usage of elsewhere');
      expect(m.top.cpu).toBe('2m');
      const data = await e.api.request<{ nodeMetrics: NodeMetricsRow[] }>(NODE_METRICS, {
        name: silent.name,
      });
      expect(data.nodeMetrics[0].usage.cpu).toBe('1');
    } finally {
      silent.resume();
    }
  });
});

describe('usage on a Docker node', () => {
  let c: DockerCluster;
  beforeAll(async () => {
    c = await startDockerCluster({ nodeOptions: { metricsIntervalMs: 500 } });
  }, 120_000);
  afterAll(() => c?.stop());

  it("reports a busy container's CPU from the engine's counters and the node's from /proc", async () => {
    const node = c.nodes[0].name;
    await c.writer.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'spin', namespace: 'default' },
      spec: {
        nodeName: node,
        terminationGracePeriodSeconds: 0,
        containers: [
          { name: 'spin', image: 'kubeql/busybox:stable', command: ['sh', '-c', 'while :; do :; done'] },
        ],
      },
    });
    // A busy loop takes about a core; on a shared machine, at least a tenth of one.
    const [spin] = await until(
      async () => {
        const { podMetrics } = await c.client.request<{ podMetrics: PodMetrics[] }>(POD_METRICS, {
          namespace: 'default',
          name: 'spin',
        });
        return podMetrics[0]?.usage.cpuMillicores > 100 && podMetrics;
      },
      'the busy loop to show',
      60_000,
    );
    expect(spin.containers.map((m) => m.name)).toEqual(['spin']);
    expect(spin.usage.memoryBytes).toBeGreaterThan(0);

    const { nodeMetrics } = await c.client.request<{ nodeMetrics: NodeMetricsRow[] }>(NODE_METRICS, {
      name: node,
    });
    // The machine as a whole uses at least what the pod does.
    expect(nodeMetrics[0].usage.cpuMillicores).toBeGreaterThanOrEqual(100);
    expect(nodeMetrics[0].usage.memoryBytes).toBeGreaterThan(spin.usage.memoryBytes);
    expect(nodeMetrics[0].top.cpuPercent).toMatch(/^\d+%$/);
    await c.writer.delete('Pod', 'spin', 'default', { gracePeriodSeconds: 0 });
  }, 90_000);
});
