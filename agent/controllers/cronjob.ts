import { isCode, keyOf, messageOf, type Informer } from '../../client/index.ts';
import { parseSchedule, validTimeZone, type Schedule } from '../../schema/cron-schedule.ts';
import { enqueueSelf } from '../informers.ts';
import { timestamp } from '../timestamps.ts';
import { ReconcilingController, type ControllerContext, type ControllerFactory } from './controller.ts';
import { controllerRef } from './controller-ref.ts';
import {
  referenceTo,
  type CronJobObject,
  type CronJobSpec,
  type CronJobStatus,
  type JobReference,
} from './cronjob/cronjob-status.ts';
import { jobsBeyondHistory } from './cronjob/job-history.ts';
import { jobForRun, jobNameFor } from './cronjob/run-job.ts';
import { mostRecentScheduleTime, untilNextSchedule } from './cronjob/schedule-window.ts';
import { finishedType, type JobObject } from './job/job-status.ts';
import { PendingWrites } from './pending-writes.ts';
import type { ReconcileResult } from './reconcile-loop.ts';
import { WrittenStatuses } from './written-status.ts';

/** How long to wait for the Job informer's first list before looking at a CronJob. */
const SYNC_WAIT_MS = 100;

/** What one pass over a CronJob works from (read at its start) and builds (`status`). */
interface CronJobPass {
  key: string;
  cronJob: CronJobObject;
  spec: CronJobSpec | undefined;
  namespace: string | undefined;
  now: number;
  /** The status to start from: the stored one, or the one this controller last wrote over this version. */
  current: CronJobStatus;
  /** The status this pass writes: `current` as it changes. */
  status: CronJobStatus;
  /** Its Jobs in the cache (controller reference with its uid), less those being deleted. */
  owned: JobObject[];
  /** Keys of Jobs it created that the cache does not show yet. */
  creating: Set<string>;
}

/**
 * The CronJob controller, as Kubernetes' cronjob controller v2: creates a Job for each
 * scheduled time, and keeps the CronJob's active list and history. See `reconcile`.
 */
export class CronJobController extends ReconcilingController {
  private readonly cronJobs: Informer<CronJobObject>;
  private readonly jobs: Informer<JobObject>;
  private readonly pending: PendingWrites;
  private readonly written = new WrittenStatuses<CronJobStatus>();

  constructor(ctx: ControllerContext) {
    super('cronjob', ctx);
    this.cronJobs = ctx.informers.get<CronJobObject>('CronJob');
    this.jobs = ctx.informers.get<JobObject>('Job');
    this.pending = new PendingWrites(ctx.clock);
  }

  /**
   * Brings the CronJob `namespace/name` to its desired state, as Kubernetes' cronjob
   * controller v2 (syncCronJob and cleanupFinishedJobs):
   *
   * - status.active lists the CronJob's Jobs (controller reference with its uid) that
   *   have not finished, plus Jobs it created that the cache does not show yet; a Job
   *   leaving it for finishing gives the event SawCompletedJob. lastSuccessfulTime is
   *   the latest completionTime of its Complete Jobs.
   * - Unless the CronJob is being deleted, has an unknown timeZone (event
   *   UnknownTimeZone), is suspended, or has an unparseable schedule (event
   *   UnparseableSchedule; schema/cron-schedule.ts reads it, as admission does): the
   *   most recent scheduled time not yet run (after lastScheduleTime, else creation;
   *   with startingDeadlineSeconds, not older than that) gets a Job (jobForRun), and
   *   lastScheduleTime becomes that time (event SuccessfulCreate). Older missed times
   *   are not run; more than 100 of them give the warning TooManyMissedTimes; one
   *   missed by more than startingDeadlineSeconds gives MissSchedule.
   * - concurrencyPolicy Forbid: no run while a Job is active (event JobAlreadyActive;
   *   the run starts when the active one finishes, if still within
   *   startingDeadlineSeconds). Replace: the active Jobs are deleted (Background, event
   *   SuccessfulDelete) before the new one is created. Allow: runs overlap.
   * - Finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit are
   *   deleted, oldest first (event SuccessfulDelete).
   * - Returns requeueAfterMs for just after the next scheduled time.
   *
   * Contract: idempotent (a scheduled time whose Job exists, in the cache or created
   * and not yet seen, is done; the Job's name is a function of the time, so a lost
   * status write cannot run it twice); the time is `ctx.clock`'s. Not reentrant for
   * one key: the loop never runs a key twice at once, and the pending writes are per
   * key. On error it still cleans up the history and writes the status it got to (with
   * the CronJob's resourceVersion as precondition), then throws the first error, and
   * the loop retries the key with back-off.
   */
  async reconcile(key: string): Promise<ReconcileResult | void> {
    const cronJob = this.cronJobs.get(key);
    if (!cronJob) {
      this.pending.forget(key);
      this.written.forget(key);
      return;
    }
    if (!this.jobs.hasSynced()) return { requeueAfterMs: SYNC_WAIT_MS };
    const pass = this.begin(key, cronJob);
    this.updateActive(pass);

    let requeueAfterMs: number | undefined;
    let error: unknown;
    try {
      requeueAfterMs = await this.runDue(pass);
    } catch (e) {
      error = e;
    }
    try {
      await this.cleanUpHistory(pass);
    } catch (e) {
      error ??= e;
    }
    await this.writeStatus(pass);
    if (error !== undefined) throw error;
    return requeueAfterMs !== undefined ? { requeueAfterMs } : undefined;
  }

