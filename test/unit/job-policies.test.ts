import { describe, expect, it } from 'vitest';
import { formatIndexes, parseIndexes } from '../../agent/controllers/job/completed-indexes.ts';
import { JOB_COMPLETION_INDEX } from '../../agent/controllers/job/completion-index.ts';
import {
  failedIndexes,
  indexBackoffRemaining,
  indexFailureAnnotations,
  JOB_INDEX_FAILURE_COUNT,
  JOB_INDEX_IGNORED_FAILURE_COUNT,
  lastFailures,
} from '../../agent/controllers/job/index-failures.ts';
import { failedIndexesFailure, failJobRuleFailure } from '../../agent/controllers/job/job-failure.ts';
import type { JobSpec } from '../../agent/controllers/job/job-status.ts';
import { isPodFailed } from '../../agent/controllers/job/pod-failed.ts';
import { matchPodFailurePolicy } from '../../agent/controllers/job/pod-failure-policy.ts';
import { planPods } from '../../agent/controllers/job/pod-plan.ts';
import { matchSuccessPolicy } from '../../agent/controllers/job/success-policy.ts';
import type { PodObject } from '../../agent/objects.ts';

// Unit tests of the Job controller's failure and success policies (agent/controllers/job/):
// podFailurePolicy matching, backoffLimitPerIndex bookkeeping, successPolicy rules.

const T0 = Date.parse('2024-05-01T10:00:00Z');

type Policy = NonNullable<JobSpec['podFailurePolicy']>;

function spec(extra: Partial<JobSpec> = {}): JobSpec {
  return {
    completions: 4,
    parallelism: 4,
    completionMode: 'Indexed',
    template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } },
    ...extra,
  } as JobSpec;
}

interface FailedPodOptions {
  name?: string;
  exitCodes?: Record<string, number>;
  initExitCodes?: Record<string, number>;
  conditions?: Array<{ type: string; status: string }>;
  index?: number;
  failures?: number;
  ignored?: number;
  finishedAt?: number;
  phase?: string;
}

function failedPod(o: FailedPodOptions = {}): PodObject {
  const terminated = (codes: Record<string, number> = {}) =>
    Object.entries(codes).map(([name, exitCode]) => ({
      name,
      state: { terminated: { exitCode, finishedAt: new Date(o.finishedAt ?? T0).toISOString() } },
    }));
  const annotations: Record<string, string> = {};
  if (o.index !== undefined) annotations[JOB_COMPLETION_INDEX] = String(o.index);
  if (o.failures !== undefined) annotations[JOB_INDEX_FAILURE_COUNT] = String(o.failures);
  if (o.ignored !== undefined) annotations[JOB_INDEX_IGNORED_FAILURE_COUNT] = String(o.ignored);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: o.name ?? 'job-0-abcde', namespace: 'ns', uid: o.name ?? 'uid', annotations },
    status: {
      phase: o.phase ?? 'Failed',
      containerStatuses: terminated(o.exitCodes ?? { main: 1 }),
      initContainerStatuses: terminated(o.initExitCodes),
      conditions: o.conditions,
    },
  } as PodObject;
}

const exitRule = (action: string, operator: 'In' | 'NotIn', values: number[], containerName?: string) => ({
  action,
  onExitCodes: { operator, values, ...(containerName ? { containerName } : {}) },
});
const conditionRule = (action: string, type: string, status = 'True') => ({
  action,
  onPodConditions: [{ type, status }],
});
const policy = (...rules: unknown[]) => ({ rules }) as Policy;

