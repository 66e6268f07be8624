import { describe, expect, it } from 'vitest';
import { KubeqlError, type Resource } from '../../client/index.ts';
import {
  podsToDelete,
  replicaSetController,
  ReplicaSetController,
  type ReplicaSetObject,
} from '../../agent/controllers/replicaset.ts';
import type { PodObject } from '../../agent/objects.ts';
import { ManualClock } from '../../lib/clock.ts';
import { controllerCluster, until } from '../support/controller-cluster.ts';
import { fixtureContext } from '../support/controller-fixture.ts';

const NS = 'default';
const NOW = Date.parse('2026-01-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function replicaSet(
  name: string,
  replicas: number,
  extra: Partial<ReplicaSetObject['spec']> = {},
): ReplicaSetObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: NS, uid: `uid-${name}`, resourceVersion: '7', generation: 2 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web', tier: 'front' }, annotations: { note: 'x' } },
        spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] },
      },
      ...extra,
    },
  };
}

interface PodOptions {
  owner?: ReplicaSetObject;
  labels?: Record<string, string>;
  nodeName?: string;
  phase?: string;
  /** Ready since this time (ms); false: Ready False. */
  readySince?: number | false;
  created?: number;
  deleting?: boolean;
  restarts?: number;
}

function pod(name: string, options: PodOptions = {}): PodObject {
  const { owner } = options;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NS,
      uid: `uid-${name}`,
      resourceVersion: '3',
      creationTimestamp: iso(options.created ?? NOW - 3600_000),
      labels: options.labels ?? { app: 'web', tier: 'front' },
      ...(owner
        ? {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: owner.metadata.name!,
                uid: owner.metadata.uid!,
                controller: true,
              },
            ],
          }
        : {}),
      ...(options.deleting ? { deletionTimestamp: iso(NOW) } : {}),
    },
    spec: {
      containers: [{ name: 'c', image: 'nginx:1.27' }],
      ...(options.nodeName ? { nodeName: options.nodeName } : {}),
    },
    status: {
      phase: (options.phase ?? 'Running') as never,
      ...(options.readySince !== undefined
        ? {
            conditions: [
              options.readySince === false
                ? { type: 'Ready', status: 'False' as const }
                : { type: 'Ready', status: 'True' as const, lastTransitionTime: iso(options.readySince) },
            ],
          }
        : {}),
      ...(options.restarts !== undefined
        ? {
            containerStatuses: [
              { name: 'c', ready: true, restartCount: options.restarts, image: 'nginx:1.27', imageID: '' },
            ],
          }
        : {}),
    },
  };
}

function setup(objects: Resource[]) {
  const fixture = fixtureContext(objects, new ManualClock(NOW));
  const controller = new ReplicaSetController(fixture.ctx);
  const reconcile = (key: string) => controller.reconcile(key);
  return { ...fixture, expectations: controller.expectations, reconcile };
}

