import { afterEach, describe, expect, it } from 'vitest';
import type { Resource } from '../../client/index.ts';
import type { NodeObject, PodObject } from '../../agent/objects.ts';
import {
  matchesNodeSelectorAndAffinity,
  matchesRequirement,
  toleratesTaint,
} from '../../agent/node-eligibility.ts';
import {
  DEFAULT_FILTERS,
  describeTaint,
  nodeAffinity,
  nodePorts,
  nodeReady,
  nodeUnschedulable,
  resourcesFit,
  runFilters,
  taintToleration,
  unschedulableMessage,
} from '../../agent/scheduler/filters.ts';
import {
  amountOf,
  NodeInfo,
  nonZeroRequests,
  podInfo,
  podRequests,
  SchedulerCache,
} from '../../agent/scheduler/node-info.ts';
import {
  balancedAllocation,
  intolerablePreferNoScheduleRaw,
  leastAllocated,
  normalize,
  ownerSpreadRaw,
  pickBest,
  preferredAffinityRaw,
  scoreNodes,
} from '../../agent/scheduler/scores.ts';
import type { Taint } from '../../schema/kinds/node.ts';
import type { PodSpec } from '../../schema/kinds/pod.ts';
import { startHollowCluster, type HollowCluster } from '../support/hollow.ts';
import { waitFor } from '../support/wait.ts';

// ---------------------------------------------------------------------------------------------
// Fixtures

interface NodeFixture {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  ready?: boolean | 'none';
  unschedulable?: boolean;
}

