import { isCode, keyOf, messageOf, type Resource } from '../../client/index.ts';
import type { CronJob } from '../../schema/kinds/cronjob.ts';
import { enqueueSelf } from '../informers.ts';
import { timestamp } from '../timestamps.ts';
import type { Controller, ControllerContext, ControllerFactory } from './controller.ts';
import {
  mostRecentScheduleTime,
  parseSchedule,
  rfc3339In,
  validTimeZone,
  type Schedule,
} from './cron-schedule.ts';
import { controllerRef, newControllerRef } from './controller-ref.ts';
import { finishedType, type JobObject } from './job-status.ts';
import { PendingWrites } from './pending-writes.ts';
import { ReconcileLoop, type ReconcileResult } from './reconcile-loop.ts';
import { WrittenStatuses } from './written-status.ts';

/** Annotation of a CronJob's Jobs: the time the run was scheduled for (RFC 3339, in the CronJob's zone). */
export const CRONJOB_SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

type CronJobObject = CronJob & Resource;
type CronJobStatus = NonNullable<CronJob['status']>;
type JobReference = NonNullable<CronJobStatus['active']>[number];

export interface CronJobControllerOptions {
  /** The clock, ms since the epoch: a test's, to reach scheduled times without waiting. */
  now?: () => number;
  workers?: number;
}

export interface CronJobController extends Controller {
  /** One pass over a CronJob (what the loop calls), exposed for unit tests. */
  reconcile(key: string): Promise<ReconcileResult | void>;
}

/** How long to wait for the Job informer's first list before looking at a CronJob. */
const SYNC_WAIT_MS = 100;
/** Added to every requeue for the next scheduled time, against clock skew (Kubernetes' nextScheduleDelta). */
const NEXT_SCHEDULE_DELTA_MS = 100;

/** The name of the Job run for a scheduled time: deterministic, so a run is never created twice. */
export function jobNameFor(cronJobName: string, scheduledMs: number): string {
  return `${cronJobName}-${Math.floor(scheduledMs / 60_000)}`;
}

const referenceTo = (job: Resource): JobReference => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  name: job.metadata.name,
  namespace: job.metadata.namespace,
  uid: job.metadata.uid,
});

/** Oldest first, by status.startTime (jobs not started last), then name: Kubernetes' byJobStartTime. */
function byStartTime(a: JobObject, b: JobObject): number {
  const start = (job: JobObject) => (job.status?.startTime ? Date.parse(job.status.startTime) : Infinity);
  return start(a) - start(b) || (a.metadata.name! < b.metadata.name! ? -1 : 1);
}

/**
 * The CronJob controller, as Kubernetes' cronjob controller v2, with its tunables: a
 * factory of ControllerFactory. `cronJobController` is this with the real clock.
 */