describe('ReplicaSet reconcile', () => {
  it('creates the missing pods from the template, with a controller reference, then writes status', async () => {
    const rs = replicaSet('web', 3);
    const { reconcile, writes, events } = setup([rs]);
    await reconcile('default/web');

    const creates = writes.filter((w) => w.verb === 'create');
    expect(creates).toHaveLength(3);
    for (const create of creates) {
      const body = create.body as PodObject;
      expect(create.kind).toBe('Pod');
      expect(body.metadata.generateName).toBe('web-');
      expect(body.metadata.namespace).toBe(NS);
      expect(body.metadata.labels).toEqual({ app: 'web', tier: 'front' });
      expect(body.metadata.annotations).toEqual({ note: 'x' });
      expect(body.metadata.ownerReferences).toEqual([
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web',
          uid: 'uid-web',
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      expect(body.spec).toEqual(rs.spec!.template!.spec);
    }
    expect(events.map((e) => e.reason)).toEqual(['SuccessfulCreate', 'SuccessfulCreate', 'SuccessfulCreate']);
    expect(events[0].message).toMatch(/^Created pod: web-/);
    // Status last, computed from the pods seen before the creates (as Kubernetes does).
    expect(writes.at(-1)).toMatchObject({ verb: 'updateStatus', name: 'web' });
    expect(writes.at(-1)!.body).toEqual({
      replicas: 0,
      fullyLabeledReplicas: 0,
      readyReplicas: 0,
      availableReplicas: 0,
      observedGeneration: 2,
    });
  });

  it('never creates twice while its creations are not in the cache (expectations)', async () => {
    const { reconcile, writes, expectations } = setup([replicaSet('web', 3)]);
    await reconcile('default/web');
    await reconcile('default/web');
    expect(writes.filter((w) => w.verb === 'create')).toHaveLength(3);
    // Once the informer has seen them (here: told by hand), it acts again on what the cache shows.
    for (let i = 0; i < 3; i++) expectations.observedAdd('default/web');
    await reconcile('default/web');
    expect(writes.filter((w) => w.verb === 'create')).toHaveLength(6);
  });

  it('adopts matching orphans, releases owned pods that no longer match, ignores pods of others', async () => {
    const rs = replicaSet('web', 2);
    const other = replicaSet('other', 1);
    const { reconcile, writes } = setup([
      rs,
      pod('orphan', { readySince: NOW - 60_000 }),
      pod('mine-relabelled', { owner: rs, labels: { app: 'db' } }),
      pod('theirs', { owner: other }),
      pod('orphan-deleting', { deleting: true }),
    ]);
    await reconcile('default/web');

    const patches = writes.filter((w) => w.verb === 'patch');
    expect(patches).toHaveLength(2);
    expect(patches.find((w) => w.name === 'orphan')!.body).toEqual({
      metadata: {
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: 'web',
            uid: 'uid-web',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
        uid: 'uid-orphan',
        resourceVersion: '3',
      },
    });
    expect(patches.find((w) => w.name === 'mine-relabelled')!.body).toEqual({
      metadata: { ownerReferences: null, uid: 'uid-mine-relabelled', resourceVersion: '3' },
    });
    // The adopted pod counts: one more is created, not two.
    expect(writes.filter((w) => w.verb === 'create')).toHaveLength(1);
    expect(writes.at(-1)!.body).toMatchObject({ replicas: 1, readyReplicas: 1, availableReplicas: 1 });
  });

  it('does not count pods being deleted or finished', async () => {
    const rs = replicaSet('web', 2);
    const { reconcile, writes } = setup([
      rs,
      pod('a', { owner: rs, readySince: NOW - 60_000 }),
      pod('b', { owner: rs, deleting: true }),
      pod('c', { owner: rs, phase: 'Failed' }),
      pod('d', { owner: rs, phase: 'Succeeded' }),
    ]);
    await reconcile('default/web');
    expect(writes.filter((w) => w.verb === 'create')).toHaveLength(1);
    expect(writes.filter((w) => w.verb === 'delete')).toHaveLength(0);
    expect(writes.at(-1)!.body).toMatchObject({ replicas: 1, readyReplicas: 1 });
  });

  it('scales down unscheduled, then pending, then not-ready, then most recently ready pods first', async () => {
    const rs = replicaSet('web', 1);
    const { reconcile, writes, events } = setup([
      rs,
      pod('ready-long', { owner: rs, nodeName: 'n1', readySince: NOW - 3600_000 }),
      pod('ready-recent', { owner: rs, nodeName: 'n2', readySince: NOW - 60_000 }),
      pod('not-ready', { owner: rs, nodeName: 'n3', readySince: false }),
      pod('pending', { owner: rs, nodeName: 'n4', phase: 'Pending' }),
      pod('unscheduled', { owner: rs, phase: 'Pending' }),
    ]);
    await reconcile('default/web');
    expect(writes.filter((w) => w.verb === 'delete').map((w) => w.name)).toEqual([
      'unscheduled',
      'pending',
      'not-ready',
      'ready-recent',
    ]);
    expect(events.filter((e) => e.reason === 'SuccessfulDelete').map((e) => e.message)).toContain(
      'Deleted pod: ready-recent',
    );
  });

  it('deletes doubled-up pods, more restarts, then newer pods first among equally ready ones', () => {
    const rs = replicaSet('web', 1);
    const since = NOW - 60_000;
    const pods = [
      pod('alone', { owner: rs, nodeName: 'n1', readySince: since, created: NOW - 10_000 }),
      pod('doubled-1', { owner: rs, nodeName: 'n2', readySince: since, created: NOW - 9_000 }),
      pod('doubled-2', { owner: rs, nodeName: 'n2', readySince: since, created: NOW - 8_000, restarts: 2 }),
    ];
    expect(podsToDelete(pods, pods, 2).map((p) => p.metadata.name)).toEqual(['doubled-2', 'doubled-1']);
    expect(podsToDelete(pods, [], 2).map((p) => p.metadata.name)).toEqual(['doubled-2', 'doubled-1']);
    const fresh = [
      pod('old', { owner: rs, nodeName: 'n1', readySince: since, created: NOW - 10_000 }),
      pod('new', { owner: rs, nodeName: 'n2', readySince: since, created: NOW - 5_000 }),
    ];
    expect(podsToDelete(fresh, [], 1).map((p) => p.metadata.name)).toEqual(['new']);
  });

  it('reports ready, available (after minReadySeconds) and fully labeled pods, and requeues for the rest', async () => {
    const rs = replicaSet('web', 3, { minReadySeconds: 10 });
    const { reconcile, writes } = setup([
      rs,
      pod('a', { owner: rs, readySince: NOW - 20_000 }),
      pod('b', { owner: rs, readySince: NOW - 4_000 }),
      pod('c', { owner: rs, readySince: false, labels: { app: 'web' } }),
    ]);
    const result = await reconcile('default/web');
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ verb: 'updateStatus', kind: 'ReplicaSet', name: 'web' });
    expect(writes[0].body).toEqual({
      replicas: 3,
      fullyLabeledReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 1,
      observedGeneration: 2,
    });
    // b turns available 10 s after it became ready: 6 s from now.
    expect(result).toEqual({ requeueAfterMs: 6_001 });
  });

  it('writes nothing when the status is already right', async () => {
    const rs = replicaSet('web', 1);
    rs.status = {
      replicas: 1,
      fullyLabeledReplicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
      observedGeneration: 2,
    };
    const { reconcile, writes } = setup([rs, pod('a', { owner: rs, readySince: NOW - 1000 })]);
    await reconcile('default/web');
    expect(writes).toEqual([]);
  });

  it('on a failed create: one attempt (slow start), FailedCreate, ReplicaFailure in status, and throws', async () => {
    const { ctx, reconcile, writes, events, expectations } = setup([replicaSet('web', 5)]);
    let attempts = 0;
    ctx.writer.create = async () => {
      attempts++;
      throw new KubeqlError('FORBIDDEN', 'exceeded quota');
    };
    await expect(reconcile('default/web')).rejects.toThrow('exceeded quota');
    expect(attempts).toBe(1);
    expect(events).toEqual([
      {
        kind: 'ReplicaSet',
        name: 'web',
        type: 'Warning',
        reason: 'FailedCreate',
        message: 'Error creating: exceeded quota',
      },
    ]);
    const status = writes.at(-1)!.body as { conditions: unknown[] };
    expect(status.conditions).toEqual([
      {
        type: 'ReplicaFailure',
        status: 'True',
        reason: 'FailedCreate',
        message: 'exceeded quota',
        lastTransitionTime: iso(NOW),
      },
    ]);
    // Nothing is expected any more: the next attempt is not held back.
    expect(expectations.satisfied('default/web')).toBe(true);
  });

  it('does nothing for a ReplicaSet that is gone, or being deleted but for its status', async () => {
    const gone = setup([]);
    await gone.reconcile('default/web');
    expect(gone.writes).toEqual([]);

    const rs = replicaSet('web', 3);
    rs.metadata.deletionTimestamp = iso(NOW);
    const deleting = setup([rs]);
    await deleting.reconcile('default/web');
    expect(deleting.writes.map((w) => w.verb)).toEqual(['updateStatus']);
  });
});