function node(name: string, f: NodeFixture = {}): NodeObject {
  const ready = f.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-${name}`, labels: { 'kubernetes.io/hostname': name, ...f.labels } },
    spec: { taints: f.taints, unschedulable: f.unschedulable },
    status: {
      allocatable: { cpu: f.cpu ?? '4', memory: f.memory ?? '8Gi', pods: f.pods ?? '110' },
      conditions: ready === 'none' ? [] : [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  };
}

let counter = 0;
function pod(name: string, spec: Partial<PodSpec> = {}, meta: Partial<Resource['metadata']> = {}): PodObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `pod-uid-${counter++}`, ...meta },
    spec: { containers: [{ name: 'c', image: 'img' }], ...spec },
    status: { phase: 'Pending' },
  };
}

function requesting(cpu?: string, memory?: string): Partial<PodSpec> {
  const requests: Record<string, string> = {};
  if (cpu) requests.cpu = cpu;
  if (memory) requests.memory = memory;
  return { containers: [{ name: 'c', image: 'img', resources: { requests } }] };
}

function ownedBy(uid: string): Partial<Resource['metadata']> {
  return { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid, controller: true }] };
}

function infoOf(n: NodeObject, ...pods: PodObject[]): NodeInfo {
  const info = new NodeInfo(n.metadata.name!);
  info.setNode(n);
  for (const p of pods) info.addPod(podInfo({ ...p, spec: { ...p.spec!, nodeName: n.metadata.name } }));
  return info;
}

const GiB = 2 ** 30;

// ---------------------------------------------------------------------------------------------
// Unit tests: accounting

describe('node-info: what pods request and what nodes hold', () => {
  it('parses quantities into millicores and bytes, rounding up', () => {
    expect(amountOf('cpu', '100m')).toBe(100);
    expect(amountOf('cpu', '0.3')).toBe(300);
    expect(amountOf('cpu', 2)).toBe(2000);
    expect(amountOf('cpu', '1n')).toBe(1);
    expect(amountOf('memory', '1Gi')).toBe(GiB);
    expect(amountOf('memory', '1.5k')).toBe(1500);
    expect(amountOf('pods', '110')).toBe(110);
  });

  it('sums containers and takes the largest init container when that is more', () => {
    const p = pod('p', {
      containers: [
        { name: 'a', image: 'i', resources: { requests: { cpu: '500m', memory: '1Gi' } } },
        { name: 'b', image: 'i', resources: { requests: { cpu: '250m', 'example.com/gpu': '1' } } },
      ],
      initContainers: [{ name: 'init', image: 'i', resources: { requests: { cpu: '2', memory: '512Mi' } } }],
    });
    expect(podRequests(p)).toEqual({ cpu: 2000, memory: GiB, 'example.com/gpu': 1 });
    // Scores count a container without requests as 100m / 200Mi.
    expect(nonZeroRequests(pod('q'))).toEqual({ cpu: 100, memory: 200 * 2 ** 20 });
    expect(nonZeroRequests(p)).toEqual({ cpu: 2000, memory: GiB + 200 * 2 ** 20 });
  });

  it('keeps totals, ports and owner counts in step one pod at a time', () => {
    const n = infoOf(node('n1'));
    const a = podInfo({
      ...pod('a', {
        containers: [
          {
            name: 'c',
            image: 'i',
            resources: { requests: { cpu: '1' } },
            ports: [{ containerPort: 80, hostPort: 8080 }],
          },
        ],
      }),
      metadata: { name: 'a', namespace: 'default', ...ownedBy('rs-1') },
    });
    const b = podInfo({
      ...pod('b', requesting('500m', '1Gi')),
      metadata: { name: 'b', namespace: 'default', ...ownedBy('rs-1') },
    });
    n.addPod(a);
    n.addPod(b);
    n.addPod(b); // again: replaced, not counted twice
    expect(n.requested).toMatchObject({ cpu: 1500, memory: GiB });
    expect(n.pods.size).toBe(2);
    expect(n.ownerCount('rs-1')).toBe(2);
    expect(n.portTaken({ ip: '0.0.0.0', protocol: 'TCP', port: 8080 })).toBe(true);
    expect(n.portTaken({ ip: '10.0.0.1', protocol: 'TCP', port: 8080 })).toBe(true);
    expect(n.portTaken({ ip: '0.0.0.0', protocol: 'UDP', port: 8080 })).toBe(false);
    n.removePod(a.key);
    expect(n.requested.cpu).toBe(500);
    expect(n.ownerCount('rs-1')).toBe(1);
    expect(n.portTaken({ ip: '0.0.0.0', protocol: 'TCP', port: 8080 })).toBe(false);
  });

  it('the cache files bound pods by node, drops finished ones, and keeps assumed bindings until the informer shows them', () => {
    const cache = new SchedulerCache();
    cache.setNode(node('n1'));
    cache.setNode(node('n2'));
    const p = pod('p', requesting('1'));
    cache.updatePod(p); // pending: counted nowhere
    expect(cache.nodeInfo('n1')!.pods.size + cache.nodeInfo('n2')!.pods.size).toBe(0);

    cache.assume({ ...p, spec: { ...p.spec!, nodeName: 'n1' } }, 'n1');
    expect(cache.isAssumed('default/p')).toBe(true);
    // A late event from before the binding must not undo the assumption.
    cache.updatePod(p);
    expect(cache.nodeInfo('n1')!.requested.cpu).toBe(1000);
    // The binding arrives: no longer assumed, still counted once.
    cache.updatePod({ ...p, spec: { ...p.spec!, nodeName: 'n1' } });
    expect(cache.isAssumed('default/p')).toBe(false);
    expect(cache.nodeInfo('n1')!.requested.cpu).toBe(1000);
    // Finished: holds nothing.
    cache.updatePod({ ...p, spec: { ...p.spec!, nodeName: 'n1' }, status: { phase: 'Succeeded' } });
    expect(cache.nodeInfo('n1')!.requested.cpu).toBe(0);

    // Pods of a node the cache has not seen are kept, and the node is not offered.
    cache.updatePod({
      ...pod('q', requesting('1')),
      spec: { ...requesting('1'), nodeName: 'n3' } as PodSpec,
    });
    expect(
      cache
        .nodeInfos()
        .map((n) => n.name)
        .sort(),
    ).toEqual(['n1', 'n2']);
    cache.setNode(node('n3'));
    expect(cache.nodeInfo('n3')!.requested.cpu).toBe(1000);
    cache.removeNode('n2');
    expect(
      cache
        .nodeInfos()
        .map((n) => n.name)
        .sort(),
    ).toEqual(['n1', 'n3']);
  });
});

// ---------------------------------------------------------------------------------------------
// Unit tests: filters

describe('filters', () => {
  it('Ready must be True; a node with no conditions yet is not ready', () => {
    const p = podInfo(pod('p'));
    expect(nodeReady.check(p, infoOf(node('n')))).toBeUndefined();
    expect(nodeReady.check(p, infoOf(node('n', { ready: false })))).toEqual(['node(s) were not ready']);
    expect(nodeReady.check(p, infoOf(node('n', { ready: 'none' })))).toEqual(['node(s) were not ready']);
    const tolerant = podInfo(
      pod('t', { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }] }),
    );
    expect(nodeReady.check(tolerant, infoOf(node('n', { ready: false })))).toBeUndefined();
  });

  it('a cordoned node takes only pods tolerating node.kubernetes.io/unschedulable', () => {
    const cordoned = infoOf(node('n', { unschedulable: true }));
    expect(nodeUnschedulable.check(podInfo(pod('p')), cordoned)).toEqual(['node(s) were unschedulable']);
    const tolerant = pod('t', {
      tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }],
    });
    expect(nodeUnschedulable.check(podInfo(tolerant), cordoned)).toBeUndefined();
  });

  it('tolerations match taints as Kubernetes does', () => {
    const taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' as const };
    expect(toleratesTaint({ key: 'dedicated', value: 'gpu' }, taint)).toBe(true);
    expect(
      toleratesTaint({ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, taint),
    ).toBe(true);
    expect(toleratesTaint({ key: 'dedicated', value: 'cpu' }, taint)).toBe(false);
    expect(toleratesTaint({ key: 'dedicated', operator: 'Exists' }, taint)).toBe(true);
    expect(toleratesTaint({ operator: 'Exists' }, taint)).toBe(true);
    expect(toleratesTaint({ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, taint)).toBe(false);
    expect(toleratesTaint({ key: 'other', operator: 'Exists' }, taint)).toBe(false);
    expect(describeTaint(taint)).toBe('{dedicated: gpu}');
    expect(describeTaint({ key: 'k', effect: 'NoExecute' })).toBe('{k: }');
  });

  it('NoSchedule and NoExecute taints need a toleration, PreferNoSchedule does not', () => {
    const n = infoOf(
      node('n', {
        taints: [
          { key: 'soft', effect: 'PreferNoSchedule' },
          { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
          { key: 'evict', effect: 'NoExecute' },
        ],
      }),
    );
    expect(taintToleration.check(podInfo(pod('p')), n)).toEqual([
      'node(s) had untolerated taint {dedicated: gpu}',
    ]);
    const half = pod('h', { tolerations: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
    expect(taintToleration.check(podInfo(half), n)).toEqual(['node(s) had untolerated taint {evict: }']);
    const both = pod('b', {
      tolerations: [
        { key: 'dedicated', operator: 'Exists' },
        { key: 'evict', operator: 'Exists', effect: 'NoExecute' },
      ],
    });
    expect(taintToleration.check(podInfo(both), n)).toBeUndefined();
  });

  it('node selector requirements: In, NotIn, Exists, DoesNotExist, Gt, Lt', () => {
    expect(matchesRequirement({ key: 'k', operator: 'In', values: ['a', 'b'] }, 'b')).toBe(true);
    expect(matchesRequirement({ key: 'k', operator: 'In', values: ['a'] }, undefined)).toBe(false);
    expect(matchesRequirement({ key: 'k', operator: 'NotIn', values: ['a'] }, undefined)).toBe(true);
    expect(matchesRequirement({ key: 'k', operator: 'NotIn', values: ['a'] }, 'a')).toBe(false);
    expect(matchesRequirement({ key: 'k', operator: 'Exists' }, '')).toBe(true);
    expect(matchesRequirement({ key: 'k', operator: 'DoesNotExist' }, 'x')).toBe(false);
    expect(matchesRequirement({ key: 'k', operator: 'Gt', values: ['4'] }, '8')).toBe(true);
    expect(matchesRequirement({ key: 'k', operator: 'Gt', values: ['8'] }, '8')).toBe(false);
    expect(matchesRequirement({ key: 'k', operator: 'Lt', values: ['8'] }, '-1')).toBe(true);
    expect(matchesRequirement({ key: 'k', operator: 'Lt', values: ['8'] }, 'x')).toBe(false);
    expect(matchesRequirement({ key: 'k', operator: 'Gt', values: ['1', '2'] }, '5')).toBe(false);
  });

  it('nodeSelector and required node affinity (terms ORed, expressions and fields ANDed)', () => {
    const ssd = node('n1', { labels: { disk: 'ssd', cores: '16' } });
    const hdd = node('n2', { labels: { disk: 'hdd', cores: '4' } });
    const selector = pod('p', { nodeSelector: { disk: 'ssd' } });
    expect(matchesNodeSelectorAndAffinity(selector.spec, ssd)).toBe(true);
    expect(matchesNodeSelectorAndAffinity(selector.spec, hdd)).toBe(false);

    const affinity = (terms: NonNullable<PodSpec['affinity']>) => pod('a', { affinity: terms });
    const big = affinity({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] },
            { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n3'] }] },
          ],
        },
      },
    });
    expect(matchesNodeSelectorAndAffinity(big.spec, ssd)).toBe(true);
    expect(matchesNodeSelectorAndAffinity(big.spec, hdd)).toBe(false);
    expect(matchesNodeSelectorAndAffinity(big.spec, node('n3'))).toBe(true);

    const byName = affinity({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }],
              matchExpressions: [{ key: 'disk', operator: 'Exists' }],
            },
          ],
        },
      },
    });
    expect(matchesNodeSelectorAndAffinity(byName.spec, ssd)).toBe(false);
    expect(matchesNodeSelectorAndAffinity(byName.spec, hdd)).toBe(true);
    expect(matchesNodeSelectorAndAffinity(byName.spec, node('n3'))).toBe(false); // no disk label

    const empty = affinity({
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } },
    });
    expect(matchesNodeSelectorAndAffinity(empty.spec, ssd)).toBe(false);
    expect(nodeAffinity.check(podInfo(selector), infoOf(hdd))).toEqual([
      "node(s) didn't match Pod's node affinity/selector",
    ]);
  });

  it('host ports conflict on the same protocol and port unless both IPs are specific and differ', () => {
    const withPort = (name: string, hostPort: number, hostIP?: string, protocol?: 'TCP' | 'UDP') =>
      pod(name, {
        containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, hostPort, hostIP, protocol }] }],
      });
    const n = infoOf(node('n'), withPort('a', 8080, '10.0.0.1'));
    expect(nodePorts.check(podInfo(withPort('b', 8080)), n)).toEqual([
      "node(s) didn't have free ports for the requested pod ports",
    ]);
    expect(nodePorts.check(podInfo(withPort('c', 8080, '10.0.0.1')), n)).toHaveLength(1);
    expect(nodePorts.check(podInfo(withPort('d', 8080, '10.0.0.2')), n)).toBeUndefined();
    expect(nodePorts.check(podInfo(withPort('e', 8080, undefined, 'UDP')), n)).toBeUndefined();
    expect(nodePorts.check(podInfo(withPort('f', 9090)), n)).toBeUndefined();
  });

  it('requests must fit in allocatable minus what bound pods request, one reason per resource', () => {
    const n = infoOf(node('n', { cpu: '2', memory: '4Gi', pods: '3' }), pod('a', requesting('1500m', '3Gi')));
    // Fits: no reasons (a filter answers undefined or an empty list).
    expect(resourcesFit.check(podInfo(pod('p', requesting('500m', '1Gi'))), n) ?? []).toEqual([]);
    expect(resourcesFit.check(podInfo(pod('p', requesting('501m'))), n)).toEqual(['Insufficient cpu']);
    expect(resourcesFit.check(podInfo(pod('p', requesting('1', '2Gi'))), n)).toEqual([
      'Insufficient cpu',
      'Insufficient memory',
    ]);
    const gpu = pod('g', {
      containers: [{ name: 'c', image: 'i', resources: { requests: { 'example.com/gpu': '1' } } }],
    });
    expect(resourcesFit.check(podInfo(gpu), n)).toEqual(['Insufficient example.com/gpu']);
    // A pod without requests still takes one of the node's pod slots.
    const full = infoOf(node('m', { pods: '2' }), pod('x'), pod('y'));
    expect(resourcesFit.check(podInfo(pod('p')), full)).toEqual(['Too many pods']);
  });

  it('runs the filters in order and stops at the first that fails', () => {
    const n = infoOf(node('n', { ready: false, cpu: '1' }));
    expect(runFilters(podInfo(pod('p', requesting('2'))), n)).toEqual(['node(s) were not ready']);
    expect(runFilters(podInfo(pod('p', requesting('1'))), infoOf(node('m', { cpu: '1' })))).toBeUndefined();
    expect(DEFAULT_FILTERS.map((f) => f.name)).toEqual([
      'NodeReady',
      'NodeUnschedulable',
      'TaintToleration',
      'NodeAffinity',
      'NodePorts',
      'NodeResourcesFit',
    ]);
  });

  it("words the FailedScheduling message as Kubernetes' FitError", () => {
    const reasons = new Map([
      ['Insufficient cpu', 2],
      ['node(s) had untolerated taint {dedicated: gpu}', 1],
    ]);
    expect(unschedulableMessage(3, reasons)).toBe(
      '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu.',
    );
    expect(unschedulableMessage(0, new Map())).toBe('no nodes available to schedule pods');
  });
});

// ---------------------------------------------------------------------------------------------
// Unit tests: scores

describe('scores', () => {
  it('least allocated prefers the emptier node, counting cpu and memory equally', () => {
    const p = podInfo(pod('p', requesting('1', '2Gi')));
    const empty = infoOf(node('a', { cpu: '4', memory: '8Gi' }));
    const busy = infoOf(node('b', { cpu: '4', memory: '8Gi' }), pod('x', requesting('2', '4Gi')));
    expect(leastAllocated(p, empty)).toBeCloseTo(75);
    expect(leastAllocated(p, busy)).toBeCloseTo(25);
    // Balanced: a pod that keeps cpu and memory fractions equal scores 100.
    expect(balancedAllocation(p, empty)).toBeCloseTo(100);
    expect(balancedAllocation(podInfo(pod('q', requesting('4', '1Gi'))), empty)).toBeLessThan(60);
  });

  it('normalizes raw values to 0..100, reversed when fewer is better', () => {
    expect(normalize([0, 2, 4])).toEqual([0, 50, 100]);
    expect(normalize([0, 2, 4], true)).toEqual([100, 50, 0]);
    expect(normalize([0, 0], true)).toEqual([100, 100]);
    expect(normalize([0, 0])).toEqual([0, 0]);
  });

  it('spreads the pods of one controller: the node with the fewest of them wins', () => {
    const owned = (name: string) => pod(name, {}, ownedBy('rs-1'));
    const nodes = [
      infoOf(node('a'), owned('x1'), owned('x2')),
      infoOf(node('b'), owned('x3'), pod('other-1'), pod('other-2'), pod('other-3')),
      infoOf(node('c')),
    ];
    const p = podInfo(owned('new'));
    expect(ownerSpreadRaw(p, nodes)).toEqual([2, 1, 0]);
    const totals = scoreNodes(p, nodes);
    expect(pickBest(totals)).toBe(2);
    // Without an owner, spreading is neutral.
    expect(ownerSpreadRaw(podInfo(pod('lonely')), nodes)).toEqual([0, 0, 0]);
  });

  it('prefers nodes matching preferred affinity terms and avoids untolerated PreferNoSchedule taints', () => {
    const nodes = [
      infoOf(node('a', { labels: { zone: 'z1' }, taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] })),
      infoOf(node('b', { labels: { zone: 'z2' } })),
    ];
    const p = podInfo(
      pod('p', {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 10,
                preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] },
              },
            ],
          },
        },
      }),
    );
    expect(preferredAffinityRaw(p, nodes)).toEqual([10, 0]);
    expect(intolerablePreferNoScheduleRaw(p, nodes)).toEqual([1, 0]);
    const tolerant = podInfo(pod('t', { tolerations: [{ key: 'soft', operator: 'Exists' }] }));
    expect(intolerablePreferNoScheduleRaw(tolerant, nodes)).toEqual([0, 0]);
  });

  it('breaks ties at random among the best', () => {
    expect(pickBest([1, 3, 2])).toBe(1);
    const picks = new Set<number>();
    for (let i = 0; i < 200; i++) picks.add(pickBest([5, 1, 5, 5]));
    expect([...picks].sort()).toEqual([0, 2, 3]);
    expect(pickBest([5, 5], () => 0.99)).toBe(0);
    expect(pickBest([5, 5], () => 0)).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Integration: the scheduler over hollow nodes

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
