import { isCode, keyOf, messageOf, type Informer } from '../../client/index.ts';
import { setCondition } from '../conditions.ts';
import { enqueueSelf } from '../informers.ts';
import type { PodObject } from '../objects.ts';
import { isPodActive, isPodReady } from '../pod-state.ts';
import { timestamp } from '../timestamps.ts';
import { ReconcilingController, type ControllerContext, type ControllerFactory } from './controller.ts';
import { controllerRef } from './controller-ref.ts';
import { completedIndexes, formatIndexes } from './job/completed-indexes.ts';
import { DeletedPods } from './job/deleted-pods.ts';
import { countEndedPods, type EndedPods } from './job/ended-pods.ts';
import { backoffRemaining, type BackoffLimits } from './job/failure-backoff.ts';
import {
  failedIndexes,
  indexBackoffRemaining,
  indexFailureAnnotations,
  lastFailures,
} from './job/index-failures.ts';
import {
  failedIndexesFailure,
  failJobRuleFailure,
  jobFailure,
  untilDeadline,
  type JobFailure,
} from './job/job-failure.ts';
import { podFor } from './job/job-pod.ts';
import { JobRecord } from './job/job-record.ts';
import {
  finishedType,
  jobCondition,
  trueCondition,
  type JobObject,
  type JobSpec,
  type JobStatus,
} from './job/job-status.ts';
import { isPodFailed } from './job/pod-failed.ts';
import { planPods } from './job/pod-plan.ts';
import { matchSuccessPolicy } from './job/success-policy.ts';
import { PendingWrites } from './pending-writes.ts';
import { earliest, type ReconcileResult } from './reconcile-loop.ts';
import { slowStartBatch } from './slow-start.ts';
import { WrittenStatuses } from './written-status.ts';

export interface JobControllerOptions {
  /** Back-off before recreating pods after the first failure, doubling per failure since the last success (10 s). */
  backoffBaseMs?: number;
  /** The longest back-off (6 min). */
  backoffMaxMs?: number;
  workers?: number;
}

/** How long to wait for the Pod informer's first list before looking at a Job. */
const SYNC_WAIT_MS = 100;

/** What one pass over a Job works from (read at its start) and builds (`status`). */
interface JobPass {
  key: string;
  job: JobObject;
  spec: JobSpec;
  now: number;
  /** The status to start from: the stored one, or the one this controller last wrote over this version. */
  current: JobStatus;
  /** The status this pass writes: `current` as it changes. */
  status: JobStatus;
  /** The Job's pods in the cache (controller reference with its uid). */
  owned: PodObject[];
}

/** A pass over a Job that is not finished: its pods counted. */
interface RunningJobPass extends JobPass {
  record: JobRecord;
  /** The Job's pods deleted since the last pass, as last seen. */
  gone: PodObject[];
  ended: EndedPods;
  /** Its pods that failed, counted or not, in the cache or gone (not those it deleted itself). */
  failedPods: PodObject[];
  /** An Indexed Job's completed indexes. */
  completed?: Set<number>;
  /** With backoffLimitPerIndex: its failed indexes. */
  failedIndexes?: Set<number>;
  /** Its active pods, less those whose deletion this controller asked for. */
  active: PodObject[];
  /** Pods it created that the cache does not show yet. */
  creating: number;
}

/**
 * The Job controller, as Kubernetes' (job-controller): runs a Job's pods until enough
 * succeed, or it fails, and counts them in its status. See `reconcile`.
 */
export class JobController extends ReconcilingController {
  private readonly jobs: Informer<JobObject>;
  private readonly pods: Informer<PodObject>;
  private readonly backoff: BackoffLimits;
  private readonly pending: PendingWrites;
  private readonly written = new WrittenStatuses<JobStatus>();
  private readonly records = new Map<string, JobRecord>();
  private readonly deleted = new DeletedPods();