export function cronJobControllerWith(
  options: CronJobControllerOptions = {},
): (ctx: ControllerContext) => CronJobController {
  const clock = options.now ?? Date.now;

  return (ctx) => {
    const cronJobs = ctx.informers.get<CronJobObject>('CronJob');
    const jobs = ctx.informers.get<JobObject>('Job');
    const pending = new PendingWrites(undefined, clock);
    const written = new WrittenStatuses<CronJobStatus>();

    /** Deletes a Job of the CronJob (Background); one already gone is fine. */
    const deleteJob = async (key: string, cronJob: CronJobObject, name: string): Promise<void> => {
      const namespace = cronJob.metadata.namespace;
      try {
        await ctx.writer.delete('Job', name, namespace, { propagationPolicy: 'Background' });
      } catch (error) {
        if (!isCode(error, 'NOT_FOUND')) {
          ctx.events.record(
            cronJob,
            'Warning',
            'FailedDelete',
            `Error deleting job ${name}: ${messageOf(error)}`,
          );
          throw error;
        }
      }
      pending.deleted(key, `${namespace}/${name}`);
      ctx.events.record(cronJob, 'Normal', 'SuccessfulDelete', `Deleted job ${name}`);
    };

    /** When to look again: just after the next scheduled time (Kubernetes' nextScheduleTimeDuration). */
    const nextRunIn = (cronJob: CronJobObject, status: CronJobStatus, schedule: Schedule, now: number) => {
      const earliest = Date.parse(
        status.lastScheduleTime ?? String(cronJob.metadata.creationTimestamp ?? ''),
      );
      if (Number.isNaN(earliest)) return undefined;
      try {
        const window = mostRecentScheduleTime(schedule, { earliest, now });
        const next = schedule.next(window.mostRecent ?? window.earliest);
        return Math.max(0, next + NEXT_SCHEDULE_DELTA_MS - now);
      } catch {
        return undefined;
      }
    };

    /**
     * Brings one CronJob (by key) to its desired state, as Kubernetes' cronjob
     * controller v2 (syncCronJob and cleanupFinishedJobs):
     *
     * - status.active lists the CronJob's Jobs (controller reference with its uid) that
     *   have not finished, plus Jobs it created that the cache does not show yet; a Job
     *   leaving it for finishing gives the event SawCompletedJob. lastSuccessfulTime is
     *   the latest completionTime of its Complete Jobs.
     * - Unless the CronJob is being deleted, has an unknown timeZone (event
     *   UnknownTimeZone), is suspended, or has an unparseable schedule (event
     *   UnparseableSchedule): the most recent scheduled time not yet run (after
     *   lastScheduleTime, else creation; with startingDeadlineSeconds, not older than that)
     *   gets a Job, named `<cronjob>-<scheduled time in minutes since the epoch>`, from
     *   jobTemplate with a controller reference and the annotation
     *   batch.kubernetes.io/cronjob-scheduled-timestamp (event SuccessfulCreate), and
     *   lastScheduleTime becomes that time. Older missed times are not run; more than 100
     *   of them give the warning TooManyMissedTimes.
     * - concurrencyPolicy Forbid: no run while a Job is active (event JobAlreadyActive;
     *   the run starts when the active one finishes, if still within
     *   startingDeadlineSeconds). Replace: the active Jobs are deleted (Background, event
     *   SuccessfulDelete) before the new one is created. Allow: runs overlap.
     * - Finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit are
     *   deleted, oldest first (event SuccessfulDelete).
     * - Returns requeueAfterMs for just after the next scheduled time.
     *
     * Idempotent (a scheduled time whose Job exists is done); writes the status only when
     * it changed, with the CronJob's resourceVersion as precondition.
     */
    async function reconcile(key: string): Promise<ReconcileResult | void> {
      const cronJob = cronJobs.get(key);
      if (!cronJob) {
        pending.forget(key);
        written.forget(key);
        return;
      }
      if (!jobs.hasSynced()) return { requeueAfterMs: SYNC_WAIT_MS };
      const now = clock();
      const uid = cronJob.metadata.uid ?? '';
      const namespace = cronJob.metadata.namespace;
      const spec = cronJob.spec;
      const current: CronJobStatus = written.current(cronJob) ?? {};
      const status: CronJobStatus = structuredClone(current);
      pending.settle(key, jobs);
      const going = (job: JobObject) => !!job.metadata.deletionTimestamp || pending.deleting(key, keyOf(job));
      const owned = jobs.byOwner(uid).filter((job) => controllerRef(job)?.uid === uid && !going(job));

      // The active list, from the cache and the creations it does not show yet.
      const wasActive = new Set((current.active ?? []).map((ref) => ref.uid));
      const active: JobReference[] = [];
      for (const job of owned) {
        const finished = finishedType(job.status);
        if (!finished) {
          active.push(referenceTo(job));
          continue;
        }
        if (wasActive.has(job.metadata.uid)) {
          ctx.events.record(
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
      const creating = new Set(pending.creating(key));
      for (const ref of current.active ?? []) {
        if (creating.has(`${namespace}/${ref.name}`) && !active.some((a) => a.uid === ref.uid))
          active.push(ref);
      }
      active.sort((a, b) => (a.name! < b.name! ? -1 : a.name! > b.name! ? 1 : 0));
      status.active = active;

      let requeueAfterMs: number | undefined;
      let error: unknown;
      try {
        requeueAfterMs = await run();
      } catch (e) {
        error = e;
      }
      try {
        await cleanupFinishedJobs();
      } catch (e) {
        error ??= e;
      }
      // No active Job is stored as no list: compare the stored status the same way.
      if (!status.active?.length) delete status.active;
      await written.write(
        ctx.writer,
        cronJob,
        { ...current, active: current.active?.length ? current.active : undefined },
        status,
      );
      if (error !== undefined) throw error;
      return requeueAfterMs !== undefined ? { requeueAfterMs } : undefined;

      /** Starts the run that is due, if any; returns when to look again. */
      async function run(): Promise<number | undefined> {
        if (cronJob!.metadata.deletionTimestamp || !spec) return undefined;
        if (spec.timeZone !== undefined && !validTimeZone(spec.timeZone)) {
          ctx.events.record(cronJob!, 'Warning', 'UnknownTimeZone', `invalid timeZone: "${spec.timeZone}"`);
          return undefined;
        }
        if (spec.suspend) return undefined;
        let schedule: Schedule;
        let scheduled: number | undefined;
        try {
          schedule = parseSchedule(spec.schedule, spec.timeZone);
          const earliest = Date.parse(
            status.lastScheduleTime ?? String(cronJob!.metadata.creationTimestamp ?? ''),
          );
          // No creation time (a fixture): nothing was missed before now.
          const window = mostRecentScheduleTime(schedule, {
            earliest: Number.isNaN(earliest) ? now : earliest,
            now,
            startingDeadlineSeconds: spec.startingDeadlineSeconds,
          });
          if (window.missed === 'many') {
            ctx.events.record(
              cronJob!,
              'Warning',
              'TooManyMissedTimes',
              'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
            );
          }
          scheduled = window.mostRecent;
        } catch (e) {
          ctx.events.record(
            cronJob!,
            'Warning',
            'UnparseableSchedule',
            `unparseable schedule: "${spec.schedule}" : ${messageOf(e)}`,
          );
          return undefined;
        }
        const next = () => nextRunIn(cronJob!, status, schedule, now);
        if (scheduled === undefined) return next();

        const deadline = spec.startingDeadlineSeconds;
        if (deadline !== undefined && scheduled + deadline * 1000 < now) {
          ctx.events.record(
            cronJob!,
            'Warning',
            'MissSchedule',
            `Missed scheduled time to start a job: ${new Date(scheduled).toUTCString()}`,
          );
          return next();
        }
        const name = jobNameFor(cronJob!.metadata.name!, scheduled);
        const jobKey = `${namespace}/${name}`;
        if (
          jobs.get(jobKey) ||
          creating.has(jobKey) ||
          Date.parse(status.lastScheduleTime ?? '') === scheduled
        ) {
          // Already run: a status write lost after the create is made good here.
          if (!status.lastScheduleTime || Date.parse(status.lastScheduleTime) < scheduled) {
            status.lastScheduleTime = timestamp(scheduled);
          }
          return next();
        }
        if (spec.concurrencyPolicy === 'Forbid' && status.active!.length > 0) {
          ctx.events.record(
            cronJob!,
            'Normal',
            'JobAlreadyActive',
            'Not starting job because prior execution is running and concurrency policy is Forbid',
          );
          return next();
        }
        if (spec.concurrencyPolicy === 'Replace') {
          for (const ref of [...status.active!]) {
            await deleteJob(key, cronJob!, ref.name!);
            status.active = status.active!.filter((a) => a.uid !== ref.uid);
          }
        }
        let job: JobObject;
        try {
          job = await ctx.writer.create(jobFor(cronJob!, scheduled));
        } catch (e) {
          // Made by an earlier pass whose status write was lost: the cache will show it.
          if (!isCode(e, 'ALREADY_EXISTS')) {
            ctx.events.record(cronJob!, 'Warning', 'FailedCreate', `Error creating job: ${messageOf(e)}`);
          }
          throw e;
        }
        pending.created(key, jobKey);
        ctx.events.record(cronJob!, 'Normal', 'SuccessfulCreate', `Created job ${name}`);
        status.active!.push(referenceTo(job));
        status.lastScheduleTime = timestamp(scheduled);
        return next();
      }

      /** Deletes the oldest finished Jobs beyond the history limits. */
      async function cleanupFinishedJobs(): Promise<void> {
        const limits = { Complete: spec?.successfulJobsHistoryLimit, Failed: spec?.failedJobsHistoryLimit };
        for (const [type, limit] of Object.entries(limits)) {
          if (limit === undefined) continue;
          const finished = owned.filter((job) => finishedType(job.status) === type).sort(byStartTime);
          for (const job of finished.slice(0, Math.max(0, finished.length - limit))) {
            await deleteJob(key, cronJob!, job.metadata.name!);
          }
        }
      }
    }

    const loop = new ReconcileLoop('cronjob', reconcile, {
      workers: options.workers,
      onError: (key, error) => ctx.log(`cronjob ${key}: ${messageOf(error)}`),
    });

    /** A Job event: settle the write it shows and look at its CronJob again. */
    const onJob = (job: JobObject, present: boolean) => {
      const ref = controllerRef(job);
      if (ref?.kind !== 'CronJob' || !job.metadata.namespace) return;
      const owner = `${job.metadata.namespace}/${ref.name}`;
      pending.observe(owner, keyOf(job), present ? job : undefined);
      loop.enqueue(owner);
    };

    let unsubscribe: Array<() => void> = [];
    return {
      name: 'cronjob',
      reconcile,
      start() {
        unsubscribe = [
          cronJobs.addEventHandler(enqueueSelf((cronJob) => loop.enqueue(keyOf(cronJob)))),
          jobs.addEventHandler({
            onAdd: (job) => onJob(job, true),
            onUpdate: (old, job) => {
              if (controllerRef(old)?.uid !== controllerRef(job)?.uid) onJob(old, false);
              onJob(job, true);
            },
            onDelete: (job) => onJob(job, false),
          }),
        ];
        loop.start();
      },
      async stop() {
        for (const off of unsubscribe.splice(0)) off();
        await loop.stop();
      },
    };
  };
}

/** The CronJob controller with the real clock. */
export const cronJobController: ControllerFactory = cronJobControllerWith();

/** The Job of one run: jobTemplate, named for the scheduled time, owned by the CronJob. */
function jobFor(cronJob: CronJobObject, scheduled: number): JobObject {
  const template = cronJob.spec!.jobTemplate;
  const labels = { ...template.metadata?.labels };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cronJob.metadata.name!, scheduled),
      namespace: cronJob.metadata.namespace,
      ...(Object.keys(labels).length ? { labels } : {}),
      annotations: {
        ...template.metadata?.annotations,
        // Kubernetes formats it in the CronJob's zone, UTC when it has none.
        [CRONJOB_SCHEDULED_TIMESTAMP]: rfc3339In(scheduled, cronJob.spec!.timeZone),
      },
      ownerReferences: [newControllerRef(cronJob)],
    },
    spec: structuredClone(template.spec),
  } as JobObject;
}
