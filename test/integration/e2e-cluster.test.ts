import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCode, type Resource } from '../../client/index.ts';
import type { DaemonSet } from '../../schema/kinds/daemonset.ts';
import { KINDS } from '../../schema/kinds/index.ts';
import type { Node } from '../../schema/kinds/node.ts';
import {
  condition,
  deployment,
  events,
  isPodActive,
  isPodReady,
  pods,
  record,
  rolledOut,
  startE2ECluster,
  until,
  type E2ECluster,
  type PodObject,
} from '../support/e2e.ts';

// The cluster as a whole, end to end through the GraphQL endpoint: scheduling against
// node capacity, namespace deletion, node loss. Three hollow nodes of 2 cpu each that
// heartbeat every 250 ms; a node silent for 1.5 s is NotReady, and its pods are evicted
// 1 s after that.

type NodeObject = Node & Resource;
type DaemonSetObject = DaemonSet & Resource;

let e: E2ECluster;
beforeAll(async () => {
  e = await startE2ECluster({
    nodes: 3,
    nodeOptions: { capacity: { cpu: '2', memory: '8Gi', pods: '110' }, leaseRenewIntervalMs: 250 },
    controllerOptions: { nodeMonitorGracePeriodMs: 1500, podEvictionTimeoutMs: 1000 },
    schedulerOptions: { podInitialBackoffMs: 100, podMaxBackoffMs: 1000 },
  });
});
afterAll(() => e?.stop());

const pod = (namespace: string, name: string, cpu?: string): PodObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels: { app: 'fill' } },
  spec: {
    containers: [{ name: 'app', image: 'nginx:1', ...(cpu ? { resources: { requests: { cpu } } } : {}) }],
  },
});

const daemonSet = (namespace: string, name: string): DaemonSetObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'fluentd:1' }] },
      },
    },
  }) as DaemonSetObject;

describe('scheduler', () => {
  it('fills 3 nodes of 2 cpu with six 1-cpu pods exactly; the rest stay Pending, Unschedulable for lack of cpu', async () => {
    const ns = await e.namespace('sched');
    for (let i = 0; i < 6; i++) await e.writer.create(pod(ns, `fill-${i}`, '1'));
    const placed = await until(async () => {
      const list = await pods(e.api, ns);
      return (
        list.length === 6 && list.every((p) => p.spec?.nodeName && p.status?.phase === 'Running') && list
      );
    }, 'six pods to run');
    const perNode = new Map<string, number>();
    for (const p of placed) perNode.set(p.spec!.nodeName!, (perNode.get(p.spec!.nodeName!) ?? 0) + 1);
    expect([...perNode.values()]).toEqual([2, 2, 2]);

    await e.writer.create(pod(ns, 'fill-6', '1'));
    await e.writer.create(pod(ns, 'fill-7', '500m'));
    const message = '0/3 nodes are available: 3 Insufficient cpu.';
    for (const name of ['fill-6', 'fill-7']) {
      const pending = await until(async () => {
        const p = await e.api.get<PodObject>('Pod', name, ns);
        return condition(p, 'PodScheduled')?.status === 'False' && p;
      }, `${name} to be found unschedulable`);
      expect(condition(pending, 'PodScheduled')).toMatchObject({ reason: 'Unschedulable', message });
      expect(pending.status?.phase).toBe('Pending');
      expect(pending.spec?.nodeName).toBeUndefined();
      const failed = (await events(e.api, ns, name)).find((ev) => ev.reason === 'FailedScheduling');
      expect(failed).toMatchObject({ type: 'Warning', message });
    }

    // A 1-cpu pod going makes room for one of them: the one that fits the freed cpu.
    const freed = placed[0];
    await e.writer.delete('Pod', freed.metadata.name!, ns);
    const bound = await until(async () => {
      const list = await pods(e.api, ns);
      const gone = !list.some((p) => p.metadata.uid === freed.metadata.uid);
      const late = list.filter((p) => ['fill-6', 'fill-7'].includes(p.metadata.name!) && p.spec?.nodeName);
      return gone && late.length > 0 && late;
    }, 'a pending pod to be bound once room is made');
    expect(bound).toHaveLength(1);
    expect(bound[0].spec?.nodeName).toBe(freed.spec?.nodeName);
    // Leaves the nodes empty for the tests that follow.
    await e.writer.delete('Namespace', ns, undefined);
  });
});