  protected register(): void {
    this.watch(
      this.cronJobs,
      enqueueSelf((cronJob) => this.loop.enqueue(keyOf(cronJob))),
    );
    this.watch(this.jobs, {
      onAdd: (job) => this.jobEvent(job, true),
      onUpdate: (old, job) => {
        if (controllerRef(old)?.uid !== controllerRef(job)?.uid) this.jobEvent(old, false);
        this.jobEvent(job, true);
      },
      onDelete: (job) => this.jobEvent(job, false),
    });
  }

  /** A Job event: settle the write it shows and look at its CronJob again. */
  private jobEvent(job: JobObject, present: boolean): void {
    const ref = controllerRef(job);
    if (ref?.kind !== 'CronJob' || !job.metadata.namespace) return;
    const owner = `${job.metadata.namespace}/${ref.name}`;
    this.pending.observe(owner, keyOf(job), present ? job : undefined);
    this.loop.enqueue(owner);
  }

  /** Reads what a pass starts from; writes seen in the cache are settled first. */
  private begin(key: string, cronJob: CronJobObject): CronJobPass {
    const uid = cronJob.metadata.uid ?? '';
    const current: CronJobStatus = this.written.current(cronJob) ?? {};
    this.pending.settle(key, this.jobs);
    const going = (job: JobObject) =>
      !!job.metadata.deletionTimestamp || this.pending.deleting(key, keyOf(job));
    return {
      key,
      cronJob,
      spec: cronJob.spec,
      namespace: cronJob.metadata.namespace,
      now: this.ctx.clock.now(),
      current,
      status: structuredClone(current),
      owned: this.jobs.byOwner(uid).filter((job) => controllerRef(job)?.uid === uid && !going(job)),
      creating: new Set(this.pending.creating(key)),
    };
  }

  /**
   * status.active from the cache, and the creations it does not show yet (sorted by
   * name); lastSuccessfulTime from the Complete Jobs; SawCompletedJob for a Job that
   * was active and has finished.
   */
  private updateActive({ cronJob, namespace, current, status, owned, creating }: CronJobPass): void {
    const wasActive = new Set((current.active ?? []).map((ref) => ref.uid));
    const active: JobReference[] = [];
    for (const job of owned) {
      const finished = finishedType(job.status);
      if (!finished) {
        active.push(referenceTo(job));
        continue;
      }
      if (wasActive.has(job.metadata.uid)) {
        this.ctx.events.record(
          cronJob,
          'Normal',
          'SawCompletedJob',
          `Saw completed job: ${job.metadata.name}, condition: ${finished}`,
        );
      }
      const completion = job.status?.completionTime;
      if (
        finished === 'Complete' &&
        completion &&
        (!status.lastSuccessfulTime || Date.parse(completion) > Date.parse(status.lastSuccessfulTime))
      ) {
        status.lastSuccessfulTime = completion;
      }
    }
    for (const ref of current.active ?? []) {
      if (creating.has(`${namespace}/${ref.name}`) && !active.some((a) => a.uid === ref.uid))
        active.push(ref);
    }
    active.sort((a, b) => (a.name! < b.name! ? -1 : a.name! > b.name! ? 1 : 0));
    status.active = active;
  }

  /** Starts the run that is due, if any; returns when to look again (undefined: only on a change). */
  private async runDue(pass: CronJobPass): Promise<number | undefined> {
    const { cronJob, spec } = pass;
    if (cronJob.metadata.deletionTimestamp || !spec) return undefined;
    if (spec.timeZone !== undefined && !validTimeZone(spec.timeZone)) {
      this.ctx.events.record(cronJob, 'Warning', 'UnknownTimeZone', `invalid timeZone: "${spec.timeZone}"`);
      return undefined;
    }
    if (spec.suspend) return undefined;
    const due = this.dueTime(pass, spec);
    if (!due) return undefined;
    if (due.scheduled !== undefined) await this.startRun(pass, spec, due.scheduled);
    return this.untilNextRun(pass, due.schedule);
  }

  /**
   * The schedule, and the most recent scheduled time not run yet (if any); undefined,
   * with the event UnparseableSchedule, when the schedule cannot be read or walked.
   */
  private dueTime(
    { cronJob, status, now }: CronJobPass,
    spec: CronJobSpec,
  ): { schedule: Schedule; scheduled?: number } | undefined {
    try {
      const schedule = parseSchedule(spec.schedule, spec.timeZone);
      const earliest = Date.parse(
        status.lastScheduleTime ?? String(cronJob.metadata.creationTimestamp ?? ''),
      );
      // No creation time (a fixture): nothing was missed before now.
      const window = mostRecentScheduleTime(schedule, {
        earliest: Number.isNaN(earliest) ? now : earliest,
        now,
        startingDeadlineSeconds: spec.startingDeadlineSeconds,
      });
      if (window.missed === 'many') {
        this.ctx.events.record(
          cronJob,
          'Warning',
          'TooManyMissedTimes',
          'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
        );
      }
      return { schedule, scheduled: window.mostRecent };
    } catch (e) {
      this.ctx.events.record(
        cronJob,
        'Warning',
        'UnparseableSchedule',
        `unparseable schedule: "${spec.schedule}" : ${messageOf(e)}`,
      );
      return undefined;
    }
  }

