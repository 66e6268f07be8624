import { describe, expect, it } from 'vitest';
import { REVISION_ANNOTATION } from '../../agent/controllers/deployment/revision.ts';
import type { DeploymentObject, ReplicaSetObject } from '../../agent/controllers/rollout-math.ts';
import { templateHash } from '../../agent/controllers/template-hash.ts';
import {
  NOW,
  iso,
  DESIRED,
  MAX,
  deployment,
  replicaSet,
  podOf,
  run,
  condition,
} from '../support/deployment-fixture.ts';

// Unit tests of the Deployment reconcile, its strategies played step by step: RollingUpdate
// (deployment/rolling.ts) and Recreate (deployment/recreate.ts).

describe('Deployment reconcile: rollout strategies', () => {
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
});
