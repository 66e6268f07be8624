import { describe, expect, it } from 'vitest';
import { KubeqlError, type Resource } from '../../client/index.ts';
import {
  deploymentController,
  deploymentReconciler,
  REVISION_ANNOTATION,
  type DeploymentCondition,
  type DeploymentObject,
  type ReplicaSetObject,
} from '../../agent/controllers/deployment.ts';
import { POD_TEMPLATE_HASH_LABEL } from '../../agent/controllers/pod-template-hash.ts';
import { replicaSetController } from '../../agent/controllers/replicaset.ts';
import { canonicalJson, templateHash } from '../../agent/controllers/template-hash.ts';
import type { PodObject } from '../../agent/objects.ts';
import { controllerCluster, until } from '../support/controller-cluster.ts';
import { fixtureContext, type RecordedWrite } from '../support/controller-fixture.ts';

const NS = 'default';
const NOW = Date.parse('2026-01-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const DESIRED = 'deployment.kubernetes.io/desired-replicas';
const MAX = 'deployment.kubernetes.io/max-replicas';

const template = (image: string) => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image }] },
});

interface DeploymentOptions {
  image?: string;
  replicas?: number;
  maxSurge?: number | string;
  maxUnavailable?: number | string;
  recreate?: boolean;
  paused?: boolean;
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  status?: DeploymentObject['status'];
}

function deployment(options: DeploymentOptions = {}): DeploymentObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: NS, uid: 'uid-web', resourceVersion: '40', generation: 3 },
    spec: {
      replicas: options.replicas ?? 3,
      selector: { matchLabels: { app: 'web' } },
      template: template(options.image ?? 'nginx:2'),
      strategy: options.recreate
        ? { type: 'Recreate' }
        : {
            type: 'RollingUpdate',
            rollingUpdate: {
              maxSurge: options.maxSurge ?? '25%',
              maxUnavailable: options.maxUnavailable ?? '25%',
            },
          },
      revisionHistoryLimit: options.revisionHistoryLimit ?? 10,
      progressDeadlineSeconds: options.progressDeadlineSeconds ?? 600,
      ...(options.paused ? { paused: true } : {}),
    },
    ...(options.status ? { status: options.status } : {}),
  };
}

interface RSOptions {
  image: string;
  replicas: number;
  /** status.replicas / readyReplicas / availableReplicas; default: replicas, all available. */
  actual?: number;
  available?: number;
  revision?: number;
  created?: number;
  annotations?: Record<string, string>;
  owned?: boolean;
}

/** A ReplicaSet as the controller makes them, for image `image`. */
function replicaSet(options: RSOptions): ReplicaSetObject {
  const hash = templateHash(template(options.image));
  const labels = { app: 'web', [POD_TEMPLATE_HASH_LABEL]: hash };
  const actual = options.actual ?? options.replicas;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `web-${hash}`,
      namespace: NS,
      uid: `uid-rs-${options.image}`,
      resourceVersion: '9',
      generation: 1,
      creationTimestamp: iso(options.created ?? NOW - 3600_000),
      labels,
      annotations: {
        ...(options.revision !== undefined ? { [REVISION_ANNOTATION]: String(options.revision) } : {}),
        ...options.annotations,
      },
      ...(options.owned === false
        ? {}
        : {
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-web', controller: true },
            ],
          }),
    },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: labels },
      template: { ...template(options.image), metadata: { labels } },
    },
    status: {
      replicas: actual,
      readyReplicas: options.available ?? actual,
      availableReplicas: options.available ?? actual,
      observedGeneration: 1,
    },
  };
}

function podOf(rs: ReplicaSetObject, name: string, phase = 'Running'): PodObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NS,
      uid: `uid-${name}`,
      labels: rs.spec!.template!.metadata!.labels,
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: rs.metadata.name!,
          uid: rs.metadata.uid!,
          controller: true,
        },
      ],
    },
    spec: { containers: [{ name: 'web', image: 'x' }] },
    status: { phase: phase as never },
  };
}

