import { describe, expect, it } from 'vitest';
import type { Resource } from '../../client/index.ts';
import { GarbageCollector, garbageCollector } from '../../agent/controllers/garbage-collector.ts';
import { controllerCluster, eventually } from '../support/controller-cluster.ts';
import { fixtureContext } from '../support/controller-fixture.ts';

type Ref = { kind: string; name: string; uid: string; blockOwnerDeletion?: boolean; controller?: boolean };

function configMap(name: string, meta: Partial<Resource['metadata']> = {}, owners: Ref[] = []): Resource {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      resourceVersion: `rv-${name}`,
      ...(owners.length ? { ownerReferences: owners.map((ref) => ({ apiVersion: 'v1', ...ref })) } : {}),
      ...meta,
    },
  };
}

const ref = (name: string, extra: Partial<Ref> = {}): Ref => ({
  kind: 'ConfigMap',
  name,
  uid: `uid-${name}`,
  ...extra,
});
const marked = (finalizer: string) => ({
  deletionTimestamp: '2030-01-01T00:00:00Z',
  finalizers: [finalizer],
});

describe('garbage collector reconcile', () => {
  it('deletes a dependent whose owners are all gone, in the background, with its resourceVersion', async () => {
    const { ctx, writes } = fixtureContext([configMap('child', {}, [ref('gone'), ref('also-gone')])]);
    await new GarbageCollector(ctx).reconcile('ConfigMap/default/child');
    expect(writes).toEqual([
      {
        verb: 'delete',
        kind: 'ConfigMap',
        name: 'child',
        namespace: 'default',
        body: { propagationPolicy: 'Background', resourceVersion: 'rv-child' },
      },
    ]);
  });

  it('treats an owner recreated under the same name (another uid) as gone', async () => {
    const { ctx, writes } = fixtureContext([
      configMap('parent', { uid: 'new-uid' }),
      configMap('child', {}, [ref('parent')]),
    ]);
    await new GarbageCollector(ctx).reconcile('ConfigMap/default/child');
    expect(writes.map((w) => [w.verb, w.name])).toEqual([['delete', 'child']]);
  });

  it('keeps a dependent with a live owner, dropping only the references to gone owners', async () => {
    const { ctx, writes } = fixtureContext([
      configMap('alive'),
      configMap('kept', {}, [ref('alive')]),
      configMap('shared', {}, [ref('alive'), ref('gone')]),
    ]);
    const gc = new GarbageCollector(ctx);
    await gc.reconcile('ConfigMap/default/kept');
    expect(writes).toEqual([]);
    await gc.reconcile('ConfigMap/default/shared');
    expect(writes).toEqual([
      {
        verb: 'patch',
        kind: 'ConfigMap',
        name: 'shared',
        namespace: 'default',
        body: {
          metadata: {
            ownerReferences: [{ apiVersion: 'v1', ...ref('alive') }],
            resourceVersion: 'rv-shared',
          },
        },
      },
    ]);
  });

  it('never collects on account of an owner of a kind the API does not serve', async () => {
    const { ctx, writes } = fixtureContext([
      configMap('child', {}, [{ kind: 'Widget', name: 'w', uid: 'uid-w' }]),
    ]);
    await new GarbageCollector(ctx).reconcile('ConfigMap/default/child');
    expect(writes).toEqual([]);
  });

  it('orphans: removes the owner reference from each dependent, then the orphan finalizer', async () => {
    const { ctx, writes } = fixtureContext([
      configMap('owner', marked('orphan')),
      configMap('a', {}, [ref('owner')]),
      configMap('b', {}, [ref('owner'), ref('other')]),
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'p',
          namespace: 'default',
          uid: 'uid-p',
          resourceVersion: 'rv-p',
          ownerReferences: [{ apiVersion: 'v1', ...ref('owner') }],
        },
      },
    ]);
    await new GarbageCollector(ctx).reconcile('ConfigMap/default/owner');
    const sorted = [...writes.slice(0, 3)].sort((x, y) => x.name.localeCompare(y.name));
    expect(sorted).toEqual([
      {
        verb: 'patch',
        kind: 'ConfigMap',
        name: 'a',
        namespace: 'default',
        body: { metadata: { ownerReferences: null, resourceVersion: 'rv-a' } },
      },
      {
        verb: 'patch',
        kind: 'ConfigMap',
        name: 'b',
        namespace: 'default',
        body: {
          metadata: { ownerReferences: [{ apiVersion: 'v1', ...ref('other') }], resourceVersion: 'rv-b' },
        },
      },
      {
        verb: 'patch',
        kind: 'Pod',
        name: 'p',
        namespace: 'default',
        body: { metadata: { ownerReferences: null, resourceVersion: 'rv-p' } },
      },
    ]);
    expect(writes[3]).toEqual({
      verb: 'patch',
      kind: 'ConfigMap',
      name: 'owner',
      namespace: 'default',
      body: { metadata: { finalizers: null, resourceVersion: 'rv-owner' } },
    });
  });

  it('foreground: the owner waits for blocking dependents, which cascade in the foreground', async () => {
    const { ctx, writes } = fixtureContext([
      configMap('owner', marked('foregroundDeletion')),
      configMap('middle', {}, [ref('owner', { blockOwnerDeletion: true })]),
      configMap('leaf', {}, [ref('middle', { blockOwnerDeletion: true })]),
      configMap('loose', {}, [ref('owner')]),
    ]);
    const gc = new GarbageCollector(ctx);
    await gc.reconcile('ConfigMap/default/owner');
    expect(writes).toEqual([]);
    // A dependent with dependents of its own goes in the foreground; a leaf in the background.
    await gc.reconcile('ConfigMap/default/middle');
    await gc.reconcile('ConfigMap/default/loose');
    expect(
      writes.map((w) => [w.verb, w.name, (w.body as { propagationPolicy: string }).propagationPolicy]),
    ).toEqual([
      ['delete', 'middle', 'Foreground'],
      ['delete', 'loose', 'Background'],
    ]);
  });

  it('foreground: with no blocking dependent left, removes the finalizer', async () => {
    const { ctx, writes } = fixtureContext([
      configMap('owner', {
        deletionTimestamp: '2030-01-01T00:00:00Z',
        finalizers: ['foregroundDeletion', 'x.io/y'],
      }),
      configMap('loose', { deletionTimestamp: '2030-01-01T00:00:00Z', finalizers: ['x.io/y'] }, [
        ref('owner'),
      ]),
    ]);
    await new GarbageCollector(ctx).reconcile('ConfigMap/default/owner');
    expect(writes).toEqual([
      {
        verb: 'patch',
        kind: 'ConfigMap',
        name: 'owner',
        namespace: 'default',
        body: { metadata: { finalizers: ['x.io/y'], resourceVersion: 'rv-owner' } },
      },
    ]);
  });

  it('does nothing for an object that is gone or marked without a policy finalizer', async () => {
    const { ctx, writes } = fixtureContext([configMap('held', marked('x.io/hold'), [ref('gone')])]);
    const gc = new GarbageCollector(ctx);
    await gc.reconcile('ConfigMap/default/held');
    await gc.reconcile('ConfigMap/default/nothing');
    expect(writes).toEqual([]);
  });
});

