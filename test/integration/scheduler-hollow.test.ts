import { afterEach, describe, expect, it } from 'vitest';
import type { Resource } from '../../client/index.ts';
import type { NodeObject, PodObject } from '../../agent/objects.ts';
import type { PodSpec } from '../../schema/kinds/pod.ts';
import { startHollowCluster, type HollowCluster } from '../support/hollow.ts';
import { ownedBy, requesting } from '../support/scheduler-fixtures.ts';
import { waitFor } from '../support/wait.ts';

// The scheduler over hollow nodes: a whole cluster in the test process, one per test.

type Pod = PodObject;

describe('scheduler on hollow nodes', () => {
  let h: HollowCluster | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  const start = (capacity = { cpu: '2', memory: '4Gi', pods: '110' }) =>
    startHollowCluster({
      nodes: 3,
      controllers: [],
      nodeOptions: { capacity },
      schedulerOptions: { podInitialBackoffMs: 50, podMaxBackoffMs: 200 },
    }).then((cluster) => (h = cluster));

  const create = (
    c: HollowCluster,
    name: string,
    spec: Partial<PodSpec> = {},
    meta: Partial<Resource['metadata']> = {},
  ) =>
    c.writer.create<Pod>({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', ...meta },
      spec: { containers: [{ name: 'c', image: 'nginx:1.27' }], ...spec },
    });
  const get = (c: HollowCluster, name: string) => c.client.get<Pod>('Pod', name, 'default');
  const boundTo = (c: HollowCluster, name: string) =>
    waitFor(async () => (await get(c, name))?.spec?.nodeName, { what: `${name} to be bound` });
  const scheduledCondition = (p: Pod | null) => p?.status?.conditions?.find((x) => x.type === 'PodScheduled');
  const unschedulable = (c: HollowCluster, name: string) =>
    waitFor(
      async () => {
        const condition = scheduledCondition(await get(c, name));
        return condition?.status === 'False' && condition.reason === 'Unschedulable' && condition.message;
      },
      { what: `${name} to be Unschedulable` },
    );
  const events = async (c: HollowCluster, name: string) =>
    (await c.client.list('Event', { namespace: 'default' })).items.filter(
      (e) => (e.involvedObject as { name: string }).name === name,
    ) as Array<Resource & { reason: string; message: string; type: string; count: number }>;

  it('fills the nodes exactly, then leaves the rest Pending/Unschedulable with a reason and an event; a deleted pod makes room', async () => {
    const c = await start();
    // 3 nodes × 2 cpu: six pods of one cpu fit exactly, the seventh does not.
    for (let i = 0; i < 7; i++) await create(c, `fill-${i}`, requesting('1', '1Gi'));
    const bound = await waitFor(
      async () => {
        const pods = (await c.client.list<Pod>('Pod', { namespace: 'default' })).items;
        const on = pods.filter((p) => p.spec?.nodeName);
        return on.length === 6 && pods.length === 7 && pods;
      },
      { what: 'six pods bound' },
    );
    const perNode = new Map<string, number>();
    for (const p of bound)
      if (p.spec?.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
    expect([...perNode.values()]).toEqual([2, 2, 2]);

    const pending = bound.find((p) => !p.spec?.nodeName)!;
    const name = pending.metadata.name!;
    expect(await unschedulable(c, name)).toBe('0/3 nodes are available: 3 Insufficient cpu.');
    const after = await get(c, name);
    expect(after?.status?.phase).toBe('Pending');
    const failed = await waitFor(async () =>
      (await events(c, name)).find((e) => e.reason === 'FailedScheduling'),
    );
    expect(failed.type).toBe('Warning');
    expect(failed.message).toBe('0/3 nodes are available: 3 Insufficient cpu.');

    // The others got a Scheduled event.
    const first = bound.find((p) => p.spec?.nodeName)!;
    const scheduled = await waitFor(async () =>
      (await events(c, first.metadata.name!)).find((e) => e.reason === 'Scheduled'),
    );
    expect(scheduled.message).toBe(
      `Successfully assigned default/${first.metadata.name} to ${first.spec!.nodeName}`,
    );

    // No hot loop: with nothing changing, the pending pod is not retried over and over.
    const attempts = (await events(c, name)).find((e) => e.reason === 'FailedScheduling')!.count;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(
      (await events(c, name)).find((e) => e.reason === 'FailedScheduling')!.count - attempts,
    ).toBeLessThanOrEqual(1);

    // A pod goes away (its node agent stops and deletes it): the pending one is retried and placed.
    await c.writer.delete('Pod', first.metadata.name!, 'default');
    expect(await boundTo(c, name)).toBe(first.spec!.nodeName);
    expect(scheduledCondition(await get(c, name))?.status).toBe('True');
  });

  it('spreads the pods of one owner across the nodes, and retries pending pods when a node joins', async () => {
    const c = await start({ cpu: '4', memory: '8Gi', pods: '110' });
    const owner = await c.writer.create<Resource>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'owner', namespace: 'default' },
    });
    const ref = ownedBy(owner.metadata.uid!);
    for (let i = 0; i < 6; i++) await create(c, `spread-${i}`, {}, ref);
    const nodes = await Promise.all(Array.from({ length: 6 }, (_, i) => boundTo(c, `spread-${i}`)));
    const counts = new Map<string, number>();
    for (const n of nodes) counts.set(n, (counts.get(n) ?? 0) + 1);
    expect([...counts.values()]).toEqual([2, 2, 2]);

    // Nothing fits 5 cpu until a bigger node joins.
    await create(c, 'big', requesting('5'));
    expect(await unschedulable(c, 'big')).toBe('0/3 nodes are available: 3 Insufficient cpu.');
    const joined = await c.addNode({ name: 'big-node', capacity: { cpu: '8', memory: '16Gi', pods: '110' } });
    expect(await boundTo(c, 'big')).toBe(joined.name);
  });

  it('honours taints and tolerations', async () => {
    const c = await start();
    await c.writer.patch('Node', 'hollow-1', undefined, {
      spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] },
    });
    await c.writer.patch('Node', 'hollow-2', undefined, {
      spec: { taints: [{ key: 'maintenance', effect: 'NoExecute' }] },
    });
    await waitFor(async () => (await c.client.get<NodeObject>('Node', 'hollow-2'))?.spec?.taints);

    // Only hollow-3 is open to a pod without tolerations.
    for (let i = 0; i < 3; i++) await create(c, `plain-${i}`);
    for (let i = 0; i < 3; i++) expect(await boundTo(c, `plain-${i}`)).toBe('hollow-3');

    // Pinned to the tainted node without tolerating: unschedulable, the taint named.
    const pinned = { nodeSelector: { 'kubernetes.io/hostname': 'hollow-1' } };
    await create(c, 'pinned', pinned);
    expect(await unschedulable(c, 'pinned')).toBe(
      "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) had untolerated taint {maintenance: }.",
    );
    // Tolerating it, the pod goes there.
    await create(c, 'tolerant', {
      ...pinned,
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
    });
    expect(await boundTo(c, 'tolerant')).toBe('hollow-1');

    // Lifting the NoExecute taint lets a pod that needs hollow-2 in (a node update retries it).
    await create(c, 'on-2', { nodeSelector: { 'kubernetes.io/hostname': 'hollow-2' } });
    expect(await unschedulable(c, 'on-2')).toContain('1 node(s) had untolerated taint {maintenance: }');
    await c.writer.patch('Node', 'hollow-2', undefined, { spec: { taints: null } });
    expect(await boundTo(c, 'on-2')).toBe('hollow-2');
  });

  it('places pods by nodeSelector and required node affinity, and retries when labels change', async () => {
    const c = await start();
    await c.writer.patch('Node', 'hollow-2', undefined, {
      metadata: { labels: { disk: 'ssd', cores: '16' } },
    });
    await waitFor(async () => (await c.client.get('Node', 'hollow-2'))?.metadata.labels?.disk);

    await create(c, 'ssd', { nodeSelector: { disk: 'ssd' } });
    expect(await boundTo(c, 'ssd')).toBe('hollow-2');
    await create(c, 'many-cores', {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] }],
          },
        },
      },
    });
    expect(await boundTo(c, 'many-cores')).toBe('hollow-2');
    await create(c, 'by-name', {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['hollow-3'] }] },
            ],
          },
        },
      },
    });
    expect(await boundTo(c, 'by-name')).toBe('hollow-3');

    await create(c, 'gpu', { nodeSelector: { accelerator: 'gpu' } });
    expect(await unschedulable(c, 'gpu')).toBe(
      "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.",
    );
    await c.writer.patch('Node', 'hollow-1', undefined, { metadata: { labels: { accelerator: 'gpu' } } });
    expect(await boundTo(c, 'gpu')).toBe('hollow-1');

    // Pods of another scheduler are left alone.
    await create(c, 'foreign', { schedulerName: 'my-scheduler' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const foreign = await get(c, 'foreign');
    expect(foreign?.spec?.nodeName).toBeUndefined();
    expect(foreign?.status?.conditions ?? []).toEqual([]);
  });
});