describe('podFailurePolicy: matching a failed pod', () => {
  it('FailJob on an exit code gives the message Kubernetes writes', () => {
    const pod = failedPod({ name: 'job-abcde', exitCodes: { main: 42 } });
    expect(matchPodFailurePolicy(policy(exitRule('FailJob', 'In', [42])), pod)).toEqual({
      action: 'FailJob',
      counts: true,
      message:
        'Container main for pod ns/job-abcde failed with exit code 42 matching FailJob rule at index 0',
    });
  });

  it('tries the rules in order: the first match decides', () => {
    const pod = failedPod({ exitCodes: { main: 3 } });
    const rules = policy(
      exitRule('Ignore', 'In', [1, 2]),
      exitRule('Count', 'In', [3]),
      exitRule('FailJob', 'NotIn', [0]),
    );
    expect(matchPodFailurePolicy(rules, pod)).toEqual({ action: 'Count', counts: true });
    expect(matchPodFailurePolicy(rules, failedPod({ exitCodes: { main: 2 } }))).toEqual({
      action: 'Ignore',
      counts: false,
    });
    expect(matchPodFailurePolicy(rules, failedPod({ exitCodes: { main: 9 } })).message).toBe(
      'Container main for pod ns/job-0-abcde failed with exit code 9 matching FailJob rule at index 2',
    );
  });

  it('NotIn matches non-zero codes outside the values; exit code 0 never matches', () => {
    const notIn = policy(exitRule('Ignore', 'NotIn', [1]));
    expect(matchPodFailurePolicy(notIn, failedPod({ exitCodes: { main: 1 } }))).toEqual({ counts: true });
    expect(matchPodFailurePolicy(notIn, failedPod({ exitCodes: { main: 7 } })).action).toBe('Ignore');
    expect(matchPodFailurePolicy(notIn, failedPod({ exitCodes: { main: 0 } })).action).toBeUndefined();
  });

  it('containerName restricts the match to that container, init containers included', () => {
    const pod = failedPod({ exitCodes: { main: 0, sidecar: 5 }, initExitCodes: { setup: 6 } });
    expect(matchPodFailurePolicy(policy(exitRule('Ignore', 'In', [5], 'main')), pod).action).toBeUndefined();
    expect(matchPodFailurePolicy(policy(exitRule('Ignore', 'In', [5], 'sidecar')), pod).action).toBe(
      'Ignore',
    );
    expect(matchPodFailurePolicy(policy(exitRule('FailJob', 'In', [6])), pod).message).toContain(
      'Container setup for pod',
    );
  });

  it('onPodConditions matches a condition of that type and status (True unless given)', () => {
    const evicted = failedPod({ conditions: [{ type: 'DisruptionTarget', status: 'True' }] });
    expect(matchPodFailurePolicy(policy(conditionRule('Ignore', 'DisruptionTarget')), evicted)).toEqual({
      action: 'Ignore',
      counts: false,
    });
    expect(
      matchPodFailurePolicy(policy(conditionRule('Ignore', 'DisruptionTarget', 'False')), evicted).action,
    ).toBeUndefined();
    expect(matchPodFailurePolicy(policy(conditionRule('FailJob', 'DisruptionTarget')), evicted).message).toBe(
      'Pod ns/job-0-abcde has condition DisruptionTarget matching FailJob rule at index 0',
    );
  });

  it('without a policy or a match, a failure counts', () => {
    expect(matchPodFailurePolicy(undefined, failedPod())).toEqual({ counts: true });
    expect(matchPodFailurePolicy(policy(exitRule('FailJob', 'In', [42])), failedPod())).toEqual({
      counts: true,
    });
  });

  it('a FailJob match among the failed pods fails the Job with reason PodFailurePolicy', () => {
    const s = spec({ podFailurePolicy: policy(exitRule('FailJob', 'In', [42])) });
    expect(failJobRuleFailure(s, [failedPod({ exitCodes: { main: 1 } })])).toBeUndefined();
    expect(failJobRuleFailure(s, [failedPod(), failedPod({ exitCodes: { main: 42 } })])).toEqual({
      reason: 'PodFailurePolicy',
      message:
        'Container main for pod ns/job-0-abcde failed with exit code 42 matching FailJob rule at index 0',
    });
  });

  it('with a policy, a pod being deleted has not failed until its phase says so', () => {
    const deleting = { ...failedPod({ phase: 'Running' }) };
    deleting.metadata = { ...deleting.metadata, deletionTimestamp: new Date(T0).toISOString() };
    expect(isPodFailed(deleting, spec(), false)).toBe(true);
    expect(
      isPodFailed(deleting, spec({ podFailurePolicy: policy(exitRule('Ignore', 'In', [1])) }), false),
    ).toBe(false);
    expect(
      isPodFailed(deleting, spec({ podFailurePolicy: policy(exitRule('Ignore', 'In', [1])) }), true),
    ).toBe(true);
  });
});