describe('garbage collector against a server', () => {
  const env = controllerCluster([garbageCollector]);
  const writer = () => env.writer;

  const ownedBy = (owner: Resource, block: boolean) => [
    {
      apiVersion: owner.apiVersion,
      kind: owner.kind,
      name: owner.metadata.name!,
      uid: owner.metadata.uid!,
      controller: true,
      blockOwnerDeletion: block,
    },
  ];
  const template = (app: string) => ({
    metadata: { labels: { app } },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  });

  /** A Deployment owning a ReplicaSet owning two Pods, all made by hand. */
  async function chain(app: string, block: boolean) {
    const selector = { matchLabels: { app } };
    const deployment = await writer().create<Resource>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: app, namespace: 'default' },
      spec: { selector, template: template(app) },
    });
    const replicaSet = await writer().create<Resource>({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: `${app}-rs`, namespace: 'default', ownerReferences: ownedBy(deployment, block) },
      spec: { selector, template: template(app) },
    });
    const pods: Resource[] = [];
    for (const i of [1, 2]) {
      pods.push(
        await writer().create<Resource>({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: `${app}-pod-${i}`,
            namespace: 'default',
            labels: { app },
            ownerReferences: ownedBy(replicaSet, block),
          },
          spec: template(app).spec,
        }),
      );
    }
    return { deployment, replicaSet, pods };
  }

  const exists = (kind: string, name: string) => env.client.get(kind, name, 'default');

  it('Background: deleting the owner deletes its dependents, level by level', async () => {
    await chain('bg', false);
    await writer().delete('Deployment', 'bg', 'default', { propagationPolicy: 'Background' });
    expect(await exists('Deployment', 'bg')).toBeNull();
    await eventually(
      () => exists('ReplicaSet', 'bg-rs'),
      (rs) => rs === null,
    );
    await eventually(
      () => env.client.list('Pod', { namespace: 'default', labelSelector: 'app=bg' }),
      (list) => list.items.length === 0,
    );
  });

  it('Foreground: dependents go first, the owner waits for the blocking ones', async () => {
    await writer().create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'gc-node' } });
    const { pods } = await chain('fg', true);
    // One pod is on a node: its deletion waits for the node agent (played by the test).
    await writer().bind('default', pods[0].metadata.name!, 'gc-node');
    await writer().delete('Deployment', 'fg', 'default', { propagationPolicy: 'Foreground' });

    const pod = await eventually(
      () => exists('Pod', 'fg-pod-1'),
      (p) => !!p?.metadata.deletionTimestamp,
    );
    expect(pod!.metadata.deletionGracePeriodSeconds).toBeGreaterThan(0);
    await eventually(
      () => exists('Pod', 'fg-pod-2'),
      (p) => p === null,
    );
    // The ReplicaSet and the Deployment wait in foreground deletion for the pod.
    const rs = await exists('ReplicaSet', 'fg-rs');
    expect(rs?.metadata).toMatchObject({ finalizers: ['foregroundDeletion'] });
    expect(rs?.metadata.deletionTimestamp).toBeTruthy();
    const deployment = await exists('Deployment', 'fg');
    expect(deployment?.metadata).toMatchObject({ finalizers: ['foregroundDeletion'] });

    await writer().delete('Pod', 'fg-pod-1', 'default', { gracePeriodSeconds: 0 });
    await eventually(
      () => exists('ReplicaSet', 'fg-rs'),
      (r) => r === null,
    );
    await eventually(
      () => exists('Deployment', 'fg'),
      (d) => d === null,
    );
  });

  it('Orphan: the owner goes, its dependents stay without the reference', async () => {
    const { replicaSet } = await chain('or', false);
    await writer().delete('Deployment', 'or', 'default', { propagationPolicy: 'Orphan' });
    await eventually(
      () => exists('Deployment', 'or'),
      (d) => d === null,
    );
    const rs = await exists('ReplicaSet', 'or-rs');
    expect(rs?.metadata.uid).toBe(replicaSet.metadata.uid);
    expect(rs?.metadata.ownerReferences ?? []).toEqual([]);
    const pods = await env.client.list('Pod', { namespace: 'default', labelSelector: 'app=or' });
    expect(pods.items.map((p) => p.metadata.ownerReferences?.[0]?.uid)).toEqual([
      replicaSet.metadata.uid,
      replicaSet.metadata.uid,
    ]);
    // Still collected normally later: the pods follow their own owner.
    await writer().delete('ReplicaSet', 'or-rs', 'default');
    await eventually(
      () => env.client.list('Pod', { namespace: 'default', labelSelector: 'app=or' }),
      (list) => list.items.length === 0,
    );
  });

  it('keeps a dependent that has another owner, dropping the reference to the deleted one', async () => {
    const a = await writer().create<Resource>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'owner-a', namespace: 'default' },
    });
    const b = await writer().create<Resource>({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'owner-b', namespace: 'default' },
    });
    const refTo = (o: Resource) => ({
      apiVersion: 'v1',
      kind: o.kind,
      name: o.metadata.name!,
      uid: o.metadata.uid!,
    });
    await writer().create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'shared', namespace: 'default', ownerReferences: [refTo(a), refTo(b)] },
    });
    await writer().create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'only-a', namespace: 'default', ownerReferences: [refTo(a)] },
    });
    await writer().delete('ConfigMap', 'owner-a', 'default');
    await eventually(
      () => exists('ConfigMap', 'only-a'),
      (cm) => cm === null,
    );
    const shared = await eventually(
      () => exists('ConfigMap', 'shared'),
      (cm) => cm?.metadata.ownerReferences?.length === 1,
    );
    expect(shared!.metadata.ownerReferences).toEqual([refTo(b)]);
  });
});