describe('ReplicaSet controller against a server', () => {
  const env = controllerCluster([replicaSetController], { kubelet: { namespace: NS, delayMs: 20 } });

  const ownedPods = async (uid: string) =>
    (await env.client.listAll<PodObject>('Pod', { namespace: NS })).items.filter(
      (p) => !p.metadata.deletionTimestamp && p.metadata.ownerReferences?.some((r) => r.uid === uid),
    );

  it('keeps the replicas running: creates, reports, replaces a deleted pod, scales', async () => {
    const { writer } = env;
    const rs = await writer.create<ReplicaSetObject>({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'cache', namespace: NS },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'cache' } },
        template: {
          metadata: { labels: { app: 'cache' } },
          spec: { containers: [{ name: 'redis', image: 'redis:7' }] },
        },
      },
    });
    const uid = rs.metadata.uid!;
    const ready = (want: number) => async () => {
      const current = await env.client.get<ReplicaSetObject>('ReplicaSet', 'cache', NS);
      const s = current?.status;
      return (
        s?.replicas === want &&
        s.readyReplicas === want &&
        s.availableReplicas === want &&
        s.observedGeneration === current!.metadata.generation &&
        (await ownedPods(uid)).length === want
      );
    };
    await until(ready(3), { what: '3 ready replicas' });
    const pods = await ownedPods(uid);
    for (const p of pods) {
      expect(p.metadata.name).toMatch(/^cache-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(p.metadata.ownerReferences).toEqual([
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'cache',
          uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    }

    const victim = pods[0].metadata.name!;
    await writer.delete('Pod', victim, NS);
    await until(
      async () => {
        const now = await ownedPods(uid);
        return now.length === 3 && !now.some((p) => p.metadata.name === victim);
      },
      { what: 'a replacement' },
    );
    await until(ready(3), { what: '3 ready replicas again' });

    await writer.patch('ReplicaSet', 'cache', NS, { spec: { replicas: 5 } });
    await until(ready(5), { what: '5 ready replicas' });
    await writer.patch('ReplicaSet', 'cache', NS, { spec: { replicas: 1 } });
    await until(ready(1), { what: '1 ready replica' });
    // Never more than asked for: expectations keep a fast loop from creating twice.
    expect((await ownedPods(uid)).length).toBe(1);
  });
});