describe('backoffLimitPerIndex', () => {
  it('an index fails once a counted failure comes after backoffLimitPerIndex others, or on FailIndex', () => {
    const s = spec({ backoffLimitPerIndex: 1 });
    expect(failedIndexes(s, undefined, [failedPod({ index: 1, failures: 0 })], 4)).toEqual(new Set());
    expect(failedIndexes(s, '3', [failedPod({ index: 1, failures: 1 })], 4)).toEqual(new Set([1, 3]));
    const failIndex = spec({
      backoffLimitPerIndex: 5,
      podFailurePolicy: policy(exitRule('FailIndex', 'In', [42]), exitRule('Ignore', 'In', [2])),
    });
    expect(
      failedIndexes(failIndex, undefined, [failedPod({ index: 2, exitCodes: { main: 42 } })], 4),
    ).toEqual(new Set([2]));
    // An ignored failure never fails the index, however many came before.
    expect(
      failedIndexes(failIndex, undefined, [failedPod({ index: 0, failures: 9, exitCodes: { main: 2 } })], 4),
    ).toEqual(new Set());
  });

  it('a replacement carries its index failure counts on from the last failed pod', () => {
    const s = spec({ backoffLimitPerIndex: 3, podFailurePolicy: policy(exitRule('Ignore', 'In', [2])) });
    expect(indexFailureAnnotations(s, undefined)).toEqual({ [JOB_INDEX_FAILURE_COUNT]: '0' });
    expect(indexFailureAnnotations(s, failedPod({ failures: 1 }))).toEqual({
      [JOB_INDEX_FAILURE_COUNT]: '2',
    });
    expect(indexFailureAnnotations(s, failedPod({ failures: 1, exitCodes: { main: 2 } }))).toEqual({
      [JOB_INDEX_FAILURE_COUNT]: '1',
      [JOB_INDEX_IGNORED_FAILURE_COUNT]: '1',
    });
  });

  it('the last failure of an index is the one with the most failures before it', () => {
    const first = failedPod({ name: 'a', index: 0, failures: 0, finishedAt: T0 + 5000 });
    const second = failedPod({ name: 'b', index: 0, failures: 1, finishedAt: T0 });
    const other = failedPod({ name: 'c', index: 2, failures: 0 });
    const last = lastFailures([first, second, other], 4);
    expect(last.get(0)?.metadata.name).toBe('b');
    expect(last.get(2)?.metadata.name).toBe('c');
    expect(last.has(1)).toBe(false);
  });

  it('backs off per index: base × 2^(failures − 1) from the last failure, capped', () => {
    const limits = { baseMs: 10_000, maxMs: 60_000 };
    expect(indexBackoffRemaining(undefined, T0, limits)).toBe(0);
    expect(indexBackoffRemaining(failedPod({ failures: 0 }), T0, limits)).toBe(10_000);
    expect(indexBackoffRemaining(failedPod({ failures: 2 }), T0 + 1000, limits)).toBe(39_000);
    expect(indexBackoffRemaining(failedPod({ failures: 9 }), T0, limits)).toBe(60_000);
    expect(indexBackoffRemaining(failedPod({ failures: 0 }), T0 + 10_000, limits)).toBe(0);
  });

  it('fails the Job past maxFailedIndexes, or with FailedIndexes once every index ended', () => {
    const s = spec({ backoffLimitPerIndex: 1, maxFailedIndexes: 1 });
    expect(failedIndexesFailure(s, new Set([0]), new Set([1]))).toBeUndefined();
    expect(failedIndexesFailure(s, new Set([0, 3]), new Set())).toEqual({
      reason: 'MaxFailedIndexesExceeded',
      message: 'Job has exceeded the specified maximal number of failed indexes',
    });
    expect(failedIndexesFailure(s, new Set([0]), new Set([1, 2, 3]))).toEqual({
      reason: 'FailedIndexes',
      message: 'Job has failed indexes',
    });
    expect(
      failedIndexesFailure(spec({ backoffLimitPerIndex: 1 }), new Set(), new Set([0, 1, 2, 3])),
    ).toBeUndefined();
  });

  it('plans no pod for a failed index and holds back indexes still backing off', () => {
    const waits: Record<number, number> = { 0: 0, 1: 3000, 2: 0, 3: 0 };
    const plan = planPods({
      spec: spec({ parallelism: 3, backoffLimitPerIndex: 2 }),
      active: [],
      succeeded: 0,
      completed: new Set(),
      failed: new Set([2]),
      backoffWaitMs: 0,
      indexBackoffMs: (index) => waits[index],
    });
    expect(plan.toCreate).toEqual([0, 3]);
    expect(plan.requeueAfterMs).toBe(3000);
  });
});

describe('successPolicy', () => {
  const rules = (...r: Array<{ succeededIndexes?: string; succeededCount?: number }>) => ({ rules: r });

  it('succeededIndexes: met when all of them succeeded', () => {
    const p = rules({ succeededIndexes: '0,2-3' });
    expect(matchSuccessPolicy(p, 5, new Set([0, 2]))).toBeUndefined();
    expect(matchSuccessPolicy(p, 5, new Set([0, 2, 3]))).toBe('Matched rules at index 0');
  });

  it('succeededCount alone, or of the succeededIndexes; the first rule met is named', () => {
    const p = rules({ succeededIndexes: '0-3', succeededCount: 2 }, { succeededCount: 3 });
    expect(matchSuccessPolicy(p, 10, new Set([0, 7]))).toBeUndefined();
    expect(matchSuccessPolicy(p, 10, new Set([1, 3]))).toBe('Matched rules at index 0');
    expect(matchSuccessPolicy(p, 10, new Set([5, 7, 9]))).toBe('Matched rules at index 1');
  });

  it('is never met before an index succeeded, nor without a policy', () => {
    expect(matchSuccessPolicy(rules({ succeededCount: 0 }), 3, new Set())).toBeUndefined();
    expect(matchSuccessPolicy(undefined, 3, new Set([0, 1, 2]))).toBeUndefined();
  });
});

describe('index range lists', () => {
  it('are written as Kubernetes writes them: runs of three as ranges, pairs as two indexes', () => {
    expect(formatIndexes([5, 1, 3, 4, 7, 8, 9])).toBe('1,3-5,7-9');
    expect(formatIndexes([0, 1, 4])).toBe('0,1,4');
    expect(formatIndexes([])).toBe('');
    expect(parseIndexes('1,3-5,9', 6)).toEqual(new Set([1, 3, 4, 5]));
  });
});
