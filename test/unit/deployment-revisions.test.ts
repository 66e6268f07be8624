import { describe, expect, it } from 'vitest';
import { REVISION_ANNOTATION } from '../../agent/controllers/deployment/revision.ts';
import { NS, NOW, iso, DESIRED, MAX, deployment, replicaSet, run } from '../support/deployment-fixture.ts';

// Unit tests of the Deployment reconcile, its revisions (deployment/revision.ts): cleanup beyond
// revisionHistoryLimit, and the revision-history of a ReplicaSet a rollback brings back.

describe('Deployment reconcile: revisions', () => {
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
});
