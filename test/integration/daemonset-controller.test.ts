import { describe, expect, it } from 'vitest';
import type { Resource } from '../../client/index.ts';
import { daemonPlacement, targetNodeName } from '../../agent/controllers/daemon-placement.ts';
import {
  DaemonSetController,
  daemonSetController,
  FailedPodBackoff,
  newDaemonPod,
  type DaemonSetObject,
} from '../../agent/controllers/daemonset.ts';
import { templateHash } from '../../agent/controllers/template-hash.ts';
import { toleratesTaint } from '../../agent/node-eligibility.ts';
import type { NodeObject, PodObject } from '../../agent/objects.ts';
import { ManualClock } from '../../lib/clock.ts';
import { controllerCluster, until } from '../support/controller-cluster.ts';
import { fixtureContext, type RecordedWrite } from '../support/controller-fixture.ts';
import { fakeKubelet } from '../support/fake-kubelet.ts';

type DaemonSpec = NonNullable<DaemonSetObject['spec']>;
type Taint = NonNullable<NonNullable<NodeObject['spec']>['taints']>[number];

/** The time of every unit reconcile (its ManualClock's). */
const T0 = Date.parse('2026-01-01T12:00:00Z');

function daemonSet(
  spec: Partial<DaemonSpec> = {},
  podSpec: Partial<PodObject['spec']> = {},
): DaemonSetObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default', uid: 'agent-uid', generation: 1 },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      template: {
        metadata: { labels: { app: 'agent' } },
        spec: { containers: [{ name: 'agent', image: 'agent:1' }], ...podSpec },
      },
      ...spec,
    },
  };
}

function node(name: string, labels: Record<string, string> = {}, taints: Taint[] = []): NodeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `${name}-uid`, labels: { 'kubernetes.io/hostname': name, ...labels } },
    spec: taints.length ? { taints } : {},
  };
}

const hashOf = (ds: DaemonSetObject) => templateHash(ds.spec!.template);
let podCounter = 0;

/** A daemon pod as the controller would have created it for `nodeName`, bound and in the given state. */
function daemonPod(
  ds: DaemonSetObject,
  nodeName: string,
  state: { ready?: boolean; hash?: string; phase?: 'Running' | 'Failed'; bound?: boolean } = {},
): PodObject {
  const { ready = true, hash = hashOf(ds), bound = true } = state;
  const pod = newDaemonPod(ds, nodeName, hash);
  const n = podCounter++;
  pod.metadata.name = `agent-${nodeName}-${n}`;
  pod.metadata.uid = `pod-${n}-uid`;
  pod.metadata.resourceVersion = '1';
  pod.metadata.creationTimestamp = new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString();
  if (bound) pod.spec!.nodeName = nodeName;
  pod.status = {
    phase: state.phase ?? (ready ? 'Running' : 'Pending'),
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
  };
  return pod;
}

async function reconcile(objects: Resource[]) {
  const fixture = fixtureContext(objects, new ManualClock(T0));
  const result = await new DaemonSetController(fixture.ctx).reconcile('default/agent');
  const podWrites = fixture.writes.filter((w) => w.kind === 'Pod');
  const status = fixture.writes.find((w) => w.verb === 'updateStatus')?.body as
    NonNullable<DaemonSetObject['status']> | undefined;
  return { ...fixture, result, podWrites, status };
}

/** The node each created pod is for (its affinity), sorted. */
const createdFor = (writes: RecordedWrite[]) =>
  writes
    .filter((w) => w.verb === 'create')
    .map((w) => targetNodeName((w.body as PodObject).spec))
    .sort();
const deleted = (writes: RecordedWrite[]) =>
  writes
    .filter((w) => w.verb === 'delete')
    .map((w) => w.name)
    .sort();

