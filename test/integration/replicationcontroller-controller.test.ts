import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodObject } from '../../agent/objects.ts';
import { replicationControllerController } from '../../agent/controllers/replicationcontroller.ts';
import type { Resource } from '../../client/index.ts';
import type { ReplicationController } from '../../schema/kinds/replicationcontroller.ts';
import { startHollowCluster, type HollowCluster } from '../support/hollow.ts';
import { waitFor } from '../support/wait.ts';

/** A ReplicationController on hollow nodes: the ReplicaSet controller's loop, selecting by label equality. */

type RC = Resource & ReplicationController;
const NS = 'default';

describe('ReplicationController on a hollow cluster', () => {
  let h: HollowCluster;
  beforeAll(async () => {
    h = await startHollowCluster({ nodes: 2, controllers: [replicationControllerController] });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const owned = async (uid: string) =>
    (await h.client.listAll<PodObject>('Pod', { namespace: NS })).items.filter(
      (p) => !p.metadata.deletionTimestamp && p.metadata.ownerReferences?.some((r) => r.uid === uid),
    );
  const ready = (name: string, uid: string, want: number) => async () => {
    const rc = await h.client.get<RC>('ReplicationController', name, NS);
    const s = rc?.status;
    const pods = await owned(uid);
    return (
      s?.replicas === want &&
      s.readyReplicas === want &&
      s.availableReplicas === want &&
      s.observedGeneration === rc!.metadata.generation &&
      pods.length === want &&
      pods.every((p) => p.status?.phase === 'Running')
    );
  };

  it('runs its replicas, replaces a deleted pod and scales both ways', async () => {
    // Kubernetes' documentation example (its selector left to the default: the template's labels).
    const rc = await h.writer.create<RC>({
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'nginx', namespace: NS },
      spec: {
        replicas: 3,
        template: {
          metadata: { name: 'nginx', labels: { app: 'nginx' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] },
        },
      },
    });
    const uid = rc.metadata.uid!;
    expect(rc.spec?.selector).toEqual({ app: 'nginx' });
    await waitFor(ready('nginx', uid, 3), { ms: 15_000, what: '3 running replicas' });

    const pods = await owned(uid);
    for (const pod of pods) {
      expect(pod.metadata.name).toMatch(/^nginx-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(pod.metadata.labels).toEqual({ app: 'nginx' });
      expect(pod.metadata.ownerReferences).toEqual([
        {
          apiVersion: 'v1',
          kind: 'ReplicationController',
          name: 'nginx',
          uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    }

    const victim = pods[0].metadata.name!;
    await h.writer.delete('Pod', victim, NS, { gracePeriodSeconds: 0 });
    await waitFor(
      async () => {
        const now = await owned(uid);
        return now.length === 3 && !now.some((p) => p.metadata.name === victim);
      },
      { ms: 15_000, what: 'a replacement for the deleted pod' },
    );
    await waitFor(ready('nginx', uid, 3), { ms: 15_000, what: '3 running replicas again' });

    // `kq scale rc nginx --replicas=5`'s mutation.
    await h.client.request(
      `mutation { scaleReplicationController(namespace: "default", name: "nginx", replicas: 5) { kind } }`,
    );
    await waitFor(ready('nginx', uid, 5), { ms: 15_000, what: '5 running replicas' });
    await h.writer.patch('ReplicationController', 'nginx', NS, { spec: { replicas: 1 } });
    await waitFor(ready('nginx', uid, 1), { ms: 15_000, what: '1 running replica' });
    expect(await owned(uid)).toHaveLength(1);
  });

  it('adopts a running pod its selector matches by equality and ignores one it does not', async () => {
    const pod = (name: string, labels: Record<string, string>) =>
      h.writer.create<PodObject>({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: NS, labels },
        spec: { containers: [{ name: 'c', image: 'redis:7' }] },
      });
    await pod('cache-orphan', { app: 'cache', tier: 'backend' });
    await pod('cache-other', { app: 'cache' });
    const rc = await h.writer.create<RC>({
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'cache', namespace: NS },
      spec: {
        replicas: 2,
        selector: { app: 'cache', tier: 'backend' },
        template: {
          metadata: { labels: { app: 'cache', tier: 'backend' } },
          spec: { containers: [{ name: 'c', image: 'redis:7' }] },
        },
      },
    });
    const uid = rc.metadata.uid!;
    await waitFor(ready('cache', uid, 2), { ms: 15_000, what: '2 running replicas' });
    const names = (await owned(uid)).map((p) => p.metadata.name);
    expect(names).toContain('cache-orphan');
    const other = await h.client.get<PodObject>('Pod', 'cache-other', NS);
    expect(other?.metadata.ownerReferences).toBeUndefined();
  });
});
