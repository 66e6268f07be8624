import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '../../client/index.ts';
import { jobControllerWith } from '../../agent/controllers/job.ts';
import { JOB_COMPLETION_INDEX } from '../../agent/controllers/job/completion-index.ts';
import { JOB_INDEX_FAILURE_COUNT } from '../../agent/controllers/job/index-failures.ts';
import { namespaceController } from '../../agent/controllers/namespace.ts';
import { serviceAccountController } from '../../agent/controllers/service-account.ts';
import type { Job } from '../../schema/kinds/job.ts';
import {
  condition,
  events,
  pods,
  startE2ECluster,
  until,
  type E2ECluster,
  type PodObject,
} from '../support/e2e.ts';

// The Job controller's failure and success policies on a hollow cluster, through the
// GraphQL endpoint: podFailurePolicy (FailJob, Ignore), backoffLimitPerIndex with
// failedIndexes, successPolicy. Containers end by their command (`sh -c "exit 42"`), or
// run until the test makes a hollow node end them with the exit code it wants.

type JobObject = Job & Resource;

let e: E2ECluster;
beforeAll(async () => {
  e = await startE2ECluster({
    nodes: 2,
    controllers: [namespaceController, serviceAccountController, jobControllerWith({ backoffBaseMs: 100 })],
  });
});
afterAll(() => e?.stop());

function job(ns: string, name: string, spec: Record<string, unknown>, command = ['sleep', '3600']) {
  return e.writer.create<JobObject>({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: ns },
    spec: {
      ...spec,
      template: {
        metadata: { labels: { job: name } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1', command }] },
      },
    },
  } as JobObject);
}

/** The Job once its condition `type` is True. */
function finished(ns: string, name: string, type: 'Complete' | 'Failed') {
  return until(
    async () => {
      const found = await e.api.get<JobObject>('Job', name, ns);
      return condition(found, type)?.status === 'True' && found;
    },
    `Job ${name} to be ${type}`,
    20_000,
  );
}

/** Ends the running container of the one pod whose name starts with `prefix`, with `exitCode`. */
async function endPod(prefix: string, exitCode: number): Promise<void> {
  await until(
    () =>
      e.hollow.nodes.reduce(
        (ended, node) => ended + node.failContainers((pod) => pod.name.startsWith(prefix), exitCode),
        0,
      ) > 0,
    `a running pod ${prefix}*`,
  );
}

/** The Job's pods, once there are `count` of them. */
function podsOf(ns: string, name: string, count: number) {
  return until(async () => {
    const found = await pods(e.api, ns, `job=${name}`);
    return found.length === count && found;
  }, `${count} pods of ${name}`);
}

const index = (pod: PodObject) => Number(pod.metadata.annotations?.[JOB_COMPLETION_INDEX]);

describe('podFailurePolicy', () => {
  it('FailJob: a container exiting 42 fails the Job at once, with the rule in its message', async () => {
    const ns = await e.namespace('failjob');
    await job(
      ns,
      'answer',
      {
        backoffLimit: 6,
        podFailurePolicy: {
          rules: [
            { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
          ],
        },
      },
      ['sh', '-c', 'exit 42'],
    );
    const failed = await finished(ns, 'answer', 'Failed');
    const [pod] = await podsOf(ns, 'answer', 1);
    const message = `Container main for pod ${ns}/${pod.metadata.name} failed with exit code 42 matching FailJob rule at index 0`;
    expect(condition(failed, 'FailureTarget')).toMatchObject({
      status: 'True',
      reason: 'PodFailurePolicy',
      message,
    });
    expect(condition(failed, 'Failed')).toMatchObject({
      status: 'True',
      reason: 'PodFailurePolicy',
      message,
    });
    expect(failed.status?.conditions?.map((c) => c.type)).toEqual(['FailureTarget', 'Failed']);
    expect(failed.status).toMatchObject({ failed: 1, active: 0 });
    expect(pod.status?.containerStatuses?.[0].state?.terminated?.exitCode).toBe(42);
    // Not retried: backoffLimit 6 would have allowed six more pods.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await pods(e.api, ns, 'job=answer')).toHaveLength(1);
    const warnings = (await events(e.api, ns, 'answer')).filter((ev) => ev.reason === 'PodFailurePolicy');
    expect(warnings.map((ev) => [ev.type, ev.message])).toEqual([['Warning', message]]);
  });

  it('Ignore: a matching failure is replaced without counting toward backoffLimit; others count', async () => {
    const ns = await e.namespace('ignore');
    await job(ns, 'flaky', {
      backoffLimit: 0,
      podFailurePolicy: { rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [7] } }] },
    });
    await endPod('flaky-', 7);
    // backoffLimit 0, yet a replacement comes and nothing is counted.
    const both = await podsOf(ns, 'flaky', 2);
    expect(both.map((pod) => pod.status?.phase === 'Failed').sort()).toEqual([false, true]);
    const second = both.find((pod) => pod.status?.phase !== 'Failed')!;
    const running = await e.api.get<JobObject>('Job', 'flaky', ns);
    expect(condition(running, 'Failed')).toBeUndefined();
    expect(running?.status?.failed ?? 0).toBe(0);

    // Exit 1 matches no rule: it counts, and with backoffLimit 0 that fails the Job.
    await endPod(second.metadata.name!, 1);
    const failed = await finished(ns, 'flaky', 'Failed');
    expect(condition(failed, 'Failed')).toMatchObject({ reason: 'BackoffLimitExceeded' });
    expect(failed.status).toMatchObject({ failed: 1, active: 0 });
    expect(await pods(e.api, ns, 'job=flaky')).toHaveLength(2);
  });
});