  constructor(ctx: ControllerContext, options: JobControllerOptions = {}) {
    super('job', ctx, { workers: options.workers });
    this.jobs = ctx.informers.get<JobObject>('Job');
    this.pods = ctx.informers.get<PodObject>('Pod');
    this.backoff = { baseMs: options.backoffBaseMs ?? 10_000, maxMs: options.backoffMaxMs ?? 6 * 60_000 };
    this.pending = new PendingWrites(ctx.clock);
  }

  /**
   * Brings the Job `namespace/name` to its desired state, as Kubernetes' syncJob:
   *
   * - Pods are the Job's when their controller reference has its uid; they are created
   *   from spec.template (podFor).
   * - Up to `parallelism` pods are active (pending or running, not being deleted) while
   *   fewer than `completions` succeeded; without completions (a work queue), none are
   *   added once one succeeded, and the Job completes when none is active. Indexed: one
   *   pod per index not yet completed (planPods).
   * - status.succeeded / failed count pods by uid, once each, added to the stored
   *   counts (pods that disappear keep counting; the first pass of a process takes the
   *   larger of the stored and the cached count). A pod ended with phase Failed, or
   *   deleted by someone else before it succeeded, is a failure; pods this controller
   *   deletes itself are not (except when it fails the Job: those are added).
   * - After a failure, pods are recreated only once the back-off has passed:
   *   backoffBaseMs × 2^(failures since the last success − 1), at most backoffMaxMs
   *   (10 s, 6 min); the pass asks to be called again then (requeueAfterMs).
   * - podFailurePolicy: a failed pod is matched against its rules in order
   *   (matchPodFailurePolicy); Ignore leaves it out of status.failed (it is replaced),
   *   FailIndex fails its index, Count (or no match) counts it.
   * - The Job fails, in this order of precedence: a failed pod matched a FailJob rule
   *   (PodFailurePolicy, the rule's message); failed > backoffLimit (or, with
   *   restartPolicy OnFailure, container restarts reaching it: BackoffLimitExceeded);
   *   activeDeadlineSeconds passed since status.startTime (DeadlineExceeded); with
   *   backoffLimitPerIndex, more failed indexes than maxFailedIndexes
   *   (MaxFailedIndexesExceeded), or every index ended and one failed (FailedIndexes).
   *   Then: conditions FailureTarget and Failed with that reason, active pods deleted and
   *   counted as failed, a Warning event of that reason.
   * - backoffLimitPerIndex (Indexed): each pod carries its index's counted failures so
   *   far (annotation batch.kubernetes.io/job-index-failure-count, carried on from the
   *   index's last failed pod); a counted failure of a pod whose index had already failed
   *   backoffLimitPerIndex times fails the index (status.failedIndexes), which is not run
   *   again. The back-off is per index, counted from its last failed pod.
   * - Enough successes: conditions SuccessCriteriaMet and Complete, completionTime,
   *   event Completed; leftover active pods are deleted. The reason is
   *   CompletionsReached, or SuccessPolicy when an Indexed Job's successPolicy is met
   *   first (matchSuccessPolicy: its message names the rule).
   * - suspend: active pods deleted, condition Suspended=True (event Suspended);
   *   resuming sets Suspended=False and restarts startTime (and so the deadline).
   * - A finished Job is deleted (Background) ttlSecondsAfterFinished after it finished.
   * - Nothing is created or deleted while earlier creations and deletions are not in
   *   the cache yet (PendingWrites): the pass is called again when they show.
   * - A Job gone: what the controller kept about it is dropped.
   *
   * Contract: idempotent (it reads the caches, writes the status only when it changed,
   * and creates or deletes only the difference, less the writes the cache does not show
   * yet); its time is `ctx.clock`'s. Not reentrant for one key: the loop never runs a
   * key twice at once, and what is kept between passes is per key. On error it throws
   * and the loop retries the key with back-off. A failed status write (a CONFLICT: the
   * Job's resourceVersion is its precondition) leaves the counting as it was, so the
   * retry counts the same pods again; pod creations or deletions that fail while the
   * Job runs are thrown once the status of what did happen is written. Events:
   * SuccessfulCreate, SuccessfulDelete, FailedCreate, FailedDelete, BackoffLimitExceeded,
   * DeadlineExceeded, Completed, Suspended, Resumed.
   */
  async reconcile(key: string): Promise<ReconcileResult | void> {
    const job = this.jobs.get(key);
    if (!job) return this.forget(key);
    if (!this.pods.hasSynced()) return { requeueAfterMs: SYNC_WAIT_MS };
    if (job.metadata.deletionTimestamp || !job.spec) return;
    const pass = this.begin(key, job, job.spec);
    if (finishedType(pass.status)) return this.cleanUpFinished(pass);

    const running = this.countPods(pass);
    const resumed = this.startOrResume(running);
    const failure =
      failJobRuleFailure(running.spec, running.failedPods) ??
      jobFailure(
        running.spec,
        running.status.startTime,
        running.ended.failedCount,
        running.active,
        running.now,
      ) ??
      (running.failedIndexes &&
        failedIndexesFailure(running.spec, running.failedIndexes, running.completed!));
    if (failure) return this.fail(running, failure);
    const successPolicy =
      running.completed &&
      matchSuccessPolicy(running.spec.successPolicy, running.spec.completions!, running.completed);
    if (successPolicy) return this.complete(running, 'SuccessPolicy', successPolicy);
    if (this.isComplete(running))
      return this.complete(running, 'CompletionsReached', 'Reached expected number of succeeded pods');
    if (running.spec.suspend === true) return this.suspend(running);
    return this.run(running, resumed);
  }

