import { describe, expect, it } from 'vitest';
import { REVISION_ANNOTATION } from '../../agent/controllers/deployment/revision.ts';
import {
  NOW,
  DESIRED,
  MAX,
  deployment,
  replicaSet,
  run,
  statusWrite,
  condition,
} from '../support/deployment-fixture.ts';

// Unit tests of the Deployment reconcile, paused and resized Deployments: scaling without a
// rollout (deployment/sync.ts, deployment/scale.ts).

describe('Deployment reconcile: scaling and pausing', () => {
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
});