describe('namespace deletion', () => {
  it('deletes everything in the namespace, then the namespace', async () => {
    const ns = await e.namespace('doomed');
    await e.writer.create(deployment(ns, 'web', { replicas: 2 }));
    await e.writer.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'conf', namespace: ns },
      data: { a: '1' },
    });
    await e.writer.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds', namespace: ns },
      stringData: { password: 'x' },
    });
    await e.writer.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: ns },
      spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
    });
    await e.writer.create({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'batch', namespace: ns },
      spec: {
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'work', image: 'busybox:1', command: ['sleep', '3600'] }],
          },
        },
      },
    });
    await rolledOut(e.api, ns, 'web');
    await until(
      async () => (await pods(e.api, ns)).filter((p) => p.status?.phase === 'Running').length === 3,
      'three pods to run',
    );
    await until(async () => e.api.get('Endpoints', 'web', ns), 'the Service endpoints');

    // What is in the namespace now, kind by kind, and every change from here on.
    const namespaced = KINDS.filter((def) => def.namespaced).map((def) => def.kind);
    const snapshot = new Map<string, Resource[]>();
    for (const kind of namespaced) snapshot.set(kind, (await e.api.list(kind, { namespace: ns })).items);
    const from = (await e.api.list('Namespace')).resourceVersion;
    const contents = namespaced
      .filter((kind) => snapshot.get(kind)!.length > 0)
      .map((kind) => [kind, record(e.api, kind, { namespace: ns, resourceVersion: from })] as const);
    const namespace = record(e.api, 'Namespace', {
      fieldSelector: `metadata.name=${ns}`,
      resourceVersion: from,
    });
    expect(contents.map(([kind]) => kind)).toEqual(
      expect.arrayContaining([
        'ConfigMap',
        'Deployment',
        'Endpoints',
        'Job',
        'Pod',
        'ReplicaSet',
        'Secret',
        'Service',
      ]),
    );

    const terminating = await e.writer.delete('Namespace', ns, undefined);
    expect(terminating?.metadata.deletionTimestamp).toBeTruthy();
    const refused = await e.writer
      .create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: ns } })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(isCode(refused, 'FORBIDDEN')).toBe(true);

    await namespace.until((evs) => evs.some((ev) => ev.type === 'DELETED'), 'the namespace to go', 20_000);
    const gone = namespace.events.find((ev) => ev.type === 'DELETED')!.revision;
    // Each object that was in it was deleted for good, before the namespace was (each
    // watch delivers at its own pace: wait for every deletion to show).
    const deletion = (rec: (typeof contents)[number][1], obj: Resource) =>
      rec.events.find((ev) => ev.type === 'DELETED' && ev.object.metadata.uid === obj.metadata.uid);
    await until(
      () => contents.every(([kind, rec]) => snapshot.get(kind)!.every((obj) => deletion(rec, obj))),
      'every deletion to show',
    );
    for (const [kind, rec] of contents) {
      for (const obj of snapshot.get(kind)!) {
        expect(deletion(rec, obj)!.revision, `${kind} ${obj.metadata.name} deleted first`).toBeLessThan(gone);
      }
      await rec.stop();
    }
    await namespace.stop();
    expect(namespace.events.filter((ev) => ev.type === 'MODIFIED').at(-1)?.object).toMatchObject({
      status: { phase: 'Terminating' },
    });
    for (const kind of namespaced)
      expect((await e.api.list(kind, { namespace: ns })).items, kind).toEqual([]);
    expect(await e.api.get('Namespace', ns)).toBeNull();
  });
});

