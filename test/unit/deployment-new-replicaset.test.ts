import { describe, expect, it } from 'vitest';
import { KubeqlError } from '../../client/index.ts';
import { REVISION_ANNOTATION } from '../../agent/controllers/deployment/revision.ts';
import { POD_TEMPLATE_HASH_LABEL } from '../../agent/controllers/pod-template-hash.ts';
import type { ReplicaSetObject } from '../../agent/controllers/rollout-math.ts';
import { canonicalJson, templateHash } from '../../agent/controllers/template-hash.ts';
import {
  NS,
  NOW,
  iso,
  DESIRED,
  MAX,
  template,
  deployment,
  replicaSet,
  run,
  setup,
  statusWrite,
  condition,
} from '../support/deployment-fixture.ts';

// Unit tests of the Deployment reconcile, the new ReplicaSet (deployment/new-replicaset.ts): its
// name and hash, its creation and revision, adoption and hash collisions.

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

describe('Deployment reconcile: the new ReplicaSet', () => {
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

  it('adopts orphan ReplicaSets its selector matches and bumps collisionCount on a hash collision', async () => {
    const orphan = replicaSet({ image: 'nginx:1', replicas: 1, revision: 1, owned: false });
    const d = deployment({ image: 'nginx:2' });
    // Someone else's ReplicaSet already has the name the new one would get.
    const squatter = replicaSet({ image: 'nginx:2', replicas: 1, owned: false });
    squatter.metadata.uid = 'uid-squatter';
    squatter.metadata.labels = { app: 'other' };
    squatter.spec!.template = template('busybox');
    const { ctx, writes, controller } = setup([d, orphan, squatter]);
    ctx.writer.create = async (obj) => {
      writes.push({ verb: 'create', kind: obj.kind, name: obj.metadata.name!, body: obj });
      throw new KubeqlError('ALREADY_EXISTS', `replicasets "${obj.metadata.name}" already exists`);
    };
    await expect(controller.reconcile('default/web')).rejects.toThrow('already exists');
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
