import { describe, expect, it } from 'vitest';
import type { Resource } from '../../client/index.ts';
import { NodeLifecycleController, nodeLifecycleController } from '../../agent/controllers/node-lifecycle.ts';
import { UNREACHABLE_TAINT } from '../../agent/node-eligibility.ts';
import type { NodeObject, PodObject } from '../../agent/objects.ts';
import type { EventObject } from '../support/e2e.ts';
import { controllerCluster, eventually } from '../support/controller-cluster.ts';
import { fixtureContext } from '../support/controller-fixture.ts';

const GRACE = 40_000;
const EVICTION = 300_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

function node(
  name: string,
  options: { ready?: string; taints?: unknown[]; createdAgo?: number } = {},
): Resource {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      uid: `uid-${name}`,
      resourceVersion: `rv-${name}`,
      creationTimestamp: ago(options.createdAgo ?? 3_600_000),
    },
    spec: options.taints ? { taints: options.taints } : {},
    status: {
      conditions: options.ready
        ? [
            {
              type: 'MemoryPressure',
              status: options.ready === 'Unknown' ? 'Unknown' : 'False',
              lastHeartbeatTime: ago(3_600_000),
            },
            {
              type: 'Ready',
              status: options.ready,
              reason: 'KubeletReady',
              lastHeartbeatTime: ago(3_600_000),
            },
          ]
        : [],
    },
  };
}

function lease(name: string, renewedAgo: number): Resource {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace: 'kube-node-lease' },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: ago(renewedAgo) },
  };
}

function pod(
  name: string,
  nodeName: string,
  extra: { owner?: string; tolerations?: unknown[] } = {},
): Resource {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      resourceVersion: `rv-${name}`,
      ...(extra.owner
        ? {
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: extra.owner, name: 'o', uid: 'uid-o', controller: true },
            ],
          }
        : {}),
    },
    spec: {
      nodeName,
      containers: [{ name: 'c' }],
      ...(extra.tolerations ? { tolerations: extra.tolerations } : {}),
    },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

const unreachable = (addedAgo: number) => ({
  key: UNREACHABLE_TAINT,
  effect: 'NoExecute',
  timeAdded: ago(addedAgo),
});

