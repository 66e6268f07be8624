import { describe, expect, it } from 'vitest';
import type { Resource } from '../../client/index.ts';
import { revisionName } from '../../agent/controllers/controller-revision.ts';
import {
  newStatefulSetPod,
  planStatefulSet,
  StatefulSetController,
  statefulSetController,
} from '../../agent/controllers/statefulset.ts';
import type { StatefulSetObject } from '../../agent/controllers/statefulset-names.ts';
import { templateHash } from '../../agent/controllers/template-hash.ts';
import type { PodObject } from '../../agent/objects.ts';
import { ManualClock } from '../../lib/clock.ts';
import { controllerCluster, until } from '../support/controller-cluster.ts';
import { fixtureContext, type RecordedWrite } from '../support/controller-fixture.ts';
import { startPod } from '../support/fake-kubelet.ts';

type SetSpec = NonNullable<StatefulSetObject['spec']>;

/** The time of every unit reconcile (its ManualClock's). */
const T0 = Date.parse('2026-01-01T12:00:00Z');

function statefulSet(spec: Partial<SetSpec> = {}, status?: StatefulSetObject['status']): StatefulSetObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default', uid: 'web-uid', generation: 2 },
    spec: {
      serviceName: 'nginx',
      replicas: 3,
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] },
      },
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}

const updateRevision = (set: StatefulSetObject) => revisionName('web', templateHash(set.spec!.template));
const OLD = 'web-old';

interface PodState {
  ready?: boolean;
  revision?: string;
  phase?: 'Pending' | 'Running' | 'Failed' | 'Succeeded';
  terminating?: boolean;
  readySince?: string;
}

/** A member pod as the controller would have created it, in the given state. */
function member(set: StatefulSetObject, ordinal: number, state: PodState = {}): PodObject {
  const { ready = true, revision = updateRevision(set), terminating = false } = state;
  const pod = newStatefulSetPod(set, ordinal, set.spec!.template, revision);
  pod.metadata.uid = `pod-${ordinal}-uid`;
  pod.metadata.resourceVersion = '1';
  if (terminating) pod.metadata.deletionTimestamp = new Date(T0).toISOString();
  pod.spec!.nodeName = 'node-a';
  pod.status = {
    phase: state.phase ?? (ready ? 'Running' : 'Pending'),
    conditions: [
      {
        type: 'Ready',
        status: ready ? 'True' : 'False',
        ...(state.readySince ? { lastTransitionTime: state.readySince } : {}),
      },
    ],
  };
  return pod;
}

async function reconcile(objects: Resource[]) {
  const fixture = fixtureContext(objects, new ManualClock(T0));
  const result = await new StatefulSetController(fixture.ctx).reconcile('default/web');
  const podWrites = fixture.writes.filter((w) => w.kind === 'Pod');
  const status = fixture.writes.find((w) => w.verb === 'updateStatus')?.body as
    NonNullable<StatefulSetObject['status']> | undefined;
  return { ...fixture, result, podWrites, status };
}

const summary = (writes: RecordedWrite[]) => writes.map((w) => `${w.verb} ${w.name}`);