describe('node eligibility', () => {
  it('matches tolerations to taints as Kubernetes does', () => {
    const taint: Taint = { key: 'dedicated', value: 'db', effect: 'NoSchedule' };
    expect(toleratesTaint({ key: 'dedicated', operator: 'Equal', value: 'db' }, taint)).toBe(true);
    expect(toleratesTaint({ key: 'dedicated', value: 'web' }, taint)).toBe(false);
    expect(toleratesTaint({ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, taint)).toBe(false);
    expect(toleratesTaint({ operator: 'Exists' }, taint)).toBe(true);
  });

  it('keeps a daemon pod on a node that gained a NoSchedule taint, not on one with a NoExecute taint', () => {
    const spec = { tolerations: [] };
    expect(daemonPlacement(spec, node('a', {}, [{ key: 'x', effect: 'NoSchedule' }]))).toEqual({
      shouldRun: false,
      shouldContinueRunning: true,
    });
    expect(daemonPlacement(spec, node('a', {}, [{ key: 'x', effect: 'NoExecute' }]))).toEqual({
      shouldRun: false,
      shouldContinueRunning: false,
    });
  });
});

describe('DaemonSet reconcile (unit)', () => {
  it('creates one pod per eligible node, pinned by node affinity and with the automatic tolerations', async () => {
    const ds = daemonSet({}, { nodeSelector: { role: 'worker' } });
    const deleting = node('n-deleting', { role: 'worker' });
    deleting.metadata.deletionTimestamp = new Date(T0).toISOString();
    const nodes = [
      node('n1', { role: 'worker' }),
      node('n2', { role: 'worker' }),
      node('n-tainted', { role: 'worker' }, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]),
      node('n-other', { role: 'db' }),
      node('n-cordoned', { role: 'worker' }, [
        { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
      ]),
      node('n-not-ready', { role: 'worker' }, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }]),
      deleting,
    ];
    const { podWrites, events, status } = await reconcile([ds, ...nodes]);
    expect(createdFor(podWrites)).toEqual(['n-cordoned', 'n-not-ready', 'n1', 'n2']);
    expect(podWrites.every((w) => w.verb === 'create')).toBe(true);

    const pod = podWrites.find((w) => targetNodeName((w.body as PodObject).spec) === 'n1')!.body as PodObject;
    expect(pod.metadata.generateName).toBe('agent-');
    expect(pod.metadata.labels).toEqual({
      app: 'agent',
      'controller-revision-hash': hashOf(ds),
      'pod-template-generation': '1',
    });
    expect(pod.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        name: 'agent',
        uid: 'agent-uid',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(pod.spec?.nodeName).toBeUndefined();
    expect(pod.spec?.nodeSelector).toEqual({ role: 'worker' });
    expect(pod.spec?.affinity).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }],
        },
      },
    });
    expect(pod.spec?.tolerations?.map((t) => `${t.key}:${t.effect}`).sort()).toEqual([
      'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule',
      'node.kubernetes.io/not-ready:NoExecute',
      'node.kubernetes.io/pid-pressure:NoSchedule',
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
    expect(events.map((e) => [e.reason, e.message.replace(/agent-\w+$/, 'agent-*')])).toEqual(
      Array(4).fill(['SuccessfulCreate', 'Created pod: agent-*']),
    );
    expect(status).toMatchObject({
      desiredNumberScheduled: 4,
      currentNumberScheduled: 0,
      observedGeneration: 1,
    });
  });

  it('replaces the required node affinity terms but keeps the rest of the affinity', async () => {
    const ds = daemonSet(
      {},
      {
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }],
            },
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 5, preference: { matchExpressions: [{ key: 'ssd', operator: 'Exists' }] } },
            ],
          },
        },
      },
    );
    const nodes = [
      node('za', { zone: 'a' }, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]),
      node('zb', { zone: 'b' }),
    ];
    const { podWrites } = await reconcile([ds, ...nodes]);
    expect(createdFor(podWrites)).toEqual(['za']);
    const spec = (podWrites[0].body as PodObject).spec!;
    expect(spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution).toEqual({
      nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['za'] }] }],
    });
    expect(spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    expect(spec.tolerations?.[0]).toEqual({
      key: 'dedicated',
      operator: 'Equal',
      value: 'db',
      effect: 'NoSchedule',
    });
  });

  it('deletes pods of nodes that left (at once) and of nodes that stopped matching', async () => {
    const ds = daemonSet({}, { nodeSelector: { role: 'worker' } });
    const nodes = [node('n1', { role: 'worker' }), node('n-relabelled', { role: 'db' })];
    const stays = daemonPod(ds, 'n1');
    const relabelled = daemonPod(ds, 'n-relabelled');
    const orphanedBound = daemonPod(ds, 'n-gone');
    const orphanedPending = daemonPod(ds, 'n-gone-too', { bound: false, ready: false });
    const { podWrites, events, status } = await reconcile([
      ds,
      ...nodes,
      stays,
      relabelled,
      orphanedBound,
      orphanedPending,
    ]);
    expect(deleted(podWrites)).toEqual(
      [relabelled, orphanedBound, orphanedPending].map((p) => p.metadata.name).sort(),
    );
    expect(podWrites.filter((w) => w.verb === 'create')).toEqual([]);
    const options = (pod: PodObject) => podWrites.find((w) => w.name === pod.metadata.name)?.body;
    expect(options(orphanedBound)).toEqual({ gracePeriodSeconds: 0 });
    expect(options(relabelled)).toBeUndefined();
    expect(events.filter((e) => e.reason === 'SuccessfulDelete')).toHaveLength(3);
    expect(status).toMatchObject({
      desiredNumberScheduled: 1,
      currentNumberScheduled: 1,
      numberMisscheduled: 1,
      numberReady: 1,
      numberAvailable: 1,
      numberUnavailable: 0,
      updatedNumberScheduled: 1,
    });
  });

  it('keeps a pod on a node tainted NoSchedule later, removes it for an untolerated NoExecute taint', async () => {
    const ds = daemonSet();
    const schedule = daemonPod(ds, 'n-ns');
    const execute = daemonPod(ds, 'n-ne');
    const { podWrites } = await reconcile([
      ds,
      node('n-ns', {}, [{ key: 'maintenance', effect: 'NoSchedule' }]),
      node('n-ne', {}, [{ key: 'maintenance', effect: 'NoExecute' }]),
      schedule,
      execute,
    ]);
    expect(summaryOf(podWrites)).toEqual([`delete ${execute.metadata.name}`]);
  });

  it('deletes a failed pod with a warning, and all but the oldest of duplicates', async () => {
    const ds = daemonSet();
    const failed = daemonPod(ds, 'n1', { phase: 'Failed', ready: false });
    const older = daemonPod(ds, 'n2');
    const newer = daemonPod(ds, 'n2');
    const { podWrites, events } = await reconcile([ds, node('n1'), node('n2'), failed, older, newer]);
    expect(deleted(podWrites)).toEqual([failed.metadata.name, newer.metadata.name].sort());
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'Warning',
        reason: 'FailedDaemonPod',
        message: `Found failed daemon pod default/${failed.metadata.name} on node n1, will try to kill it`,
      }),
    );
  });

  it('backs off deleting failed pods on the same node', () => {
    const backoff = new FailedPodBackoff(1000, 60_000);
    expect(backoff.next('ds/n1', 0)).toBeUndefined();
    expect(backoff.next('ds/n1', 400)).toBe(600);
    expect(backoff.next('ds/n1', 1000)).toBeUndefined();
    expect(backoff.next('ds/n1', 2000)).toBe(1000);
    expect(backoff.next('ds/n2', 2000)).toBeUndefined();
  });

  it('rolls out within maxUnavailable, replacing unavailable old pods at once', async () => {
    const ds = daemonSet();
    const nodes = ['n1', 'n2', 'n3', 'n4'].map((n) => node(n));
    const old = nodes.map((n) => daemonPod(ds, n.metadata.name!, { hash: 'old' }));
    const one = await reconcile([ds, ...nodes, ...old]);
    expect(deleted(one.podWrites)).toEqual([old[0].metadata.name]);
    expect(one.status).toMatchObject({ updatedNumberScheduled: 0, numberAvailable: 4 });

    const half = daemonSet({
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%' } },
    });
    expect(deleted((await reconcile([half, ...nodes, ...old])).podWrites)).toHaveLength(2);

    // n1 updated but not ready yet: the budget of 1 is used up.
    const updatingNotReady = daemonPod(ds, 'n1', { ready: false });
    expect(deleted((await reconcile([ds, ...nodes, updatingNotReady, ...old.slice(1)])).podWrites)).toEqual(
      [],
    );

    // An old pod that is not available is replaced even beyond the budget (and uses it up).
    const brokenOld = daemonPod(ds, 'n2', { hash: 'old', ready: false });
    const brokenOld3 = daemonPod(ds, 'n3', { hash: 'old', ready: false });
    const updated = daemonPod(ds, 'n1');
    const next = await reconcile([ds, ...nodes, updated, brokenOld, brokenOld3, old[3]]);
    expect(deleted(next.podWrites)).toEqual([brokenOld.metadata.name, brokenOld3.metadata.name].sort());
  });

  it('with maxSurge creates the updated pod next to the old one, then deletes the old one', async () => {
    const ds = daemonSet({
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
    });
    const nodes = [node('n1'), node('n2')];
    const old = nodes.map((n) => daemonPod(ds, n.metadata.name!, { hash: 'old' }));
    const first = await reconcile([ds, ...nodes, ...old]);
    expect(createdFor(first.podWrites)).toEqual(['n1']);
    expect(deleted(first.podWrites)).toEqual([]);

    // Not available yet: the surge budget is used up.
    const updating = daemonPod(ds, 'n1', { ready: false });
    const waiting = await reconcile([ds, ...nodes, ...old, updating]);
    expect(summaryOf(waiting.podWrites)).toEqual([]);

    // Available: the old pod goes, and the budget moves on to the next node.
    const updated = daemonPod(ds, 'n1');
    const second = await reconcile([ds, ...nodes, ...old, updated]);
    expect(deleted(second.podWrites)).toEqual([old[0].metadata.name]);
    expect(createdFor(second.podWrites)).toEqual(['n2']);
  });

  it('OnDelete leaves old pods alone', async () => {
    const ds = daemonSet({ updateStrategy: { type: 'OnDelete' } });
    const nodes = [node('n1'), node('n2')];
    const { podWrites, status } = await reconcile([ds, ...nodes, daemonPod(ds, 'n1', { hash: 'old' })]);
    expect(summaryOf(podWrites).map((s) => s.split(' ')[0])).toEqual(['create']);
    expect(createdFor(podWrites)).toEqual(['n2']);
    expect(status).toMatchObject({ currentNumberScheduled: 1, updatedNumberScheduled: 0 });
  });
});

