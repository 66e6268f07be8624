import { describe, expect, it } from 'vitest';
import type { DeploymentCondition } from '../../agent/controllers/deployment/conditions.ts';
import { REVISION_ANNOTATION } from '../../agent/controllers/deployment/revision.ts';
import {
  NOW,
  iso,
  DESIRED,
  MAX,
  deployment,
  replicaSet,
  run,
  statusWrite,
  condition,
} from '../support/deployment-fixture.ts';

// Unit tests of the Deployment reconcile, its progress report: the Available and Progressing
// conditions and the progress deadline (deployment/status.ts, deployment/progress.ts).

describe('Deployment reconcile: progress', () => {
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
});
