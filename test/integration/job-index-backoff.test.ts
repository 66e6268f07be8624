import { describe, expect, it } from 'vitest';
import type { Resource } from '../../client/index.ts';
import { JobController } from '../../agent/controllers/job.ts';
import { JOB_COMPLETION_INDEX } from '../../agent/controllers/job/completion-index.ts';
import { JOB_INDEX_FAILURE_COUNT } from '../../agent/controllers/job/index-failures.ts';
import type { JobStatus } from '../../agent/controllers/job/job-status.ts';
import { ManualClock } from '../../lib/clock.ts';
import { fixtureContext } from '../support/controller-fixture.ts';

// The Job controller's per-index back-off (backoffLimitPerIndex), reconcile by reconcile
// over fixture objects and a clock the test moves: each index waits 10 s, 20 s, ... after
// its own last failure, while the other indexes run on.

const T0 = Date.parse('2024-05-01T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

const job: Resource = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'shards', namespace: 'default', uid: 'job-uid', resourceVersion: '10' },
  spec: {
    completions: 2,
    parallelism: 2,
    completionMode: 'Indexed',
    backoffLimit: 2 ** 31 - 1,
    backoffLimitPerIndex: 2,
    template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } },
  },
  status: { startTime: iso(T0 - 60_000) },
};

function pod(name: string, index: number, failures: number, phase: string, finishedAt?: number): Resource {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      annotations: { [JOB_COMPLETION_INDEX]: String(index), [JOB_INDEX_FAILURE_COUNT]: String(failures) },
      ownerReferences: [
        { apiVersion: 'batch/v1', kind: 'Job', name: 'shards', uid: 'job-uid', controller: true },
      ],
    },
    status: {
      phase,
      containerStatuses:
        finishedAt === undefined
          ? []
          : [{ name: 'main', state: { terminated: { exitCode: 1, finishedAt: iso(finishedAt) } } }],
    },
  };
}

describe('job controller: per-index back-off', () => {
  it('recreates a failed index after 10 s then 20 s, carrying its failure count, until it fails for good', async () => {
    const clock = new ManualClock(T0);
    const t = fixtureContext(
      [job, pod('shards-0-a', 0, 0, 'Failed', T0), pod('shards-1-a', 1, 0, 'Running')],
      clock,
    );
    const controller = new JobController(t.ctx);
    const creates = () => t.writes.filter((w) => w.verb === 'create').map((w) => w.body as Resource);
    const lastStatus = () => t.writes.filter((w) => w.verb === 'updateStatus').at(-1)?.body as JobStatus;

    // Index 0 failed just now: it waits 10 s; index 1 runs on.
    expect(await controller.reconcile('default/shards')).toEqual({ requeueAfterMs: 10_000 });
    expect(creates()).toEqual([]);
    expect(lastStatus()).toMatchObject({ failed: 1, failedIndexes: '', active: 1 });

    clock.advance(10_000);
    await controller.reconcile('default/shards');
    const [second] = creates();
    expect(second.metadata.annotations).toMatchObject({
      [JOB_COMPLETION_INDEX]: '0',
      [JOB_INDEX_FAILURE_COUNT]: '1',
    });

    // It fails too: 20 s this time.
    t.cache('Pod').set(pod(second.metadata.name!, 0, 1, 'Failed', T0 + 10_000));
    expect(await controller.reconcile('default/shards')).toEqual({ requeueAfterMs: 20_000 });
    clock.advance(19_999);
    await controller.reconcile('default/shards');
    expect(creates()).toHaveLength(1);
    clock.advance(1);
    await controller.reconcile('default/shards');
    const third = creates()[1];
    expect(third.metadata.annotations?.[JOB_INDEX_FAILURE_COUNT]).toBe('2');

    // A third failure is past backoffLimitPerIndex 2: index 0 fails, and is not run again.
    t.cache('Pod').set(pod(third.metadata.name!, 0, 2, 'Failed', clock.now()));
    clock.advance(60_000);
    await controller.reconcile('default/shards');
    expect(creates()).toHaveLength(2);
    expect(lastStatus()).toMatchObject({ failed: 3, failedIndexes: '0', active: 1 });
    expect(lastStatus().conditions).toBeUndefined();
  });
});