  protected register(): void {
    this.watch(
      this.jobs,
      enqueueSelf((job) => this.loop.enqueue(keyOf(job))),
    );
    this.watch(this.pods, {
      onAdd: (pod) => this.podEvent(pod, 'present'),
      onUpdate: (old, pod) => {
        if (controllerRef(old)?.uid !== controllerRef(pod)?.uid) this.podEvent(old, 'released');
        this.podEvent(pod, 'present');
      },
      onDelete: (pod) => this.podEvent(pod, 'deleted'),
    });
  }

  /** A pod event: settle the write it shows, keep a deleted pod's last state, look at its Job again. */
  private podEvent(pod: PodObject, event: 'present' | 'released' | 'deleted'): void {
    const ref = controllerRef(pod);
    if (ref?.kind !== 'Job' || !pod.metadata.namespace) return;
    const owner = `${pod.metadata.namespace}/${ref.name}`;
    this.pending.observe(owner, keyOf(pod), event === 'present' ? pod : undefined);
    if (event === 'deleted') this.deleted.add(owner, pod);
    this.loop.enqueue(owner);
  }

  /** The Job is gone: nothing kept about it is needed any more. */
  private forget(key: string): void {
    this.records.delete(key);
    this.deleted.forget(key);
    this.pending.forget(key);
    this.written.forget(key);
  }

  /** The record of the Job under `key`, a new one when the Job is (a namesake with another uid). */
  private recordOf(key: string, uid: string): JobRecord {
    let record = this.records.get(key);
    if (!record || record.uid !== uid) this.records.set(key, (record = new JobRecord(uid)));
    return record;
  }

  /** Reads what a pass starts from; writes seen in the cache are settled first. */
  private begin(key: string, job: JobObject, spec: JobSpec): JobPass {
    const uid = job.metadata.uid ?? '';
    const current: JobStatus = this.written.current(job) ?? {};
    this.pending.settle(key, this.pods);
    const owned = this.pods.byOwner(uid).filter((pod) => controllerRef(pod)?.uid === uid);
    return { key, job, spec, now: this.ctx.clock.now(), current, status: structuredClone(current), owned };
  }