describe('node lifecycle reconcile', () => {
  it('does nothing to a node whose lease is fresh, and comes back when it would go stale', async () => {
    const { ctx, writes, events } = fixtureContext([node('n1', { ready: 'True' }), lease('n1', 10_000)]);
    const result = await new NodeLifecycleController(ctx).reconcile('n1');
    expect(writes).toEqual([]);
    expect(events).toEqual([]);
    expect(result?.requeueAfterMs).toBeGreaterThan(GRACE - 10_000 - 1000);
    expect(result?.requeueAfterMs).toBeLessThanOrEqual(GRACE - 10_000);
  });

  it('marks a silent node Unknown, taints it unreachable and its pods not ready', async () => {
    const silent = node('n1', {
      ready: 'True',
      taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }],
    });
    const { ctx, writes, events } = fixtureContext([silent, lease('n1', GRACE + 1000), pod('web', 'n1')]);
    const before = Date.now();
    const result = await new NodeLifecycleController(ctx).reconcile('n1');

    expect(writes[0]).toMatchObject({ verb: 'updateStatus', kind: 'Node', name: 'n1' });
    const conditions = (writes[0].body as { conditions: Array<Record<string, string>> }).conditions;
    expect(conditions).toEqual([
      expect.objectContaining({ type: 'MemoryPressure', status: 'Unknown', reason: 'NodeStatusUnknown' }),
      expect.objectContaining({
        type: 'Ready',
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
        lastHeartbeatTime: (silent as NodeObject).status!.conditions![1].lastHeartbeatTime,
      }),
    ]);

    expect(writes[1]).toMatchObject({
      verb: 'patch',
      kind: 'Node',
      name: 'n1',
      body: {
        metadata: { resourceVersion: 'rv-n1' },
        spec: {
          taints: [
            { key: 'dedicated', value: 'db', effect: 'NoSchedule' },
            { key: UNREACHABLE_TAINT, effect: 'NoExecute', timeAdded: expect.any(String) },
          ],
        },
      },
    });
    const added = Date.parse((writes[1].body as NodeObject).spec!.taints![1].timeAdded!);
    expect(added).toBeGreaterThanOrEqual(before);

    expect(writes[2]).toMatchObject({
      verb: 'updateStatus',
      kind: 'Pod',
      name: 'web',
      body: { conditions: [{ type: 'Ready', status: 'False' }] },
    });
    expect(writes).toHaveLength(3);
    expect(events).toEqual([
      {
        kind: 'Node',
        name: 'n1',
        type: 'Normal',
        reason: 'NodeNotReady',
        message: 'Node n1 status is now: NodeNotReady',
      },
      { kind: 'Pod', name: 'web', type: 'Warning', reason: 'NodeNotReady', message: 'Node is not ready' },
    ]);
    // Back when the pod is due for eviction.
    expect(result?.requeueAfterMs).toBeGreaterThan(EVICTION - 1000);
    expect(result?.requeueAfterMs).toBeLessThanOrEqual(EVICTION);
  });

  it('marks a node that never posted status Unknown, without a NodeNotReady event', async () => {
    const { ctx, writes, events } = fixtureContext([node('n1')]);
    await new NodeLifecycleController(ctx).reconcile('n1');
    expect(writes[0].body).toEqual({
      conditions: [
        expect.objectContaining({
          type: 'Ready',
          status: 'Unknown',
          reason: 'NodeStatusNeverUpdated',
          message: 'Kubelet never posted node status.',
        }),
      ],
    });
    expect(writes[1].body).toMatchObject({
      spec: { taints: [{ key: UNREACHABLE_TAINT, effect: 'NoExecute' }] },
    });
    expect(events).toEqual([]);
  });

  it('evicts pods once the taint is old enough, except DaemonSet pods and pods tolerating it', async () => {
    const tolerate = (seconds?: number) => [
      {
        key: UNREACHABLE_TAINT,
        operator: 'Exists',
        effect: 'NoExecute',
        ...(seconds === undefined ? {} : { tolerationSeconds: seconds }),
      },
    ];
    const { ctx, writes, events } = fixtureContext([
      node('n1', { ready: 'Unknown', taints: [unreachable(EVICTION + 5000)] }),
      lease('n1', EVICTION + 10_000),
      pod('plain', 'n1'),
      pod('daemon', 'n1', { owner: 'DaemonSet' }),
      pod('replica', 'n1', { owner: 'ReplicaSet' }),
      pod('forever', 'n1', { tolerations: tolerate() }),
      pod('briefly', 'n1', { tolerations: tolerate(60) }),
      pod('long', 'n1', { tolerations: tolerate(EVICTION / 1000 + 3600) }),
      pod('elsewhere', 'n2'),
    ]);
    const result = await new NodeLifecycleController(ctx).reconcile('n1');
    const deletes = writes.filter((w) => w.verb === 'delete');
    expect(deletes.map((w) => [w.name, w.body]).sort()).toEqual([
      ['briefly', { gracePeriodSeconds: 0 }],
      ['plain', { gracePeriodSeconds: 0 }],
      ['replica', { gracePeriodSeconds: 0 }],
    ]);
    expect(events.filter((e) => e.reason === 'TaintManagerEviction')).toContainEqual({
      kind: 'Pod',
      name: 'plain',
      type: 'Normal',
      reason: 'TaintManagerEviction',
      message: 'Marking for deletion Pod default/plain',
    });
    // Each evicted pod is marked a disruption target before its deletion.
    for (const name of ['briefly', 'plain', 'replica']) {
      const marked = writes.findIndex((w) => w.verb === 'updateStatus' && w.name === name);
      expect(marked).toBeLessThan(writes.findIndex((w) => w.verb === 'delete' && w.name === name));
      const conditions = (writes[marked].body as PodObject['status'])?.conditions;
      expect(conditions?.find((c) => c.type === 'DisruptionTarget')).toMatchObject({
        status: 'True',
        reason: 'DeletionByTaintManager',
        message: 'Taint manager: deleting due to NoExecute taint',
      });
    }
    // The survivors are marked not ready; no status or taint change for the node itself.
    const notReady = writes.filter(
      (w) =>
        w.verb === 'updateStatus' &&
        (w.body as PodObject['status'])?.conditions?.some((c) => c.type === 'Ready' && c.status === 'False'),
    );
    expect(notReady.map((w) => w.name).sort()).toEqual(['daemon', 'forever', 'long']);
    expect(writes.filter((w) => w.kind === 'Node')).toEqual([]);
    // Back when "long" runs out of toleration (an hour after the eviction timeout would).
    expect(result?.requeueAfterMs).toBeGreaterThan(3_600_000 - 5000 - 1000);
    expect(result?.requeueAfterMs).toBeLessThanOrEqual(3_600_000 - 5000);
  });

  it('switches to the not-ready taint when the node reports Ready=False, and drops it when Ready', async () => {
    const notReady = fixtureContext([
      node('n1', { ready: 'False', taints: [unreachable(1000)] }),
      lease('n1', 1000),
    ]);
    await new NodeLifecycleController(notReady.ctx).reconcile('n1');
    expect(notReady.writes).toEqual([
      {
        verb: 'patch',
        kind: 'Node',
        name: 'n1',
        namespace: undefined,
        body: {
          metadata: { resourceVersion: 'rv-n1' },
          spec: {
            taints: [
              { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: expect.any(String) },
            ],
          },
        },
      },
    ]);

    const back = fixtureContext([
      node('n1', { ready: 'True', taints: [unreachable(1000), { key: 'x', effect: 'NoSchedule' }] }),
      lease('n1', 1000),
      pod('web', 'n1'),
    ]);
    await new NodeLifecycleController(back.ctx).reconcile('n1');
    expect(back.writes).toEqual([
      {
        verb: 'patch',
        kind: 'Node',
        name: 'n1',
        namespace: undefined,
        body: {
          metadata: { resourceVersion: 'rv-n1' },
          spec: { taints: [{ key: 'x', effect: 'NoSchedule' }] },
        },
      },
    ]);
  });
});