describe('StatefulSet reconcile (unit)', () => {
  it('creates the first pod with its identity, revision label and controller reference', async () => {
    const set = statefulSet();
    const { podWrites, events, status } = await reconcile([set]);
    expect(summary(podWrites)).toEqual(['create web-0']);
    const pod = podWrites[0].body as PodObject;
    expect(pod.metadata.labels).toEqual({
      app: 'web',
      'statefulset.kubernetes.io/pod-name': 'web-0',
      'apps.kubernetes.io/pod-index': '0',
      'controller-revision-hash': updateRevision(set),
    });
    expect(pod.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        name: 'web',
        uid: 'web-uid',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(pod.spec).toMatchObject({ hostname: 'web-0', subdomain: 'nginx' });
    expect(events).toEqual([
      {
        kind: 'StatefulSet',
        name: 'web',
        type: 'Normal',
        reason: 'SuccessfulCreate',
        message: 'create Pod web-0 in StatefulSet web successful',
      },
    ]);
    expect(status).toMatchObject({
      observedGeneration: 2,
      replicas: 0,
      currentRevision: updateRevision(set),
      updateRevision: updateRevision(set),
    });
  });

  it('OrderedReady creates the next ordinal only once the previous one is Running and Ready', async () => {
    const set = statefulSet();
    expect(summary((await reconcile([set, member(set, 0, { ready: false })])).podWrites)).toEqual([]);
    expect(
      summary((await reconcile([set, member(set, 0, { phase: 'Running', ready: false })])).podWrites),
    ).toEqual([]);
    expect(summary((await reconcile([set, member(set, 0)])).podWrites)).toEqual(['create web-1']);
    expect(summary((await reconcile([set, member(set, 0), member(set, 1)])).podWrites)).toEqual([
      'create web-2',
    ]);
    const all = await reconcile([set, member(set, 0), member(set, 1), member(set, 2)]);
    expect(summary(all.podWrites)).toEqual([]);
    expect(all.status).toMatchObject({
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      currentReplicas: 3,
      updatedReplicas: 3,
    });
  });

  it('starts ordinals at spec.ordinals.start', async () => {
    const set = statefulSet({ ordinals: { start: 5 } });
    expect(summary((await reconcile([set])).podWrites)).toEqual(['create web-5']);
    expect(summary((await reconcile([set, member(set, 5)])).podWrites)).toEqual(['create web-6']);
  });

  it('waits minReadySeconds after readiness, and asks to be called again then', async () => {
    const set = statefulSet({ minReadySeconds: 10 });
    const justReady = member(set, 0, { readySince: new Date(T0).toISOString() });
    const waiting = await reconcile([set, justReady]);
    expect(summary(waiting.podWrites)).toEqual([]);
    // Available once ready for more than minReadySeconds: 10 s and 1 ms from now.
    expect(waiting.result?.requeueAfterMs).toBe(10_001);
    expect(waiting.status).toMatchObject({ readyReplicas: 1, availableReplicas: 0 });

    const longReady = member(set, 0, { readySince: new Date(T0 - 60_000).toISOString() });
    expect(summary((await reconcile([set, longReady])).podWrites)).toEqual(['create web-1']);
  });

  it('scales down from the highest ordinal, one at a time, waiting for each to be gone', async () => {
    const set = statefulSet({ replicas: 1 });
    const pods = [member(set, 0), member(set, 1), member(set, 2)];
    const first = await reconcile([set, ...pods]);
    expect(summary(first.podWrites)).toEqual(['delete web-2']);
    expect(first.events.map((e) => e.message)).toEqual(['delete Pod web-2 in StatefulSet web successful']);

    const terminating = member(set, 2, { terminating: true });
    expect(summary((await reconcile([set, pods[0], pods[1], terminating])).podWrites)).toEqual([]);
    expect(summary((await reconcile([set, pods[0], pods[1]])).podWrites)).toEqual(['delete web-1']);
  });

  it('does not scale down past an unhealthy lower ordinal (OrderedReady)', async () => {
    const set = statefulSet({ replicas: 1 });
    const pods = [member(set, 0, { ready: false }), member(set, 1), member(set, 2)];
    expect(summary((await reconcile([set, ...pods])).podWrites)).toEqual([]);
  });

  it('Parallel creates and deletes all at once', async () => {
    const set = statefulSet({ podManagementPolicy: 'Parallel' });
    expect(summary((await reconcile([set])).podWrites)).toEqual([
      'create web-0',
      'create web-1',
      'create web-2',
    ]);
    const notReady = await reconcile([set, member(set, 0, { ready: false })]);
    expect(summary(notReady.podWrites)).toEqual(['create web-1', 'create web-2']);

    const down = statefulSet({ podManagementPolicy: 'Parallel', replicas: 0 });
    const pods = [member(down, 0, { ready: false }), member(down, 1), member(down, 2)];
    expect(summary((await reconcile([down, ...pods])).podWrites).sort()).toEqual([
      'delete web-0',
      'delete web-1',
      'delete web-2',
    ]);
  });

  it('deletes a failed pod so that it is recreated', async () => {
    const set = statefulSet();
    const pods = [member(set, 0), member(set, 1, { phase: 'Failed', ready: false })];
    expect(summary((await reconcile([set, ...pods])).podWrites)).toEqual(['delete web-1']);
    expect(summary((await reconcile([set, pods[0]])).podWrites)).toEqual(['create web-1']);
  });

  it('rolls out in reverse ordinal order, one pod at a time, down to the partition', async () => {
    const set = statefulSet(
      { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } },
      { currentRevision: OLD, updateRevision: OLD, replicas: 3 },
    );
    const old = [0, 1, 2].map((i) => member(set, i, { revision: OLD }));
    const first = await reconcile([set, ...old]);
    expect(summary(first.podWrites)).toEqual(['delete web-2']);
    expect(first.status).toMatchObject({
      currentRevision: OLD,
      updateRevision: updateRevision(set),
      currentReplicas: 3,
      updatedReplicas: 0,
    });

    // The replacement exists but is not ready yet: wait.
    const web2NotReady = member(set, 2, { ready: false });
    expect(summary((await reconcile([set, old[0], old[1], web2NotReady])).podWrites)).toEqual([]);

    const web2 = member(set, 2);
    expect(summary((await reconcile([set, old[0], old[1], web2])).podWrites)).toEqual(['delete web-1']);

    // web-0 is below the partition: it keeps the old revision.
    const web1 = member(set, 1);
    const done = await reconcile([set, old[0], web1, web2]);
    expect(summary(done.podWrites)).toEqual([]);
    expect(done.status).toMatchObject({ currentRevision: OLD, currentReplicas: 1, updatedReplicas: 2 });
  });

  it('completes a rollout: every pod updated and ready makes the update revision current', async () => {
    const set = statefulSet({}, { currentRevision: OLD, updateRevision: OLD });
    const { status } = await reconcile([set, member(set, 0), member(set, 1), member(set, 2)]);
    expect(status).toMatchObject({ currentRevision: updateRevision(set), currentReplicas: 3 });
  });

  it('recreates a pod below the partition at the current revision when its template is known', () => {
    const set = statefulSet(
      { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } },
      { currentRevision: OLD },
    );
    const oldTemplate = {
      ...set.spec!.template,
      spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] },
    };
    const plan = planStatefulSet(
      set,
      [member(set, 1, { revision: OLD }), member(set, 2)],
      { current: OLD, update: updateRevision(set), currentTemplate: oldTemplate },
      T0,
    );
    expect(
      plan.create.map((p) => [p.metadata.name, p.metadata.labels?.['controller-revision-hash']]),
    ).toEqual([['web-0', OLD]]);
    expect(plan.create[0].spec?.containers[0].image).toBe('nginx:1.26');
  });

  it('OnDelete leaves old pods alone and creates missing ones at the update revision', async () => {
    const set = statefulSet({ updateStrategy: { type: 'OnDelete' } }, { currentRevision: OLD });
    const pods = [member(set, 0, { revision: OLD }), member(set, 2, { revision: OLD })];
    const { podWrites } = await reconcile([set, ...pods]);
    expect(summary(podWrites)).toEqual(['create web-1']);
    expect((podWrites[0].body as PodObject).metadata.labels?.['controller-revision-hash']).toBe(
      updateRevision(set),
    );
    expect(summary((await reconcile([set, ...pods, member(set, 1)])).podWrites)).toEqual([]);
  });

  it('adopts an orphan named as a member and matching the selector', async () => {
    const set = statefulSet({ replicas: 1 });
    const orphan = member(set, 0);
    orphan.metadata.ownerReferences = undefined;
    const { writes } = await reconcile([set, orphan]);
    const patch = writes.find((w) => w.verb === 'patch');
    expect(patch).toMatchObject({ kind: 'Pod', name: 'web-0' });
    expect(patch?.body).toMatchObject({
      metadata: {
        uid: 'pod-0-uid',
        ownerReferences: [{ kind: 'StatefulSet', uid: 'web-uid', controller: true }],
      },
    });
    expect(writes.filter((w) => w.kind === 'Pod' && w.verb !== 'patch')).toEqual([]);
  });

  it('does nothing but status for a set being deleted', async () => {
    const set = statefulSet();
    set.metadata.deletionTimestamp = new Date(T0).toISOString();
    const { podWrites } = await reconcile([set]);
    expect(podWrites).toEqual([]);
  });
});