function summaryOf(writes: RecordedWrite[]) {
  return writes.map((w) => `${w.verb} ${w.name}`);
}

describe('DaemonSet controller (integration)', () => {
  const env = controllerCluster([daemonSetController]);

  it('runs a pod on each node, on a node that joins later, and removes the pod of a node that leaves', async () => {
    const { writer } = env;
    await writer.create(node('n1'));
    await writer.create(node('n2'));

    // Plays scheduler and node agent: binds each pending pod to the node of its affinity
    // and marks it Running and Ready.
    const agent = fakeKubelet(env.client, 'default', {
      nodeFor: (pod) => targetNodeName((pod as PodObject).spec),
    });
    const podNodes = async () =>
      (await env.client.list<PodObject>('Pod', { namespace: 'default' })).items
        .map((pod) => pod.spec?.nodeName ?? '')
        .sort();
    const status = async () =>
      (await env.client.get<DaemonSetObject>('DaemonSet', 'agent', 'default'))?.status;

    await writer.create(daemonSet());
    await until(async () => (await status())?.numberReady === 2);
    expect(await podNodes()).toEqual(['n1', 'n2']);

    await writer.create(node('n3'));
    await until(async () => (await status())?.numberReady === 3);
    expect(await podNodes()).toEqual(['n1', 'n2', 'n3']);

    await writer.delete('Node', 'n2', undefined);
    await until(async () => (await podNodes()).join() === 'n1,n3');
    await until(async () => (await status())?.desiredNumberScheduled === 2);
    expect(await status()).toMatchObject({
      desiredNumberScheduled: 2,
      currentNumberScheduled: 2,
      numberReady: 2,
      numberMisscheduled: 0,
    });

    await agent.stop();
  });
});