describe('node lifecycle controller against a server', () => {
  const env = controllerCluster([nodeLifecycleController], {
    // Heartbeats come every 100 ms; a grace period of 1.5 s (not less) keeps a loaded
    // test machine, where this process may stall for hundreds of milliseconds, from
    // seeing a healthy node go silent.
    nodeMonitorGracePeriodMs: 1500,
    podEvictionTimeoutMs: 500,
  });

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('marks a node whose lease stops being renewed Unknown, taints it and evicts its pods but DaemonSet ones', async () => {
    const { writer } = env;
    const readyCondition = () => ({
      type: 'Ready',
      status: 'True',
      reason: 'KubeletReady',
      lastHeartbeatTime: new Date().toISOString(),
    });
    // The agent's order: the lease first, so the node is never seen without a heartbeat.
    for (const name of ['silent', 'healthy']) {
      await writer.create({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace: 'kube-node-lease' },
        spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new Date().toISOString() },
      });
      await writer.create({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name },
        status: { conditions: [readyCondition()] },
      });
    }
    const renew = (name: string) =>
      writer.patch('Lease', name, 'kube-node-lease', { spec: { renewTime: new Date().toISOString() } });
    let silentBeats = true;
    const heart = setInterval(() => {
      renew('healthy').catch(() => {});
      if (silentBeats) renew('silent').catch(() => {});
    }, 100);

    try {
      const template = {
        metadata: { labels: { app: 'agent' } },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      };
      const daemonSet = await writer.create<Resource>({
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'agent', namespace: 'default' },
        spec: { selector: { matchLabels: { app: 'agent' } }, template },
      });
      const pods: Array<[name: string, node: string, extra: Record<string, unknown>]> = [
        ['plain', 'silent', {}],
        [
          'daemon',
          'silent',
          {
            metadata: {
              labels: { app: 'agent' },
              ownerReferences: [
                {
                  apiVersion: 'apps/v1',
                  kind: 'DaemonSet',
                  name: 'agent',
                  uid: daemonSet.metadata.uid,
                  controller: true,
                },
              ],
            },
          },
        ],
        [
          'tolerant',
          'silent',
          { spec: { tolerations: [{ key: UNREACHABLE_TAINT, operator: 'Exists', effect: 'NoExecute' }] } },
        ],
        ['safe', 'healthy', {}],
      ];
      for (const [name, nodeName, extra] of pods) {
        await writer.create({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, namespace: 'default', ...(extra.metadata as object) },
          spec: { containers: [{ name: 'c', image: 'busybox' }], ...(extra.spec as object) },
        });
        const bound = await writer.bind('default', name, nodeName);
        await writer.updateStatus(bound, {
          ...(bound.status as object),
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True' }],
        });
      }

      // Heartbeats every 100 ms keep both nodes Ready for well past the grace period.
      await sleep(2000);
      expect((await env.client.get('Node', 'silent'))?.spec).not.toMatchObject({ taints: expect.anything() });

      silentBeats = false;
      const silent = await eventually(
        () => env.client.get<NodeObject>('Node', 'silent'),
        (n) => !!n?.spec?.taints?.some((t) => t.key === UNREACHABLE_TAINT),
      );
      expect(silent!.status?.conditions).toContainEqual(
        expect.objectContaining({ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }),
      );
      expect(silent!.spec?.taints).toEqual([
        { key: UNREACHABLE_TAINT, effect: 'NoExecute', timeAdded: expect.any(String) },
      ]);

      await eventually(
        () => env.client.get('Pod', 'plain', 'default'),
        (p) => p === null,
      );
      await sleep(300);
      for (const name of ['daemon', 'tolerant']) {
        const kept = await env.client.get<PodObject>('Pod', name, 'default');
        expect(kept?.metadata.deletionTimestamp).toBeUndefined();
        expect(kept?.status?.conditions).toContainEqual(
          expect.objectContaining({ type: 'Ready', status: 'False' }),
        );
      }
      const healthy = await env.client.get<NodeObject>('Node', 'healthy');
      expect(healthy?.spec?.taints).toBeUndefined();
      expect(healthy?.status?.conditions?.[0].status).toBe('True');
      expect(
        (await env.client.get<PodObject>('Pod', 'safe', 'default'))?.status?.conditions?.[0].status,
      ).toBe('True');

      const events = await eventually(
        () => env.client.list<EventObject>('Event', { namespace: 'default' }),
        (list) => list.items.some((e) => e.reason === 'TaintManagerEviction'),
      );
      const reasons = events.items.map(
        (e) => `${e.reason} ${e.involvedObject?.kind}/${e.involvedObject?.name}`,
      );
      expect(reasons).toContain('NodeNotReady Node/silent');
      expect(reasons).toContain('TaintManagerEviction Pod/plain');

      // The node comes back: its agent renews the lease and reports Ready again.
      await renew('silent');
      silentBeats = true;
      const node = (await env.client.get<NodeObject>('Node', 'silent'))!;
      await writer.updateStatus(node, { ...node.status, conditions: [readyCondition()] });
      await eventually(
        () => env.client.get<NodeObject>('Node', 'silent'),
        (n) => !n?.spec?.taints?.length,
      );
    } finally {
      clearInterval(heart);
    }
  });
});