function run(objects: Resource[], now = NOW) {
  const fixture = fixtureContext(objects);
  const reconcile = deploymentReconciler(fixture.ctx, { now: () => now });
  return { ...fixture, result: reconcile('default/web') };
}

const statusWrite = (writes: RecordedWrite[]) =>
  writes.filter((w) => w.verb === 'updateStatus' && w.kind === 'Deployment').at(-1)?.body as
    NonNullable<DeploymentObject['status']> | undefined;
const condition = (status: DeploymentObject['status'] | undefined, type: string) =>
  status?.conditions?.find((c) => c.type === type);

describe('pod-template-hash', () => {
  it('is stable, independent of key order, in the safe alphabet, and moved by the collision count', () => {
    const a = {
      metadata: { labels: { app: 'web', tier: 'x' } },
      spec: { containers: [{ name: 'c', image: 'i' }] },
    };
    const b = {
      spec: { containers: [{ image: 'i', name: 'c' }] },
      metadata: { labels: { tier: 'x', app: 'web' } },
    };
    expect(templateHash(a)).toBe(templateHash(b));
    expect(templateHash(a)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(templateHash(a, 1)).not.toBe(templateHash(a));
    expect(templateHash(a, 0)).not.toBe(templateHash(a));
    expect(templateHash(template('nginx:1'))).not.toBe(templateHash(template('nginx:2')));
    expect(canonicalJson({ b: [], a: { c: null, d: 1 }, e: {} })).toBe('{"a":{"d":1}}');
  });
});

describe('Deployment reconcile', () => {
  it('creates the first ReplicaSet: <name>-<hash>, hash label on selector, template and itself, revision 1', async () => {
    const d = deployment({ replicas: 3 });
    const { writes, events, result } = run([d]);
    await result;
    const hash = templateHash(d.spec!.template);
    const create = writes.find((w) => w.verb === 'create')!;
    expect(create.kind).toBe('ReplicaSet');
    expect(create.name).toBe(`web-${hash}`);
    const rs = create.body as ReplicaSetObject;
    const labels = { app: 'web', [POD_TEMPLATE_HASH_LABEL]: hash };
    expect(rs.metadata.labels).toEqual(labels);
    expect(rs.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'web',
        uid: 'uid-web',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(rs.metadata.annotations).toEqual({ [REVISION_ANNOTATION]: '1', [DESIRED]: '3', [MAX]: '4' });
    expect(rs.spec!.selector).toEqual({ matchLabels: labels });
    expect(rs.spec!.template!.metadata!.labels).toEqual(labels);
    expect(rs.spec!.template!.spec).toEqual(d.spec!.template.spec);
    expect(rs.spec!.replicas).toBe(3);
    expect(events).toContainEqual({
      kind: 'Deployment',
      name: 'web',
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      message: `Scaled up replica set web-${hash} to 3`,
    });
    // The Deployment carries the revision of its newest ReplicaSet.
    expect(writes).toContainEqual({
      verb: 'patch',
      kind: 'Deployment',
      name: 'web',
      namespace: NS,
      body: { metadata: { annotations: { [REVISION_ANNOTATION]: '1' }, resourceVersion: '40' } },
    });
    const status = statusWrite(writes)!;
    expect(status).toMatchObject({
      observedGeneration: 3,
      replicas: 0,
      updatedReplicas: 0,
      readyReplicas: 0,
      availableReplicas: 0,
      unavailableReplicas: 3,
    });
    expect(condition(status, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'NewReplicaSetCreated',
      message: `Created new replica set "web-${hash}"`,
    });
    expect(condition(status, 'Available')).toMatchObject({
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
      message: 'Deployment does not have minimum availability.',
    });
    expect(writes.at(-1)!.verb).toBe('updateStatus');
  });

  it('reports a finished rollout: Available MinimumReplicasAvailable, Progressing NewReplicaSetAvailable', async () => {
    const rs = replicaSet({
      image: 'nginx:2',
      replicas: 3,
      revision: 1,
      annotations: { [DESIRED]: '3', [MAX]: '4' },
    });
    const d = deployment({
      status: {
        observedGeneration: 3,
        replicas: 3,
        updatedReplicas: 3,
        readyReplicas: 2,
        availableReplicas: 2,
        unavailableReplicas: 1,
        conditions: [
          {
            type: 'Progressing',
            status: 'True',
            reason: 'ReplicaSetUpdated',
            lastUpdateTime: iso(NOW - 5000),
            lastTransitionTime: iso(NOW - 9000),
          },
        ],
      },
    });
    d.metadata.annotations = { [REVISION_ANNOTATION]: '1' };
    const { writes, result } = run([d, rs]);
    expect(await result).toBeUndefined();
    expect(writes.map((w) => w.verb)).toEqual(['updateStatus']);
    const status = statusWrite(writes)!;
    expect(status).toMatchObject({
      replicas: 3,
      updatedReplicas: 3,
      availableReplicas: 3,
      unavailableReplicas: 0,
    });
    // A condition that changes moves to the end, as Kubernetes' SetDeploymentCondition does.
    expect(status.conditions).toEqual([
      {
        type: 'Available',
        status: 'True',
        reason: 'MinimumReplicasAvailable',
        message: 'Deployment has minimum availability.',
        lastUpdateTime: iso(NOW),
        lastTransitionTime: iso(NOW),
      },
      {
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetAvailable',
        message: `ReplicaSet "${rs.metadata.name}" has successfully progressed.`,
        lastUpdateTime: iso(NOW),
        lastTransitionTime: iso(NOW - 9000),
      },
    ]);
  });

  it('rolls 10 replicas with maxSurge 3 / maxUnavailable 2 in Kubernetes step sizes, within the bounds', async () => {
    let d = deployment({ replicas: 10, maxSurge: 3, maxUnavailable: 2, image: 'nginx:2' });
    const old = replicaSet({
      image: 'nginx:1',
      replicas: 10,
      revision: 1,
      annotations: { [DESIRED]: '10', [MAX]: '13' },
    });
    const rss = new Map<string, ReplicaSetObject>([[old.metadata.uid!, old]]);
    const steps: Array<[number, number]> = [];
    let created = NOW - 60_000;

    for (let step = 0; step < 12; step++) {
      const { writes, events, result } = run([d, ...rss.values()]);
      await result;
      if (step === 0) {
        const hash = templateHash(d.spec!.template);
        const create = writes.find((w) => w.verb === 'create')!.body as ReplicaSetObject;
        expect(create.spec!.replicas).toBe(3);
        expect(create.metadata.annotations).toEqual({
          [REVISION_ANNOTATION]: '2',
          [DESIRED]: '10',
          [MAX]: '13',
        });
        expect(writes.find((w) => w.verb === 'patch' && w.kind === 'ReplicaSet')!.body).toEqual({
          metadata: { annotations: { [DESIRED]: '10', [MAX]: '13' }, resourceVersion: '9' },
          spec: { replicas: 8 },
        });
        expect(events.map((e) => e.message)).toEqual([
          `Scaled up replica set web-${hash} to 3`,
          `Scaled down replica set ${old.metadata.name} to 8`,
        ]);
      }
      // Apply the writes, then play the ReplicaSet controller: pods that existed at the
      // previous step are available now (new pods take one step), surplus pods go at once.
      for (const w of writes) {
        if (w.kind === 'ReplicaSet' && w.verb === 'create') {
          const rs = structuredClone(w.body as ReplicaSetObject);
          rs.metadata.creationTimestamp = iso((created += 1000));
          rs.metadata.resourceVersion = '1';
          rs.status = { replicas: 0, availableReplicas: 0, readyReplicas: 0 };
          rss.set(rs.metadata.uid!, rs);
        } else if (w.kind === 'ReplicaSet' && w.verb === 'patch') {
          const rs = [...rss.values()].find((r) => r.metadata.name === w.name)!;
          const patch = w.body as {
            metadata: { annotations?: Record<string, string> };
            spec?: { replicas?: number };
          };
          rs.metadata.annotations = { ...rs.metadata.annotations, ...patch.metadata.annotations };
          if (patch.spec?.replicas !== undefined) rs.spec!.replicas = patch.spec.replicas;
        } else if (w.kind === 'Deployment' && w.verb === 'updateStatus') {
          d = { ...d, status: w.body as DeploymentObject['status'] };
        } else if (w.kind === 'Deployment' && w.verb === 'patch') {
          const patch = w.body as { metadata: { annotations: Record<string, string> } };
          d = {
            ...d,
            metadata: {
              ...d.metadata,
              annotations: { ...d.metadata.annotations, ...patch.metadata.annotations },
            },
          };
        }
      }
      for (const rs of rss.values()) {
        const replicas = rs.spec!.replicas!;
        const available = Math.min(replicas, rs.status!.replicas ?? 0);
        rs.status = {
          replicas,
          readyReplicas: available,
          availableReplicas: available,
          observedGeneration: 1,
        };
      }
      const newRS = [...rss.values()].find((rs) => rs.metadata.uid !== old.metadata.uid);
      const sizes: [number, number] = [newRS?.spec!.replicas ?? 0, old.spec!.replicas!];
      const total = [...rss.values()].reduce((sum, rs) => sum + rs.spec!.replicas!, 0);
      const available = [...rss.values()].reduce((sum, rs) => sum + rs.status!.availableReplicas!, 0);
      expect(total).toBeLessThanOrEqual(13);
      expect(available).toBeGreaterThanOrEqual(8);
      if (steps.length === 0 || steps.at(-1)!.join() !== sizes.join()) steps.push(sizes);
    }
    expect(steps).toEqual([
      [3, 8],
      [5, 8],
      [5, 5],
      [8, 5],
      [8, 3],
      [10, 3],
      [10, 0],
    ]);
    expect(d.status).toMatchObject({ replicas: 10, updatedReplicas: 10, availableReplicas: 10 });
    expect(condition(d.status, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'NewReplicaSetAvailable',
    });
    expect(condition(d.status, 'Available')).toMatchObject({ status: 'True' });
    expect(d.metadata.annotations).toEqual({ [REVISION_ANNOTATION]: '2' });
  });

  it('a restart (kubectl.kubernetes.io/restartedAt on the template) is a new template: a new ReplicaSet', async () => {
    const current = replicaSet({
      image: 'nginx:2',
      replicas: 3,
      revision: 1,
      annotations: { [DESIRED]: '3', [MAX]: '4' },
    });
    const d = deployment({ image: 'nginx:2' });
    d.metadata.annotations = { [REVISION_ANNOTATION]: '1' };
    d.spec!.template = {
      ...d.spec!.template,
      metadata: {
        ...d.spec!.template.metadata,
        annotations: { 'kubectl.kubernetes.io/restartedAt': iso(NOW) },
      },
    };
    const { writes, result } = run([d, current]);
    await result;
    const created = writes.find((w) => w.verb === 'create')!.body as ReplicaSetObject;
    expect(created.metadata.name).toBe(`web-${templateHash(d.spec!.template)}`);
    expect(created.metadata.name).not.toBe(current.metadata.name);
    expect(created.spec!.template!.metadata!.annotations).toEqual({
      'kubectl.kubernetes.io/restartedAt': iso(NOW),
    });
    expect(created.metadata.annotations![REVISION_ANNOTATION]).toBe('2');
    // 25% of 3: one pod of surge, none unavailable: the new one grows by one first.
    expect(created.spec!.replicas).toBe(1);
  });

  it('Recreate: scales the old ReplicaSets to 0, waits until their pods are gone, then creates the new one', async () => {
    const d = deployment({ recreate: true, replicas: 3 });
    const old = replicaSet({
      image: 'nginx:1',
      replicas: 3,
      revision: 1,
      annotations: { [DESIRED]: '3', [MAX]: '3' },
    });
    const pods = [podOf(old, 'p1'), podOf(old, 'p2'), podOf(old, 'p3')];

    const first = run([d, old, ...pods]);
    await first.result;
    expect(first.writes.filter((w) => w.kind === 'ReplicaSet').map((w) => [w.verb, w.body])).toEqual([
      [
        'patch',
        {
          metadata: { annotations: { [DESIRED]: '3', [MAX]: '3' }, resourceVersion: '9' },
          spec: { replicas: 0 },
        },
      ],
    ]);

    const scaledDown = { ...old, spec: { ...old.spec!, replicas: 0 } };
    // The ReplicaSet still reports its pods: wait.
    const second = run([d, scaledDown, ...pods]);
    await second.result;
    expect(second.writes.filter((w) => w.kind === 'ReplicaSet')).toEqual([]);

    // Its status says 0, but a pod is still running (terminating): wait.
    const reported = { ...scaledDown, status: { replicas: 0, observedGeneration: 1 } };
    const terminating = { ...pods[0], metadata: { ...pods[0].metadata, deletionTimestamp: iso(NOW) } };
    const third = run([d, reported, terminating]);
    await third.result;
    expect(third.writes.filter((w) => w.kind === 'ReplicaSet')).toEqual([]);

    // Finished pods do not count; once none runs, the new ReplicaSet comes at full size.
    const fourth = run([d, reported, podOf(old, 'done', 'Succeeded')]);
    await fourth.result;
    const creates = fourth.writes.filter((w) => w.verb === 'create');
    expect(creates).toHaveLength(1);
    const created = creates[0].body as ReplicaSetObject;
    expect(created.spec!.replicas).toBe(3);
    expect(created.metadata.annotations).toMatchObject({
      [REVISION_ANNOTATION]: '2',
      [DESIRED]: '3',
      [MAX]: '3',
    });
  });

  it('deletes the oldest revisions beyond revisionHistoryLimit once complete, only empty ones', async () => {
    const current = replicaSet({
      image: 'nginx:2',
      replicas: 2,
      revision: 5,
      annotations: { [DESIRED]: '2', [MAX]: '3' },
    });
    const olds = [1, 2, 3, 4].map((revision) =>
      replicaSet({ image: `nginx:0.${revision}`, replicas: 0, revision, created: NOW - 100_000 + revision }),
    );
    olds[1].status!.replicas = 1; // revision 2 still has a pod: kept
    const d = deployment({
      replicas: 2,
      revisionHistoryLimit: 2,
      status: {
        observedGeneration: 3,
        replicas: 2,
        updatedReplicas: 2,
        readyReplicas: 2,
        availableReplicas: 2,
        conditions: [
          { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', lastUpdateTime: iso(NOW) },
        ],
      },
    });
    d.metadata.annotations = { [REVISION_ANNOTATION]: '5' };
    const { writes, result } = run([d, current, ...olds]);
    await result;
    expect(writes.filter((w) => w.verb === 'delete').map((w) => w.name)).toEqual([olds[0].metadata.name]);
  });

  it('paused: no new ReplicaSet for a new template, Progressing DeploymentPaused, but scaling applies', async () => {
    const old = replicaSet({
      image: 'nginx:1',
      replicas: 3,
      revision: 1,
      annotations: { [DESIRED]: '3', [MAX]: '4' },
    });
    const d = deployment({ paused: true, replicas: 5, image: 'nginx:2' });
    const { writes, events, result } = run([d, old]);
    await result;
    expect(writes.filter((w) => w.verb === 'create')).toEqual([]);
    expect(writes.find((w) => w.kind === 'ReplicaSet')!.body).toEqual({
      metadata: { annotations: { [DESIRED]: '5', [MAX]: '7' }, resourceVersion: '9' },
      spec: { replicas: 5 },
    });
    expect(events.map((e) => e.message)).toEqual([`Scaled up replica set ${old.metadata.name} to 5`]);
    const status = statusWrite(writes)!;
    expect(condition(status, 'Progressing')).toMatchObject({
      status: 'Unknown',
      reason: 'DeploymentPaused',
      message: 'Deployment is paused',
    });

    // Resumed: DeploymentResumed, then the rollout goes on (the new ReplicaSet appears).
    const resumed = deployment({ replicas: 3, image: 'nginx:2', status: status });
    const next = run([resumed, old]);
    await next.result;
    expect(next.writes.filter((w) => w.verb === 'create').map((w) => w.kind)).toEqual(['ReplicaSet']);
    expect(condition(statusWrite(next.writes), 'Progressing')).toMatchObject({
      reason: 'NewReplicaSetCreated',
    });
  });

  it('reports ProgressDeadlineExceeded (False) after progressDeadlineSeconds without progress, and requeues before', async () => {
    const rs = replicaSet({
      image: 'nginx:2',
      replicas: 3,
      available: 0,
      revision: 1,
      annotations: { [DESIRED]: '3', [MAX]: '4' },
    });
    const stuck = (since: number) => {
      const d = deployment({
        replicas: 3,
        progressDeadlineSeconds: 600,
        status: {
          observedGeneration: 3,
          replicas: 3,
          updatedReplicas: 3,
          readyReplicas: 0,
          availableReplicas: 0,
          unavailableReplicas: 3,
          conditions: [
            {
              type: 'Available',
              status: 'False',
              reason: 'MinimumReplicasUnavailable',
              message: 'Deployment does not have minimum availability.',
              lastUpdateTime: iso(since),
              lastTransitionTime: iso(since),
            },
            {
              type: 'Progressing',
              status: 'True',
              reason: 'ReplicaSetUpdated',
              message: `ReplicaSet "${rs.metadata.name}" is progressing.`,
              lastUpdateTime: iso(since),
              lastTransitionTime: iso(since),
            },
          ],
        },
      });
      d.metadata.annotations = { [REVISION_ANNOTATION]: '1' };
      return d;
    };

    const early = run([stuck(NOW - 100_000), rs]);
    expect(await early.result).toEqual({ requeueAfterMs: 501_000 });
    expect(early.writes).toEqual([]);

    const late = run([stuck(NOW - 700_000), rs]);
    expect(await late.result).toBeUndefined();
    const progressing = condition(statusWrite(late.writes), 'Progressing') as DeploymentCondition;
    expect(progressing).toEqual({
      type: 'Progressing',
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: `ReplicaSet "${rs.metadata.name}" has timed out progressing.`,
      lastUpdateTime: iso(NOW),
      lastTransitionTime: iso(NOW),
    });
  });

  it('scales proportionally when spec.replicas changes mid-rollout', async () => {
    const annotations = { [DESIRED]: '10', [MAX]: '13' };
    const old = replicaSet({ image: 'nginx:1', replicas: 8, revision: 1, annotations, created: NOW - 9000 });
    const cur = replicaSet({ image: 'nginx:2', replicas: 5, available: 3, revision: 2, annotations });
    const d = deployment({ replicas: 20, maxSurge: 3, maxUnavailable: 2 });
    d.metadata.annotations = { [REVISION_ANNOTATION]: '2' };
    const { writes, events, result } = run([d, old, cur]);
    await result;
    const sizes = writes
      .filter((w) => w.kind === 'ReplicaSet' && w.verb === 'patch')
      .map((w) => [w.name, (w.body as { spec: { replicas: number } }).spec.replicas]);
    expect(sizes).toEqual([
      [old.metadata.name, 14],
      [cur.metadata.name, 9],
    ]);
    expect(events.map((e) => e.message)).toEqual([
      `Scaled up replica set ${old.metadata.name} to 14`,
      `Scaled up replica set ${cur.metadata.name} to 9`,
    ]);
  });

  it('a rollback brings an old ReplicaSet back under a new revision, keeping the old one in revision-history', async () => {
    const first = replicaSet({ image: 'nginx:1', replicas: 0, revision: 1, created: NOW - 9000 });
    const second = replicaSet({
      image: 'nginx:2',
      replicas: 3,
      revision: 2,
      annotations: { [DESIRED]: '3', [MAX]: '4' },
    });
    const d = deployment({ image: 'nginx:1' });
    d.metadata.annotations = { [REVISION_ANNOTATION]: '2' };
    const { writes, result } = run([d, first, second]);
    await result;
    expect(writes[0]).toEqual({
      verb: 'patch',
      kind: 'ReplicaSet',
      name: first.metadata.name,
      namespace: NS,
      body: {
        metadata: {
          annotations: { [REVISION_ANNOTATION]: '3', 'deployment.kubernetes.io/revision-history': '1' },
          resourceVersion: '9',
        },
      },
    });
    expect(writes.filter((w) => w.verb === 'create')).toEqual([]);
  });

  it('adopts orphan ReplicaSets its selector matches and bumps collisionCount on a hash collision', async () => {
    const orphan = replicaSet({ image: 'nginx:1', replicas: 1, revision: 1, owned: false });
    const d = deployment({ image: 'nginx:2' });
    // Someone else's ReplicaSet already has the name the new one would get.
    const squatter = replicaSet({ image: 'nginx:2', replicas: 1, owned: false });
    squatter.metadata.uid = 'uid-squatter';
    squatter.metadata.labels = { app: 'other' };
    squatter.spec!.template = template('busybox');
    const { ctx, writes } = fixtureContext([d, orphan, squatter]);
    ctx.writer.create = async (obj) => {
      writes.push({ verb: 'create', kind: obj.kind, name: obj.metadata.name!, body: obj });
      throw new KubeqlError('ALREADY_EXISTS', `replicasets "${obj.metadata.name}" already exists`);
    };
    await expect(deploymentReconciler(ctx, { now: () => NOW })('default/web')).rejects.toThrow(
      'already exists',
    );
    expect(writes[0]).toMatchObject({ verb: 'patch', kind: 'ReplicaSet', name: orphan.metadata.name });
    expect((writes[0].body as { metadata: { ownerReferences: unknown } }).metadata.ownerReferences).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'web',
        uid: 'uid-web',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(writes.find((w) => w.verb === 'create')!.name).toBe(squatter.metadata.name);
    expect(statusWrite(writes)!.collisionCount).toBe(1);
    // With the new collision count, the next hash (and name) differ.
    expect(templateHash(d.spec!.template, 1)).not.toBe(templateHash(d.spec!.template));
  });
});

describe('Deployment controller against a server', () => {
  const env = controllerCluster([replicaSetController, deploymentController], {
    kubelet: { namespace: NS, delayMs: 30 },
  });
  const writer = () => env.writer;

  const isReady = (p: PodObject) =>
    !p.metadata.deletionTimestamp &&
    !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

  /** The deployment converged on `replicas` of its current template. */
  async function converged(replicas: number) {
    const d = await env.client.get<DeploymentObject>('Deployment', 'web', NS);
    const s = d?.status;
    if (!d || !s || s.observedGeneration !== d.metadata.generation) return false;
    if (s.replicas !== replicas || s.updatedReplicas !== replicas || s.availableReplicas !== replicas)
      return false;
    if (condition(s, 'Available')?.status !== 'True') return false;
    if (condition(s, 'Progressing')?.reason !== 'NewReplicaSetAvailable') return false;
    const pods = (await env.client.listAll<PodObject>('Pod', { namespace: NS })).items.filter(
      (p) => !p.metadata.deletionTimestamp,
    );
    if (pods.length !== replicas || !pods.every(isReady)) return false;
    return { d, pods };
  }

  it('converges, rolls out a new image within maxSurge / maxUnavailable, scales, replaces a deleted pod', async () => {
    await writer().create<DeploymentObject>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: NS },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: template('nginx:1'),
      },
    });
    const first = await until(() => converged(3), { what: '3 available replicas', ms: 15_000 });
    expect(condition(first.d.status, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'NewReplicaSetAvailable',
    });
    expect(first.d.metadata.annotations?.[REVISION_ANNOTATION]).toBe('1');

    // Scale up, with the rollout bounds of the test.
    await writer().patch('Deployment', 'web', NS, {
      spec: {
        replicas: 10,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } },
      },
    });
    await until(() => converged(10), { what: '10 available replicas', ms: 15_000 });

    // Watch every pod and ReplicaSet change during the rollout.
    const violations: string[] = [];
    const pods = new Map<string, PodObject>();
    const rss = new Map<string, ReplicaSetObject>();
    const podList = await env.client.listAll<PodObject>('Pod', { namespace: NS });
    for (const p of podList.items) pods.set(p.metadata.uid!, p);
    const rsList = await env.client.listAll<ReplicaSetObject>('ReplicaSet', { namespace: NS });
    for (const rs of rsList.items) rss.set(rs.metadata.uid!, rs);
    let podEvents = 0;
    const check = (what: string) => {
      const live = [...pods.values()].filter((p) => !p.metadata.deletionTimestamp);
      const ready = live.filter(isReady).length;
      const specTotal = [...rss.values()].reduce((sum, rs) => sum + (rs.spec?.replicas ?? 0), 0);
      if (live.length > 13) violations.push(`${what}: ${live.length} pods > 13`);
      if (ready < 8) violations.push(`${what}: ${ready} ready pods < 8`);
      if (specTotal > 13) violations.push(`${what}: ReplicaSets want ${specTotal} > 13`);
    };
    const follow = <T extends Resource>(kind: string, rv: string, into: Map<string, T>) => {
      const watch = env.client.watch<T>(kind, { namespace: NS, resourceVersion: rv });
      const done = (async () => {
        for await (const event of watch) {
          if (event.type === 'BOOKMARK') continue;
          if (event.type === 'DELETED') into.delete(event.object.metadata.uid!);
          else into.set(event.object.metadata.uid!, event.object);
          if (kind === 'Pod') podEvents++;
          check(`${event.type} ${kind} ${event.object.metadata.name}`);
        }
      })();
      return { stop: async () => (await watch.return(), await done) };
    };
    const watchers = [
      follow<PodObject>('Pod', podList.resourceVersion, pods),
      follow<ReplicaSetObject>('ReplicaSet', rsList.resourceVersion, rss),
    ];

    const oldRS = [...rss.values()][0];
    await writer().patch('Deployment', 'web', NS, {
      spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } } },
    });
    const rolled = await until(
      async () => {
        const done = await converged(10);
        return done && done.pods.every((p) => p.spec?.containers[0].image === 'nginx:2') && done;
      },
      { what: 'the rollout to nginx:2', ms: 15_000 },
    );
    await Promise.all(watchers.map((w) => w.stop()));
    expect(violations).toEqual([]);
    expect(podEvents).toBeGreaterThan(20);

    expect(rolled.d.metadata.annotations?.[REVISION_ANNOTATION]).toBe('2');
    const after = (await env.client.listAll<ReplicaSetObject>('ReplicaSet', { namespace: NS })).items;
    const newRS = after.find((rs) => rs.metadata.uid !== oldRS.metadata.uid)!;
    expect(newRS.metadata.annotations?.[REVISION_ANNOTATION]).toBe('2');
    expect(newRS.metadata.name).toBe(
      `web-${newRS.spec!.template!.metadata!.labels![POD_TEMPLATE_HASH_LABEL]}`,
    );
    expect(newRS.spec!.replicas).toBe(10);
    expect(after.find((rs) => rs.metadata.uid === oldRS.metadata.uid)!.spec!.replicas).toBe(0);
    for (const p of rolled.pods)
      expect(p.metadata.labels?.[POD_TEMPLATE_HASH_LABEL]).toBe(
        newRS.spec!.selector.matchLabels![POD_TEMPLATE_HASH_LABEL],
      );

    // A deleted pod is replaced.
    const victim = rolled.pods[0].metadata.name!;
    await writer().delete('Pod', victim, NS);
    const healed = await until(
      async () => {
        const done = await converged(10);
        return done && !done.pods.some((p) => p.metadata.name === victim) && done;
      },
      { what: 'a replacement pod', ms: 15_000 },
    );
    expect(healed.pods).toHaveLength(10);

    // Scaling down.
    await writer().patch('Deployment', 'web', NS, { spec: { replicas: 4 } });
    await until(() => converged(4), { what: '4 available replicas', ms: 15_000 });
  });
});
