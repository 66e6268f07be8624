import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_FILTERS,
  filter,
  nodeAffinity,
  nodePorts,
  prepareFilters,
} from '../../agent/scheduler/filters.ts';
import { podInfo, SchedulerCache } from '../../agent/scheduler/node-info.ts';
import { nodesToFind, type Scheduler } from '../../agent/scheduler/scheduler.ts';
import { FakeSchedulerApi } from '../support/scheduler-api.ts';
import { node, pod, requesting } from '../support/scheduler-fixtures.ts';
import { waitFor } from '../support/wait.ts';

// The scheduling cycle as kube-scheduler runs it at scale: a decision looks at only part
// of a large cluster, round robin; each filter reads the pod once per decision; bindings
// are written in the background (the scheduler alone, over an in-memory API).

const names = (count: number) => Array.from({ length: count }, (_, i) => node(`n${i}`));

describe('scheduling cycle', () => {
  let api: FakeSchedulerApi | undefined;
  let scheduler: Scheduler | undefined;
  /** Bindings held back by a test: let go before stopping, which waits for them. */
  let release: Array<() => void> = [];
  afterEach(async () => {
    for (const resolve of release) resolve();
    release = [];
    await scheduler?.stop();
    await api?.close();
    api = scheduler = undefined;
  });

  it("scores kube-scheduler's adaptive share of the nodes: 50 % less 1 % per 125 nodes, at least 5 % and 100 nodes", () => {
    expect(nodesToFind(50)).toBe(50);
    expect(nodesToFind(200)).toBe(100);
    expect(nodesToFind(500)).toBe(230);
    expect(nodesToFind(1000)).toBe(420);
    expect(nodesToFind(2000)).toBe(680);
    expect(nodesToFind(5000)).toBe(500);
    expect(nodesToFind(20_000)).toBe(1000);
  });

  it('stops filtering once enough nodes fit, and the next decision starts where the last one stopped', async () => {
    const seen: string[][] = [];
    const counting = filter('Counting', () => (n) => {
      seen.at(-1)!.push(n.name);
      return undefined;
    });
    api = new FakeSchedulerApi(names(1000), {
      beforeBind: async () => {
        seen.push([]);
      },
    });
    scheduler = api.startScheduler({ filters: [...DEFAULT_FILTERS, counting] });
    await scheduler.synced;
    seen.push([]);
    for (let i = 0; i < 3; i++) {
      api.add(pod(`p${i}`, requesting('100m')));
      await waitFor(() => api!.bound.size === i + 1, { what: `p${i} bound` });
    }
    const looked = seen.filter((decision) => decision.length > 0);
    expect(looked.map((decision) => decision.length)).toEqual([420, 420, 420]);
    // Round robin over the node list: each decision goes on from the node after the last one seen.
    const index = (name: string) => Number(name.slice(1));
    expect(index(looked[1][0])).toBe((index(looked[0][419]) + 1) % 1000);
    expect(index(looked[2][0])).toBe((index(looked[1][419]) + 1) % 1000);
  });

  it('goes on deciding while bindings are written, counting each decided pod on its node at once', async () => {
    api = new FakeSchedulerApi([node('a', { cpu: '1' }), node('b', { cpu: '1' })], {
      beforeBind: () => new Promise<void>((resolve) => release.push(resolve)),
    });
    scheduler = api.startScheduler({ podInitialBackoffMs: 10, podMaxBackoffMs: 10 });
    await scheduler.synced;
    for (let i = 0; i < 9; i++) api.add(pod(`p${i}`, requesting('250m')));
    // Eight pods fit (4 per node): all eight are decided though no binding has been written.
    await waitFor(() => release.length === 8, { what: 'eight bindings in flight' });
    await waitFor(() => api!.statuses.get('default/p8'), { what: 'the ninth pod marked unschedulable' });
    expect(api.bound.size).toBe(0);
    expect(api.statuses.get('default/p8')?.conditions?.[0]?.message).toBe(
      '0/2 nodes are available: 2 Insufficient cpu.',
    );
    for (const resolve of release) resolve();
    await waitFor(() => api!.bound.size === 8, { what: 'eight pods bound' });
    const perNode = [...api.bound.values()].reduce(
      (counts, name) => counts.set(name, (counts.get(name) ?? 0) + 1),
      new Map<string, number>(),
    );
    expect(Object.fromEntries(perNode)).toEqual({ a: 4, b: 4 });
  });

  it('retries the pods no node could take once nodes join', async () => {
    api = new FakeSchedulerApi([node('small', { cpu: '100m' })]);
    scheduler = api.startScheduler({ podInitialBackoffMs: 10, podMaxBackoffMs: 10 });
    await scheduler.synced;
    for (let i = 0; i < 20; i++) api.add(pod(`p${i}`, requesting('1')));
    await waitFor(() => api!.statuses.size === 20, { what: 'twenty pods unschedulable' });
    for (let i = 0; i < 10; i++) api.addNode(node(`big-${i}`, { cpu: '2' }));
    await waitFor(() => api!.bound.size === 20, { what: 'twenty pods bound' });
    expect(new Set(api.bound.values()).size).toBe(10);
  });

  it('skips the filters a pod cannot fail (PreFilter), so most pods run few checks per node', () => {
    const plain = podInfo(pod('p', requesting('1')));
    expect(nodeAffinity.prepare(plain)).toBeUndefined();
    expect(nodePorts.prepare(plain)).toBeUndefined();
    expect(prepareFilters(plain)).toHaveLength(DEFAULT_FILTERS.length - 2);
    const pinned = podInfo(pod('q', { nodeSelector: { disk: 'ssd' } }));
    expect(nodeAffinity.prepare(pinned)).toBeDefined();
  });

  it('keeps the node list in step one node at a time', () => {
    const cache = new SchedulerCache();
    for (const n of names(4)) cache.setNode(n);
    const list = cache.nodeInfos();
    cache.removeNode('n1');
    expect(list.map((n) => n.name)).toEqual(['n0', 'n3', 'n2']);
    cache.setNode(node('n1'));
    cache.setNode(node('n0', { cpu: '8' }));
    expect(list.map((n) => n.name)).toEqual(['n0', 'n3', 'n2', 'n1']);
    expect(cache.nodeInfo('n0')!.allocatable.cpu).toBe(8000);
    expect(cache.nodeInfos()).toBe(list);
  });
});