  /** Counts the pods that ended into the status (succeeded, failed, completedIndexes) and finds the active ones. */
  private countPods(pass: JobPass): RunningJobPass {
    const { key, job, spec, owned, current, status, now } = pass;
    const uid = job.metadata.uid ?? '';
    const record = this.recordOf(key, uid);
    const ownedUids = new Set(owned.map((pod) => pod.metadata.uid));
    const gone = this.deleted
      .of(key)
      .filter((pod) => controllerRef(pod)?.uid === uid && !ownedUids.has(pod.metadata.uid));
    const ended = countEndedPods(spec, record, owned, gone, current, now);
    const failedPods = [...owned, ...gone].filter(
      (pod) =>
        !record.removed.has(pod.metadata.uid ?? '') &&
        isPodFailed(pod, spec, !ownedUids.has(pod.metadata.uid)),
    );
    let completed: Set<number> | undefined;
    let failed: Set<number> | undefined;
    if (spec.completionMode === 'Indexed' && spec.completions !== undefined) {
      completed = completedIndexes(current.completedIndexes, [...owned, ...gone], spec.completions);
      ended.succeededCount = completed.size;
      if (spec.backoffLimitPerIndex !== undefined)
        failed = failedIndexes(spec, current.failedIndexes, failedPods, spec.completions);
    }
    status.succeeded = ended.succeededCount;
    status.failed = ended.failedCount;
    if (completed) status.completedIndexes = formatIndexes(completed);
    if (failed) status.failedIndexes = formatIndexes(failed);
    const active = owned.filter((pod) => isPodActive(pod) && !this.pending.deleting(key, keyOf(pod)));
    return {
      ...pass,
      record,
      gone,
      ended,
      failedPods,
      completed,
      failedIndexes: failed,
      active,
      creating: this.pending.creating(key).length,
    };
  }