describe('backoffLimitPerIndex', () => {
  it('retries each index on its own, lists failed indexes, and fails with FailedIndexes once all ended', async () => {
    const ns = await e.namespace('perindex');
    await job(ns, 'shards', {
      completionMode: 'Indexed',
      completions: 3,
      parallelism: 3,
      backoffLimitPerIndex: 1,
    });
    const firsts = await podsOf(ns, 'shards', 3);
    expect(firsts.map((pod) => pod.metadata.annotations?.[JOB_INDEX_FAILURE_COUNT])).toEqual(['0', '0', '0']);
    await endPod('shards-0-', 0);
    await endPod('shards-1-', 3);
    // Index 1 is retried once (its replacement carries the failure count); the others are not.
    const firstOfIndex1 = firsts.find((pod) => index(pod) === 1)!.metadata.name;
    const retried = await until(async () => {
      const all = await pods(e.api, ns, 'job=shards');
      return all.find((pod) => index(pod) === 1 && pod.metadata.name !== firstOfIndex1);
    }, 'the replacement of index 1');
    expect(retried.metadata.annotations?.[JOB_INDEX_FAILURE_COUNT]).toBe('1');
    const midway = await until(async () => {
      const j = await e.api.get<JobObject>('Job', 'shards', ns);
      return j?.status?.failed === 1 && j?.status?.completedIndexes === '0' && j;
    }, 'index 0 done and one failure counted');
    expect(midway.status?.failedIndexes).toBe('');
    expect(condition(midway, 'Failed')).toBeUndefined();

    await endPod(retried.metadata.name!, 3);
    // Index 1 has failed for good; index 2 still runs, so the Job is not over yet.
    await until(async () => {
      const j = await e.api.get<JobObject>('Job', 'shards', ns);
      return j?.status?.failedIndexes === '1' && j;
    }, 'index 1 to fail');
    expect(condition(await e.api.get<JobObject>('Job', 'shards', ns), 'Failed')).toBeUndefined();
    expect((await pods(e.api, ns, 'job=shards')).filter((pod) => index(pod) === 1)).toHaveLength(2);

    await endPod('shards-2-', 0);
    const failed = await finished(ns, 'shards', 'Failed');
    expect(condition(failed, 'Failed')).toMatchObject({
      reason: 'FailedIndexes',
      message: 'Job has failed indexes',
    });
    expect(failed.status).toMatchObject({
      failedIndexes: '1',
      completedIndexes: '0,2',
      succeeded: 2,
      failed: 2,
    });
  });

  it('fails the Job with MaxFailedIndexesExceeded past maxFailedIndexes, stopping the other indexes', async () => {
    const ns = await e.namespace('maxfailed');
    await job(ns, 'brittle', {
      completionMode: 'Indexed',
      completions: 3,
      parallelism: 3,
      backoffLimitPerIndex: 0,
      maxFailedIndexes: 0,
    });
    await podsOf(ns, 'brittle', 3);
    await endPod('brittle-1-', 1);
    const failed = await finished(ns, 'brittle', 'Failed');
    expect(condition(failed, 'Failed')).toMatchObject({
      reason: 'MaxFailedIndexesExceeded',
      message: 'Job has exceeded the specified maximal number of failed indexes',
    });
    expect(failed.status).toMatchObject({ failedIndexes: '1', active: 0 });
    await until(async () => {
      const left = await pods(e.api, ns, 'job=brittle');
      return left.every((pod) => index(pod) === 1);
    }, 'the pods of the other indexes to be deleted');
  });
});

describe('successPolicy', () => {
  it('completes an Indexed Job early once its rule is met, deleting the pods still running', async () => {
    const ns = await e.namespace('success');
    await job(ns, 'leader', {
      completionMode: 'Indexed',
      completions: 4,
      parallelism: 4,
      successPolicy: { rules: [{ succeededIndexes: '0' }] },
    });
    await podsOf(ns, 'leader', 4);
    await endPod('leader-0-', 0);
    const done = await finished(ns, 'leader', 'Complete');
    expect(condition(done, 'SuccessCriteriaMet')).toMatchObject({
      status: 'True',
      reason: 'SuccessPolicy',
      message: 'Matched rules at index 0',
    });
    expect(condition(done, 'Complete')).toMatchObject({
      reason: 'SuccessPolicy',
      message: 'Matched rules at index 0',
    });
    expect(done.status).toMatchObject({ completedIndexes: '0', succeeded: 1, failed: 0, active: 0 });
    expect(done.status?.completionTime).toBeTruthy();
    await until(async () => {
      const left = await pods(e.api, ns, 'job=leader');
      return left.length === 1 && index(left[0]) === 0;
    }, 'the other indexes to be deleted');
  });
});