describe('node loss', () => {
  it('a silent node turns NotReady (Unknown); its pods are evicted and recreated elsewhere, its DaemonSet pod kept', async () => {
    const ns = await e.namespace('nodeloss');
    await e.writer.create(daemonSet(ns, 'logs'));
    await e.writer.create(deployment(ns, 'web', { replicas: 6 }));
    await rolledOut(e.api, ns, 'web');
    const daemons = await until(async () => {
      const list = (await pods(e.api, ns, 'app=logs')).filter(isPodReady);
      return list.length === 3 && list;
    }, 'a Ready daemon pod on each node');

    // The node with the most web pods goes silent.
    const web = await pods(e.api, ns, 'app=web');
    const count = (node: string) => web.filter((p) => p.spec?.nodeName === node).length;
    const victim = [...e.hollow.nodes].sort((a, b) => count(b.name) - count(a.name))[0];
    const evicted = web.filter((p) => p.spec?.nodeName === victim.name);
    expect(evicted.length).toBeGreaterThan(0);
    const daemon = daemons.find((p) => p.spec?.nodeName === victim.name)!;
    const silencedAt = Date.now();
    victim.silence();
    try {
      const lost = await until(async () => {
        const node = await e.api.get<NodeObject>('Node', victim.name);
        return condition(node, 'Ready')?.status === 'Unknown' && node;
      }, `${victim.name} to be NotReady`);
      expect(Date.now() - silencedAt).toBeGreaterThanOrEqual(1000);
      expect(condition(lost, 'Ready')).toMatchObject({ reason: 'NodeStatusUnknown' });
      await until(async () => {
        const node = await e.api.get<NodeObject>('Node', victim.name);
        return node?.spec?.taints?.some(
          (t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute',
        );
      }, 'the unreachable taint');

      // Its web pods are evicted, and replaced on the other nodes.
      const replaced = await until(async () => {
        const list = (await pods(e.api, ns, 'app=web')).filter(isPodActive);
        const stillThere = list.some((p) => evicted.some((old) => old.metadata.uid === p.metadata.uid));
        return !stillThere && list.length === 6 && list.every(isPodReady) && list;
      }, 'the web pods of the lost node to be replaced elsewhere');
      for (const p of replaced) expect(p.spec?.nodeName).not.toBe(victim.name);
      const evictions = (await events(e.api, ns)).filter((ev) => ev.reason === 'TaintManagerEviction');
      expect(evictions.map((ev) => ev.involvedObject?.name).sort()).toEqual(
        evicted.map((p) => p.metadata.name).sort(),
      );
      await rolledOut(e.api, ns, 'web');

      // The DaemonSet pod stays where it is, marked not Ready, not deleted.
      const kept = await e.api.get<PodObject>('Pod', daemon.metadata.name!, ns);
      expect(kept?.metadata.uid).toBe(daemon.metadata.uid);
      expect(kept?.metadata.deletionTimestamp).toBeUndefined();
      expect(kept?.spec?.nodeName).toBe(victim.name);
      expect(condition(kept, 'Ready')?.status).toBe('False');
      expect(await pods(e.api, ns, 'app=logs')).toHaveLength(3);
    } finally {
      victim.resume();
    }
    await until(async () => {
      const node = await e.api.get<NodeObject>('Node', victim.name);
      return condition(node, 'Ready')?.status === 'True' && !node?.spec?.taints?.length;
    }, `${victim.name} to be Ready again`);
    // Back, the node drops the pods evicted meanwhile, and its DaemonSet pod is Ready again.
    await until(async () => {
      const running = (await victim.runtime.listPods()).map((p) => p.uid);
      return !evicted.some((p) => running.includes(p.metadata.uid!));
    }, 'the evicted pods to leave the node');
    await until(async () => {
      const p = await e.api.get<PodObject>('Pod', daemon.metadata.name!, ns);
      return p && isPodReady(p) && p.metadata.uid === daemon.metadata.uid;
    }, 'the DaemonSet pod to be Ready again');
  });
});