  /** Unless suspended: startTime is set, or restarted on resumption (Suspended=False). Whether it resumed. */
  private startOrResume(pass: RunningJobPass): boolean {
    const { spec, status, now } = pass;
    if (spec.suspend === true) return false;
    if (trueCondition(status, 'Suspended')) {
      this.setCondition(status, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
      status.startTime = timestamp(now);
      return true;
    }
    status.startTime ??= timestamp(now);
    return false;
  }

  /** Enough successes: completions reached, or (a work queue) one succeeded and none is left running. */
  private isComplete({ spec, ended, active, creating }: RunningJobPass): boolean {
    return spec.completions !== undefined
      ? ended.succeededCount >= spec.completions
      : ended.succeededCount > 0 && active.length === 0 && creating === 0;
  }

  /** Fails the Job: its active pods are deleted, and counted as failed. */
  private async fail(pass: RunningJobPass, { reason, message }: JobFailure): Promise<ReconcileResult | void> {
    const { job, status, active, now } = pass;
    status.failed = pass.ended.failedCount + active.length;
    status.active = 0;
    status.ready = 0;
    this.setCondition(status, 'FailureTarget', 'True', reason, message, now);
    this.setCondition(status, 'Failed', 'True', reason, message, now);
    await this.saveStatus(pass, active);
    this.ctx.events.record(job, 'Warning', reason, message);
    await this.deletePods(pass, active);
    return this.untilTtl(pass.spec);
  }

  /** Completes the Job (CompletionsReached or SuccessPolicy): leftover active pods are deleted, not as failures. */
  private async complete(
    pass: RunningJobPass,
    reason: 'CompletionsReached' | 'SuccessPolicy',
    message: string,
  ): Promise<ReconcileResult | void> {
    const { job, status, now } = pass;
    status.active = 0;
    status.ready = 0;
    status.completionTime = timestamp(now);
    this.setCondition(status, 'SuccessCriteriaMet', 'True', reason, message, now);
    this.setCondition(status, 'Complete', 'True', reason, message, now);
    await this.saveStatus(pass);
    this.ctx.events.record(job, 'Normal', 'Completed', 'Job completed');
    await this.deletePods(pass, pass.active);
    return this.untilTtl(pass.spec);
  }

  /** A Job that just finished is looked at again at once when it has a TTL, to time its deletion. */
  private untilTtl(spec: JobSpec): ReconcileResult | undefined {
    return spec.ttlSecondsAfterFinished !== undefined ? { requeueAfterMs: 0 } : undefined;
  }

  /** Suspends the Job: its active pods are deleted (not as failures), Suspended=True. */
  private async suspend(pass: RunningJobPass): Promise<ReconcileResult | void> {
    const { key, job, status, now } = pass;
    await this.deletePods(pass, pass.active);
    status.active = pass.creating;
    status.ready = 0;
    const changed = this.setCondition(status, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now);
    await this.saveStatus(pass);
    if (changed) this.ctx.events.record(job, 'Normal', 'Suspended', 'Job suspended');
    const wait = this.pending.expiresInMs(key);
    return wait !== undefined ? { requeueAfterMs: wait } : undefined;
  }

  /**
   * Runs the Job: brings its active pods to what it wants (planPods), once the cache
   * shows earlier writes; looks again by the back-off's end and the active deadline.
   */
  private async run(pass: RunningJobPass, resumed: boolean): Promise<ReconcileResult | void> {
    const { key, job, spec, status, active, creating, now } = pass;
    const perIndex = pass.failedIndexes !== undefined;
    const lastFailed = perIndex
      ? lastFailures(pass.failedPods, spec.completions!)
      : new Map<number, PodObject>();
    const plan = this.pending.satisfied(key)
      ? planPods({
          spec,
          active,
          succeeded: pass.ended.succeededCount,
          completed: pass.completed,
          failed: pass.failedIndexes,
          backoffWaitMs: perIndex ? 0 : backoffRemaining(pass.ended.backoff, now, this.backoff),
          indexBackoffMs: perIndex
            ? (index) => indexBackoffRemaining(lastFailed.get(index), now, this.backoff)
            : undefined,
        })
      : { toDelete: [], toCreate: [], requeueAfterMs: this.pending.expiresInMs(key) };

    let error: unknown;
    try {
      await this.deletePods(pass, plan.toDelete);
    } catch (e) {
      error = e;
    }
    const annotations = (index: number | undefined) =>
      perIndex && index !== undefined ? indexFailureAnnotations(spec, lastFailed.get(index)) : {};
    const result = await this.createPods(pass, plan.toCreate, annotations);
    error ??= result.error;

    const remaining = active.filter((pod) => !plan.toDelete.includes(pod));
    status.active = remaining.length + creating + result.created;
    status.ready = remaining.filter(isPodReady).length;
    const deadline = untilDeadline(spec, status.startTime, now);
    const requeueAfterMs =
      deadline === undefined ? plan.requeueAfterMs : earliest(plan.requeueAfterMs, Math.max(0, deadline));
    await this.saveStatus(pass);
    if (resumed) this.ctx.events.record(job, 'Normal', 'Resumed', 'Job resumed');
    if (error !== undefined) throw error;
    return requeueAfterMs !== undefined ? { requeueAfterMs } : undefined;
  }

  /**
   * A finished Job: no pod may still run, counting is over, and with
   * ttlSecondsAfterFinished the Job is deleted that long after it finished.
   */
  private async cleanUpFinished(pass: JobPass): Promise<ReconcileResult | void> {
    const { key, job, status, owned, now } = pass;
    const record = this.recordOf(key, job.metadata.uid ?? '');
    this.deleted.forget(key);
    record.counted.clear();
    const leftovers = owned.filter((pod) => isPodActive(pod) && !this.pending.deleting(key, keyOf(pod)));
    await this.deletePods({ key, job, record }, leftovers);
    const ttl = job.spec?.ttlSecondsAfterFinished;
    if (ttl === undefined) return;
    const condition = trueCondition(status, finishedType(status)!);
    const finished = Date.parse(status.completionTime ?? condition?.lastTransitionTime ?? '');
    if (Number.isNaN(finished)) return;
    const expiresAt = finished + ttl * 1000;
    if (now < expiresAt) return { requeueAfterMs: expiresAt - now };
    try {
      await this.ctx.writer.delete('Job', job.metadata.name!, job.metadata.namespace, {
        propagationPolicy: 'Background',
      });
      this.ctx.log(`job ${key}: deleted ${ttl}s after it finished (ttlSecondsAfterFinished)`);
    } catch (error) {
      if (!isCode(error, 'NOT_FOUND')) throw error;
    }
  }

  /**
   * Sets a condition in `status` as Kubernetes' job controller does (agent/conditions.ts,
   * in place); returns whether anything changed.
   */
  private setCondition(
    status: JobStatus,
    type: string,
    value: 'True' | 'False',
    reason: string,
    message: string,
    now: number,
  ): boolean {
    const before = status.conditions;
    const after = setCondition(before, jobCondition(type, value, reason, message, now), 'in-place');
    if (after === before) return false;
    status.conditions = [...after];
    return true;
  }

  /**
   * Writes the status when it changed (the Job's resourceVersion as precondition), then
   * records what it counted: the pods that ended, `alsoCounted` (active pods a failed
   * Job counts as failed), the back-off, and the deleted pods now counted for good.
   */
  private async saveStatus(pass: RunningJobPass, alsoCounted: PodObject[] = []): Promise<void> {
    const { key, job, current, status, record, ended, gone } = pass;
    await this.written.write(this.ctx.writer, job, current, status);
    record.commit([...ended.succeeded, ...ended.failed, ...alsoCounted], ended.backoff, gone);
    for (const pod of gone) this.deleted.drop(key, pod.metadata.uid ?? '');
  }

  /** Creates one pod per entry (its completion index, or undefined), with its `annotations`, in slow-start batches. */
  private async createPods(
    { key, job }: JobPass,
    indexes: Array<number | undefined>,
    annotations: (index: number | undefined) => Record<string, string>,
  ): Promise<{ created: number; error?: unknown }> {
    const { errors, skipped } = await slowStartBatch(indexes, async (index) => {
      let pod: PodObject;
      try {
        pod = await this.ctx.writer.create(podFor(job, index, annotations(index)));
      } catch (error) {
        this.ctx.events.record(job, 'Warning', 'FailedCreate', `Error creating: ${messageOf(error)}`);
        throw error;
      }
      this.pending.created(key, keyOf(pod));
      this.ctx.events.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
    });
    return { created: indexes.length - skipped - errors.length, error: errors[0] };
  }

  /** Deletes pods on purpose (their end is not a failure); a pod already gone is fine. Throws the last error. */
  private async deletePods(
    { key, job, record }: Pick<RunningJobPass, 'key' | 'job' | 'record'>,
    pods: PodObject[],
  ): Promise<void> {
    let error: unknown;
    await Promise.all(
      pods.map(async (pod) => {
        try {
          await this.ctx.writer.delete('Pod', pod.metadata.name!, pod.metadata.namespace);
        } catch (e) {
          if (!isCode(e, 'NOT_FOUND')) {
            error = e;
            this.ctx.events.record(job, 'Warning', 'FailedDelete', `Error deleting: ${messageOf(e)}`);
            return;
          }
        }
        record.removed.add(pod.metadata.uid ?? '');
        this.pending.deleted(key, keyOf(pod));
        this.ctx.events.record(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      }),
    );
    if (error !== undefined) throw error;
  }
}

/** The Job controller with its tunables: a ControllerFactory. */
export function jobControllerWith(options: JobControllerOptions = {}): ControllerFactory {
  return (ctx) => new JobController(ctx, options);
}

/** The Job controller with Kubernetes' defaults (back-off 10 s doubling to 6 min). */
export const jobController: ControllerFactory = jobControllerWith();