describe('StatefulSet controller (integration)', () => {
  const env = controllerCluster([statefulSetController]);

  it('creates web-0, web-1, web-2 strictly in order, each after the previous is ready, and scales down in reverse', async () => {
    const { writer } = env;
    await writer.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' } });

    // Plays scheduler and node agent: binds each new pod and marks it Running and Ready,
    // and finishes the termination of each pod marked for deletion.
    const created: string[] = [];
    const readyWhenCreated: Record<string, string[]> = {};
    const ready = new Set<string>();
    const marked: string[] = [];
    const goneWhenMarked: Record<string, string[]> = {};
    const gone: string[] = [];
    const watch = env.client.watch<PodObject>('Pod', { namespace: 'default' });
    const agent = (async () => {
      for await (const { type, object: pod } of watch) {
        const name = pod.metadata.name!;
        if (type === 'ADDED') {
          created.push(name);
          readyWhenCreated[name] = [...ready];
        }
        if (type === 'DELETED') {
          gone.push(name);
          continue;
        }
        if (pod.metadata.deletionTimestamp) {
          if (!marked.includes(name)) {
            marked.push(name);
            goneWhenMarked[name] = [...gone];
            await writer.delete('Pod', name, 'default', { gracePeriodSeconds: 0 });
          }
        } else if (!pod.spec?.nodeName) {
          await startPod(writer, pod, { nodeName: 'node-a' });
          ready.add(name);
        }
      }
    })();

    await writer.create(statefulSet({ replicas: 3 }) as Resource);
    await until(async () => {
      const set = await env.client.get<StatefulSetObject>('StatefulSet', 'web', 'default');
      return set?.status?.readyReplicas === 3;
    });
    expect(created).toEqual(['web-0', 'web-1', 'web-2']);
    expect(readyWhenCreated['web-1']).toContain('web-0');
    expect(readyWhenCreated['web-2']).toEqual(expect.arrayContaining(['web-0', 'web-1']));
    const pod = await env.client.get<PodObject>('Pod', 'web-1', 'default');
    expect(pod?.spec).toMatchObject({ hostname: 'web-1', subdomain: 'nginx' });

    await writer.patch('StatefulSet', 'web', 'default', { spec: { replicas: 0 } });
    await until(async () => gone.length === 3);
    expect(marked).toEqual(['web-2', 'web-1', 'web-0']);
    expect(goneWhenMarked['web-1']).toEqual(['web-2']);
    expect(goneWhenMarked['web-0']).toEqual(['web-2', 'web-1']);
    await until(async () => {
      const set = await env.client.get<StatefulSetObject>('StatefulSet', 'web', 'default');
      return set?.status?.replicas === 0;
    });

    await watch.return();
    await agent;
  });
});
