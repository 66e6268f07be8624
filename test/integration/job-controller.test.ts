import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInformer, type Informer, type Resource, type ResourceWriter } from '../../client/index.ts';
import { JobController, jobControllerWith } from '../../agent/controllers/job.ts';
import { JOB_COMPLETION_INDEX } from '../../agent/controllers/job/completion-index.ts';
import type { JobStatus } from '../../agent/controllers/job/job-status.ts';
import { ManualClock } from '../../lib/clock.ts';
import { controllerCluster, until } from '../support/controller-cluster.ts';
import { fixtureContext, type RecordedWrite } from '../support/controller-fixture.ts';

const T0 = Date.parse('2024-05-01T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function job(spec: Record<string, unknown> = {}, status?: Record<string, unknown>): Resource {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default', uid: 'job-uid', resourceVersion: '10' },
    spec: {
      parallelism: 1,
      completions: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'job-uid' } },
      template: {
        metadata: { labels: { 'batch.kubernetes.io/controller-uid': 'job-uid', 'job-name': 'pi' } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] },
      },
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}

let podCounter = 0;
function pod(phase: string, extra: { index?: number; ready?: boolean; deleting?: boolean } = {}): Resource {
  const name = `pi-${(podCounter++).toString().padStart(5, '0')}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      creationTimestamp: iso(T0 - 60_000 + podCounter * 1000),
      labels: extra.index !== undefined ? { [JOB_COMPLETION_INDEX]: String(extra.index) } : {},
      annotations: extra.index !== undefined ? { [JOB_COMPLETION_INDEX]: String(extra.index) } : {},
      ownerReferences: [
        { apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'job-uid', controller: true },
      ],
      ...(extra.deleting ? { deletionTimestamp: iso(T0) } : {}),
    },
    spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] },
    status: {
      phase,
      ...(extra.ready ? { conditions: [{ type: 'Ready', status: 'True' }] } : {}),
    },
  };
}

/** A controller over fixture objects, with a clock the test moves. */
function setup(objects: Resource[]) {
  const clock = new ManualClock(T0);
  const fixture = fixtureContext(objects, clock);
  const controller = new JobController(fixture.ctx);
  const of = (verb: RecordedWrite['verb'], kind = 'Pod') =>
    fixture.writes.filter((w) => w.verb === verb && w.kind === kind);
  const lastStatus = () => of('updateStatus', 'Job').at(-1)?.body as JobStatus | undefined;
  return {
    ...fixture,
    clock,
    controller,
    of,
    lastStatus,
    reconcile: () => controller.reconcile('default/pi'),
  };
}

const condition = (status: JobStatus | undefined, type: string) =>
  status?.conditions?.find((c) => c.type === type);

describe('job controller: reconcile', () => {
  it('creates pods from the template, never more than parallelism at once', async () => {
    const t = setup([job({ completions: 5, parallelism: 2 })]);
    expect(await t.reconcile()).toBeUndefined();
    const creates = t.of('create');
    expect(creates).toHaveLength(2);
    const created = creates[0].body as Resource;
    expect(created.metadata).toMatchObject({
      generateName: 'pi-',
      namespace: 'default',
      labels: { 'batch.kubernetes.io/controller-uid': 'job-uid', 'job-name': 'pi' },
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          name: 'pi',
          uid: 'job-uid',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
    expect(created.spec).toEqual({ restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] });
    expect(t.lastStatus()).toEqual({ startTime: iso(T0), active: 2, ready: 0, succeeded: 0, failed: 0 });
    expect(t.events.map((e) => e.reason)).toEqual(['SuccessfulCreate', 'SuccessfulCreate']);

    // The cache has not shown the new pods yet: nothing is created again.
    t.writes.length = 0;
    await t.reconcile();
    expect(t.of('create')).toHaveLength(0);
  });

  it('keeps at most completions − succeeded pods active, deleting the least useful', async () => {
    const running = pod('Running', { ready: true });
    const pending = pod('Pending');
    const t = setup([
      job({ completions: 3, parallelism: 2 }, { startTime: iso(T0) }),
      pod('Succeeded'),
      pod('Succeeded'),
      running,
      pending,
    ]);
    await t.reconcile();
    expect(t.of('create')).toHaveLength(0);
    expect(t.of('delete').map((w) => w.name)).toEqual([pending.metadata.name]);
    expect(t.lastStatus()).toMatchObject({ active: 1, ready: 1, succeeded: 2, failed: 0 });
  });

  it('backs off 10 s, 20 s, 40 s before recreating failed pods', async () => {
    const t = setup([job({}, { startTime: iso(T0) }), pod('Failed')]);
    expect(await t.reconcile()).toEqual({ requeueAfterMs: 10_000 });
    expect(t.of('create')).toHaveLength(0);
    expect(t.lastStatus()).toMatchObject({ failed: 1, active: 0 });

    for (const [failures, delay] of [
      [2, 20_000],
      [3, 40_000],
    ]) {
      t.clock.advance(delay / 2 - 1);
      await t.reconcile();
      expect(t.of('create')).toHaveLength(failures - 2);
      t.clock.advance(1);
      await t.reconcile();
      const creates = t.of('create');
      expect(creates).toHaveLength(failures - 1);
      // The "kubelet": the new pod runs and fails.
      const created = creates.at(-1)!.body as Resource;
      t.cache('Pod').set({ ...created, status: { phase: 'Failed' } });
      expect(await t.reconcile()).toEqual({ requeueAfterMs: delay });
      expect(t.lastStatus()).toMatchObject({ failed: failures, active: 0 });
    }
  });

  it('counts each ended pod once, and keeps counting pods that are gone', async () => {
    const failedPod = pod('Failed');
    const t = setup([job({ completions: 3 }, { startTime: iso(T0) }), failedPod, pod('Succeeded')]);
    await t.reconcile();
    expect(t.lastStatus()).toMatchObject({ failed: 1, succeeded: 1 });
    t.clock.advance(10_000);
    await t.reconcile();
    await t.reconcile();
    expect(t.lastStatus()).toMatchObject({ failed: 1, succeeded: 1 });
    // The failed pod is deleted (by someone): it stays counted.
    t.cache('Pod').delete('default/' + failedPod.metadata.name);
    await t.reconcile();
    expect(t.lastStatus()).toMatchObject({ failed: 1, succeeded: 1 });
  });

  it('fails the job with BackoffLimitExceeded when failed > backoffLimit and deletes active pods', async () => {
    const active = pod('Running');
    const t = setup([
      job({ backoffLimit: 1, parallelism: 2, completions: 4 }, { startTime: iso(T0), failed: 1 }),
      pod('Failed'),
      pod('Failed'),
      active,
    ]);
    await t.reconcile();
    const status = t.lastStatus()!;
    expect(condition(status, 'Failed')).toMatchObject({
      status: 'True',
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
      lastTransitionTime: iso(T0),
    });
    expect(condition(status, 'FailureTarget')).toMatchObject({
      status: 'True',
      reason: 'BackoffLimitExceeded',
    });
    expect(status).toMatchObject({ failed: 3, active: 0 });
    expect(status.completionTime).toBeUndefined();
    expect(t.of('delete')).toEqual([
      { verb: 'delete', kind: 'Pod', name: active.metadata.name, namespace: 'default', body: undefined },
    ]);
    expect(t.of('create')).toHaveLength(0);
    expect(t.events.map((e) => [e.type, e.reason])).toEqual([
      ['Warning', 'BackoffLimitExceeded'],
      ['Normal', 'SuccessfulDelete'],
    ]);
    // Finished: nothing more happens.
    t.writes.length = 0;
    await t.reconcile();
    expect(t.writes).toEqual([]);
  });

  it('fails the job with DeadlineExceeded activeDeadlineSeconds after startTime', async () => {
    const active = pod('Running');
    const t = setup([
      job(
        { activeDeadlineSeconds: 60 },
        { startTime: iso(T0), active: 1, ready: 0, succeeded: 0, failed: 0 },
      ),
      active,
    ]);
    t.clock.set(T0 + 30_000);
    expect(await t.reconcile()).toEqual({ requeueAfterMs: 30_000 });
    expect(t.writes).toEqual([]);
    t.clock.set(T0 + 60_000);
    await t.reconcile();
    expect(condition(t.lastStatus(), 'Failed')).toMatchObject({
      status: 'True',
      reason: 'DeadlineExceeded',
      message: 'Job was active longer than specified deadline',
    });
    expect(t.lastStatus()).toMatchObject({ failed: 1, active: 0 });
    expect(t.of('delete').map((w) => w.name)).toEqual([active.metadata.name]);
    expect(t.events.map((e) => e.reason)).toEqual(['DeadlineExceeded', 'SuccessfulDelete']);
  });

  it('completes when succeeded reaches completions', async () => {
    const t = setup([
      job({ completions: 2, parallelism: 2 }, { startTime: iso(T0), active: 1, succeeded: 1 }),
      pod('Succeeded'),
      pod('Succeeded'),
    ]);
    t.clock.set(T0 + 5000);
    await t.reconcile();
    const status = t.lastStatus()!;
    expect(condition(status, 'Complete')).toMatchObject({
      status: 'True',
      lastTransitionTime: iso(T0 + 5000),
    });
    expect(condition(status, 'SuccessCriteriaMet')).toMatchObject({ status: 'True' });
    expect(status).toMatchObject({ succeeded: 2, active: 0, completionTime: iso(T0 + 5000) });
    expect(t.events.map((e) => [e.type, e.reason, e.message])).toEqual([
      ['Normal', 'Completed', 'Job completed'],
    ]);
  });

  it('as a work queue (no completions), completes once a pod succeeded and none is active', async () => {
    const running = pod('Running');
    const t = setup([
      job({ completions: undefined, parallelism: 2 }, { startTime: iso(T0) }),
      pod('Succeeded'),
      running,
    ]);
    await t.reconcile();
    expect(t.of('create')).toHaveLength(0);
    expect(condition(t.lastStatus(), 'Complete')).toBeUndefined();
    t.cache('Pod').set({ ...running, status: { phase: 'Succeeded' } });
    await t.reconcile();
    expect(condition(t.lastStatus(), 'Complete')).toMatchObject({ status: 'True' });
    expect(t.lastStatus()).toMatchObject({ succeeded: 2 });
  });

  it('suspends (deleting active pods, not as failures) and resumes with a new startTime', async () => {
    const active = pod('Running');
    const t = setup([
      job({ suspend: true, parallelism: 1 }, { startTime: iso(T0 - 10_000), active: 1 }),
      active,
    ]);
    await t.reconcile();
    expect(t.of('delete').map((w) => w.name)).toEqual([active.metadata.name]);
    expect(condition(t.lastStatus(), 'Suspended')).toMatchObject({ status: 'True', reason: 'JobSuspended' });
    expect(t.lastStatus()).toMatchObject({ active: 0, failed: 0 });
    expect(t.events.map((e) => e.reason)).toEqual(['SuccessfulDelete', 'Suspended']);

    // The pod goes; the job is resumed.
    t.cache('Pod').delete('default/' + active.metadata.name);
    const suspended = t.cache('Job').get('default/pi')!;
    t.cache('Job').set({ ...suspended, spec: { ...(suspended.spec as object), suspend: false } });
    t.clock.set(T0 + 1000);
    await t.reconcile();
    expect(t.of('create')).toHaveLength(1);
    expect(condition(t.lastStatus(), 'Suspended')).toMatchObject({ status: 'False', reason: 'JobResumed' });
    expect(t.lastStatus()).toMatchObject({ startTime: iso(T0 + 1000), active: 1, failed: 0 });
  });

  it('deletes a finished job ttlSecondsAfterFinished after it finished', async () => {
    const done = {
      startTime: iso(T0 - 60_000),
      completionTime: iso(T0),
      succeeded: 1,
      conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: iso(T0) }],
    };
    const t = setup([job({ ttlSecondsAfterFinished: 100 }, done)]);
    t.clock.set(T0 + 40_000);
    expect(await t.reconcile()).toEqual({ requeueAfterMs: 60_000 });
    expect(t.writes).toEqual([]);
    t.clock.set(T0 + 100_000);
    await t.reconcile();
    expect(t.writes).toEqual([
      {
        verb: 'delete',
        kind: 'Job',
        name: 'pi',
        namespace: 'default',
        body: { propagationPolicy: 'Background' },
      },
    ]);
  });

  it('runs Indexed jobs with one pod per index not completed', async () => {
    const t = setup([
      job({ completionMode: 'Indexed', completions: 4, parallelism: 2 }, { startTime: iso(T0) }),
      pod('Succeeded', { index: 0 }),
      pod('Running', { index: 1 }),
    ]);
    await t.reconcile();
    const created = t.of('create').map((w) => w.body as Resource);
    expect(created).toHaveLength(1);
    expect(created[0].metadata).toMatchObject({
      generateName: 'pi-2-',
      labels: { [JOB_COMPLETION_INDEX]: '2' },
      annotations: { [JOB_COMPLETION_INDEX]: '2' },
    });
    expect(created[0].spec).toMatchObject({
      hostname: 'pi-2',
      containers: [{ env: [{ name: 'JOB_COMPLETION_INDEX' }] }],
    });
    expect(t.lastStatus()).toMatchObject({ succeeded: 1, completedIndexes: '0', active: 2 });
  });
});

describe('job controller: against a server', () => {
  const env = controllerCluster([jobControllerWith({ backoffBaseMs: 50 })]);
  let writer: ResourceWriter;
  let kubelet: Informer;
  /** Pods by job name, and the most active at once. */
  const seen = new Map<string, { pods: Set<string>; maxActive: number }>();

  beforeAll(async () => {
    writer = env.writer;
    // No node agent exists yet: the test plays the kubelet. Each pod runs for a moment,
    // then ends as its job's `kubeql.test/outcome` label says.
    kubelet = createInformer(env.client, 'Pod', { namespace: 'default' }, { onError: () => {} });
    kubelet.addEventHandler({
      onAdd: (pod) => {
        const jobName = pod.metadata.labels?.['job-name'];
        if (!jobName || (pod.status as { phase?: string })?.phase !== 'Pending') return;
        const entry = seen.get(jobName) ?? { pods: new Set(), maxActive: 0 };
        seen.set(jobName, entry);
        entry.pods.add(pod.metadata.name!);
        const active = kubelet
          .list('default')
          .filter(
            (p) =>
              p.metadata.labels?.['job-name'] === jobName &&
              !['Succeeded', 'Failed'].includes((p.status as { phase?: string })?.phase ?? ''),
          ).length;
        entry.maxActive = Math.max(entry.maxActive, active);
        const outcome = pod.metadata.labels?.['kubeql.test/outcome'] ?? 'Succeeded';
        setTimeout(() => {
          void writer
            .updateStatus(pod, { ...(pod.status as object), phase: 'Running' })
            .then((running) =>
              writer.updateStatus(running, { ...(running.status as object), phase: outcome }),
            )
            .catch(() => {});
        }, 30);
      },
    });
    kubelet.start();
    await kubelet.waitForSync();
  });
  afterAll(async () => {
    await kubelet?.stop();
  });

  const createJob = (name: string, spec: Record<string, unknown>, outcome: string) =>
    writer.create<Resource>({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, namespace: 'default' },
      spec: {
        ...spec,
        template: {
          metadata: { labels: { 'kubeql.test/outcome': outcome } },
          spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox' }] },
        },
      },
    });

  const finished = (name: string, type: string) =>
    until(async () => {
      const found = await env.client.get('Job', name, 'default');
      return condition(found?.status as JobStatus | undefined, type) ? found! : undefined;
    });

  it('runs a job of 3 completions 2 at a time to Complete, and one always failing to BackoffLimitExceeded', async () => {
    await createJob('three', { completions: 3, parallelism: 2 }, 'Succeeded');
    await createJob('doomed', { backoffLimit: 1 }, 'Failed');

    const three = await finished('three', 'Complete');
    expect(three.status).toMatchObject({ succeeded: 3, failed: 0, active: 0 });
    expect((three.status as { completionTime?: string }).completionTime).toBeTruthy();
    expect(seen.get('three')!.pods.size).toBe(3);
    expect(seen.get('three')!.maxActive).toBeLessThanOrEqual(2);

    const doomed = await finished('doomed', 'Failed');
    expect(condition(doomed.status as JobStatus | undefined, 'Failed')).toMatchObject({
      reason: 'BackoffLimitExceeded',
    });
    expect(doomed.status).toMatchObject({ failed: 2, active: 0 });
    expect(seen.get('doomed')!.pods.size).toBe(2);

    const events = await until(async () => {
      const { items } = await env.client.list('Event', { namespace: 'default' });
      const reasons = items.map((e) => `${(e.involvedObject as { name: string }).name}:${e.reason}`);
      return reasons.includes('three:Completed') && reasons.includes('doomed:BackoffLimitExceeded')
        ? reasons
        : undefined;
    });
    expect(events).toContain('three:SuccessfulCreate');
  });
});