  /**
   * Creates the Job of the run `scheduled`, unless it is too late (MissSchedule), it
   * exists already, or concurrencyPolicy Forbid holds it back; Replace deletes the
   * active Jobs first.
   */
  private async startRun(pass: CronJobPass, spec: CronJobSpec, scheduled: number): Promise<void> {
    const { key, cronJob, namespace, status, creating, now } = pass;
    const deadline = spec.startingDeadlineSeconds;
    if (deadline !== undefined && scheduled + deadline * 1000 < now) {
      this.ctx.events.record(
        cronJob,
        'Warning',
        'MissSchedule',
        `Missed scheduled time to start a job: ${new Date(scheduled).toUTCString()}`,
      );
      return;
    }
    const name = jobNameFor(cronJob.metadata.name!, scheduled);
    const jobKey = `${namespace}/${name}`;
    if (
      this.jobs.get(jobKey) ||
      creating.has(jobKey) ||
      Date.parse(status.lastScheduleTime ?? '') === scheduled
    ) {
      // Already run: a status write lost after the create is made good here.
      if (!status.lastScheduleTime || Date.parse(status.lastScheduleTime) < scheduled) {
        status.lastScheduleTime = timestamp(scheduled);
      }
      return;
    }
    if (spec.concurrencyPolicy === 'Forbid' && status.active!.length > 0) {
      this.ctx.events.record(
        cronJob,
        'Normal',
        'JobAlreadyActive',
        'Not starting job because prior execution is running and concurrency policy is Forbid',
      );
      return;
    }
    if (spec.concurrencyPolicy === 'Replace') {
      for (const ref of [...status.active!]) {
        await this.deleteJob(pass, ref.name!);
        status.active = status.active!.filter((a) => a.uid !== ref.uid);
      }
    }
    let job: JobObject;
    try {
      job = await this.ctx.writer.create(jobForRun(cronJob, scheduled));
    } catch (e) {
      // Made by an earlier pass whose status write was lost: the cache will show it.
      if (!isCode(e, 'ALREADY_EXISTS')) {
        this.ctx.events.record(cronJob, 'Warning', 'FailedCreate', `Error creating job: ${messageOf(e)}`);
      }
      throw e;
    }
    this.pending.created(key, jobKey);
    this.ctx.events.record(cronJob, 'Normal', 'SuccessfulCreate', `Created job ${name}`);
    status.active!.push(referenceTo(job));
    status.lastScheduleTime = timestamp(scheduled);
  }

  /** When to look again: just after the next scheduled time after the last one run (or creation). */
  private untilNextRun({ cronJob, status, now }: CronJobPass, schedule: Schedule): number | undefined {
    const earliest = Date.parse(status.lastScheduleTime ?? String(cronJob.metadata.creationTimestamp ?? ''));
    return untilNextSchedule(schedule, earliest, now);
  }

  /** Deletes the oldest finished Jobs beyond the history limits. */
  private async cleanUpHistory(pass: CronJobPass): Promise<void> {
    for (const job of jobsBeyondHistory(pass.spec, pass.owned)) {
      await this.deleteJob(pass, job.metadata.name!);
    }
  }

  /** Writes the status when it changed, with the CronJob's resourceVersion as precondition. */
  private async writeStatus({ cronJob, current, status }: CronJobPass): Promise<void> {
    // No active Job is stored as no list: compare the stored status the same way.
    if (!status.active?.length) delete status.active;
    await this.written.write(
      this.ctx.writer,
      cronJob,
      { ...current, active: current.active?.length ? current.active : undefined },
      status,
    );
  }

  /** Deletes a Job of the CronJob (Background); one already gone is fine. */
  private async deleteJob({ key, cronJob, namespace }: CronJobPass, name: string): Promise<void> {
    try {
      await this.ctx.writer.delete('Job', name, namespace, { propagationPolicy: 'Background' });
    } catch (error) {
      if (!isCode(error, 'NOT_FOUND')) {
        this.ctx.events.record(
          cronJob,
          'Warning',
          'FailedDelete',
          `Error deleting job ${name}: ${messageOf(error)}`,
        );
        throw error;
      }
    }
    this.pending.deleted(key, `${namespace}/${name}`);
    this.ctx.events.record(cronJob, 'Normal', 'SuccessfulDelete', `Deleted job ${name}`);
  }
}

/** The CronJob controller: its time is the context's clock. */
export const cronJobController: ControllerFactory = (ctx) => new CronJobController(ctx);
