import { describe, expect, it } from 'vitest';
import type { DeleteOptions, Resource } from '../../client/index.ts';
import type { CronJob } from '../../schema/kinds/cronjob.ts';
import { CronJobController, cronJobController } from '../../agent/controllers/cronjob.ts';
import { CRONJOB_SCHEDULED_TIMESTAMP, jobNameFor } from '../../agent/controllers/cronjob/run-job.ts';
import { mostRecentScheduleTime } from '../../agent/controllers/cronjob/schedule-window.ts';
import { rfc3339In } from '../../agent/controllers/cronjob/zoned-timestamp.ts';
import { jobController } from '../../agent/controllers/job.ts';
import { ManualClock } from '../../lib/clock.ts';
import { parseSchedule, scheduleError, validTimeZone } from '../../schema/cron-schedule.ts';
import { controllerCluster, until } from '../support/controller-cluster.ts';
import { fixtureContext, type RecordedWrite } from '../support/controller-fixture.ts';

const MINUTE = 60_000;
/** 10:00 UTC, on a five-minute boundary. */
const T0 = Date.parse('2024-05-01T10:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function cronJob(spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}): Resource {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name: 'tick',
      namespace: 'default',
      uid: 'cj-uid',
      resourceVersion: '5',
      creationTimestamp: iso(T0 - 60 * MINUTE),
    },
    spec: {
      schedule: '*/5 * * * *',
      timeZone: 'UTC',
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: {
        metadata: { labels: { app: 'tick' }, annotations: { team: 'ops' } },
        spec: {
          backoffLimit: 2,
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
        },
      },
      ...spec,
    },
    status: { lastScheduleTime: iso(T0), ...status },
  };
}

/** A Job of the CronJob scheduled at `scheduled`, active or finished as `state` says. */
function ownedJob(scheduled: number, state: 'active' | 'Complete' | 'Failed' = 'active'): Resource {
  const name = jobNameFor('tick', scheduled);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      ownerReferences: [
        { apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: 'cj-uid', controller: true },
      ],
    },
    spec: {},
    status:
      state === 'active'
        ? { startTime: iso(scheduled), active: 1 }
        : {
            startTime: iso(scheduled),
            ...(state === 'Complete' ? { completionTime: iso(scheduled + 30_000) } : {}),
            conditions: [{ type: state, status: 'True' }],
          },
  };
}

const ref = (job: Resource) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  name: job.metadata.name,
  namespace: 'default',
  uid: job.metadata.uid,
});

function setup(objects: Resource[], now: number) {
  const clock = new ManualClock(now);
  const fixture = fixtureContext(objects, clock);
  const controller = new CronJobController(fixture.ctx);
  const of = (verb: RecordedWrite['verb'], kind = 'Job') =>
    fixture.writes.filter((w) => w.verb === verb && w.kind === kind);
  const lastStatus = () => of('updateStatus', 'CronJob').at(-1)?.body as CronJob['status'];
  return {
    ...fixture,
    clock,
    of,
    lastStatus,
    reasons: () => fixture.events.map((e) => e.reason),
    reconcile: () => controller.reconcile('default/tick'),
  };
}

describe('cron schedules', () => {
  it('parses 5 fields, macros and @every, in a time zone', () => {
    expect(iso(parseSchedule('*/5 * * * *', 'UTC').next(T0))).toBe('2024-05-01T10:05:00Z');
    expect(iso(parseSchedule('@hourly', 'UTC').next(T0))).toBe('2024-05-01T11:00:00Z');
    expect(iso(parseSchedule('@midnight', 'UTC').next(T0))).toBe('2024-05-02T00:00:00Z');
    // 09:00 in Paris is 07:00 UTC in summer.
    expect(iso(parseSchedule('0 9 * * *', 'Europe/Paris').next(T0))).toBe('2024-05-02T07:00:00Z');
    expect(iso(parseSchedule('@every 1h30m', 'UTC').next(T0 + 500))).toBe('2024-05-01T11:30:00Z');
    expect(() => parseSchedule('0 */5 * * * *', 'UTC')).toThrow();
    expect(() => parseSchedule('61 * * * *', 'UTC')).toThrow();
    expect(rfc3339In(T0, 'Europe/Paris')).toBe('2024-05-01T12:00:00+02:00');
    expect(rfc3339In(T0, undefined)).toBe('2024-05-01T10:00:00Z');
  });

  it('accepts what Kubernetes (robfig/cron) accepts, and nothing cron-parser adds', () => {
    for (const ok of [
      '*/15 9-17 * * MON-FRI',
      '0 0 1 jan,jul *',
      '5/15 * * * ?',
      '0 0 * * 0-6',
      '@annually',
      '@every 1.5h',
      '@every 0',
    ]) {
      expect(scheduleError(ok), ok).toBeUndefined();
      expect(() => parseSchedule(ok, 'UTC'), ok).not.toThrow();
    }
    for (const [bad, why] of [
      ['0 0 * * * *', 'expected exactly 5 fields, found 6'],
      ['* * * * 7', 'end of range (7) above maximum (6)'],
      ['* * L * *', 'not a number: "L"'],
      ['* * 15W * *', 'not a number: "15W"'],
      ['* * * * 5#3', 'not a number or a name: "5#3"'],
      ['H * * * *', 'not a number: "H"'],
      ['*/0 * * * *', 'step of range should be a positive number'],
      ['@minutely', 'unrecognized descriptor'],
      ['@every 1', 'missing unit'],
      ['TZ=UTC * * * * *', 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'],
    ]) {
      expect(scheduleError(bad), bad).toContain(why);
      expect(() => parseSchedule(bad, 'UTC'), bad).toThrow(why);
    }
    // `@every` less than a second is a second.
    expect(iso(parseSchedule('@every 10ms', 'UTC').next(T0))).toBe('2024-05-01T10:00:01Z');
    // Day of month and day of week both restricted: either matches (Tuesday 7th, not 21st)...
    expect(iso(parseSchedule('0 0 */10 * 2', 'UTC').next(T0))).toBe('2024-05-07T00:00:00Z');
    // ...but `*/1` is a `*`, as robfig/cron has it: Fridays only (3rd, not 2nd).
    expect(iso(parseSchedule('0 0 */1 * 5', 'UTC').next(T0))).toBe('2024-05-03T00:00:00Z');
    expect(validTimeZone('Europe/Paris')).toBe(true);
    expect(validTimeZone('Local')).toBe(false);
    expect(validTimeZone('Mars/Olympus')).toBe(false);
  });

  it('finds the most recent scheduled time and how many were missed', () => {
    const schedule = parseSchedule('* * * * *', 'UTC');
    expect(mostRecentScheduleTime(schedule, { earliest: T0, now: T0 + 30_000 })).toEqual({
      earliest: T0,
      missed: 'none',
    });
    expect(mostRecentScheduleTime(schedule, { earliest: T0, now: T0 + 90_000 })).toMatchObject({
      mostRecent: T0 + MINUTE,
      missed: 'none',
    });
    expect(mostRecentScheduleTime(schedule, { earliest: T0, now: T0 + 10 * MINUTE + 5 })).toMatchObject({
      mostRecent: T0 + 10 * MINUTE,
      missed: 'few',
    });
    expect(mostRecentScheduleTime(schedule, { earliest: T0, now: T0 + 1000 * MINUTE })).toMatchObject({
      mostRecent: T0 + 1000 * MINUTE,
      missed: 'many',
    });
  });
});

describe('cronjob controller: reconcile', () => {
  it('creates the job of the scheduled time, named for it, and requeues for the next', async () => {
    const t = setup([cronJob()], T0 + 5 * MINUTE + 10_000);
    expect(await t.reconcile()).toEqual({ requeueAfterMs: 5 * MINUTE - 10_000 + 100 });
    const creates = t.of('create');
    expect(creates).toHaveLength(1);
    const job = creates[0].body as Resource;
    const name = `tick-${(T0 + 5 * MINUTE) / MINUTE}`;
    expect(job.metadata).toEqual({
      name,
      namespace: 'default',
      uid: expect.any(String),
      labels: { app: 'tick' },
      annotations: { team: 'ops', [CRONJOB_SCHEDULED_TIMESTAMP]: '2024-05-01T10:05:00Z' },
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          name: 'tick',
          uid: 'cj-uid',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
    expect(job.spec).toEqual((cronJob() as CronJob & Resource).spec!.jobTemplate.spec);
    expect(t.lastStatus()).toEqual({ active: [ref(job)], lastScheduleTime: '2024-05-01T10:05:00Z' });
    expect(t.events.map((e) => [e.reason, e.message])).toEqual([['SuccessfulCreate', `Created job ${name}`]]);

    // Again, before the cache shows the job: done already.
    t.writes.length = 0;
    await t.reconcile();
    expect(t.writes).toEqual([]);
  });

  it('does nothing before the next scheduled time', async () => {
    const t = setup([cronJob()], T0 + 2 * MINUTE);
    expect(await t.reconcile()).toEqual({ requeueAfterMs: 3 * MINUTE + 100 });
    expect(t.writes).toEqual([]);
  });

  it('formats the scheduled timestamp in the time zone', async () => {
    const t = setup(
      [cronJob({ schedule: '0 12 * * *', timeZone: 'Europe/Paris' }, { lastScheduleTime: iso(T0 - MINUTE) })],
      T0 + 1000,
    );
    await t.reconcile();
    const job = t.of('create')[0].body as Resource;
    expect(job.metadata.name).toBe(`tick-${T0 / MINUTE}`);
    expect(job.metadata.annotations![CRONJOB_SCHEDULED_TIMESTAMP]).toBe('2024-05-01T12:00:00+02:00');
  });

  it('Forbid: skips the run while a job is active', async () => {
    const running = ownedJob(T0);
    const t = setup(
      [cronJob({ concurrencyPolicy: 'Forbid' }, { active: [ref(running)] }), running],
      T0 + 5 * MINUTE + 1000,
    );
    await t.reconcile();
    expect(t.of('create')).toHaveLength(0);
    expect(t.writes).toEqual([]);
    expect(t.reasons()).toEqual(['JobAlreadyActive']);
  });

  it('Allow: starts the run alongside the active job', async () => {
    const running = ownedJob(T0);
    const t = setup([cronJob({}, { active: [ref(running)] }), running], T0 + 5 * MINUTE + 1000);
    await t.reconcile();
    expect(t.of('create')).toHaveLength(1);
    expect(t.lastStatus()!.active).toHaveLength(2);
  });

  it('Replace: deletes the active job (Background), then creates the new one', async () => {
    const running = ownedJob(T0);
    const t = setup(
      [cronJob({ concurrencyPolicy: 'Replace' }, { active: [ref(running)] }), running],
      T0 + 5 * MINUTE + 1000,
    );
    await t.reconcile();
    expect(
      t.writes.map((w) => [w.verb, w.kind, w.name, w.body && (w.body as DeleteOptions).propagationPolicy]),
    ).toEqual([
      ['delete', 'Job', running.metadata.name, 'Background'],
      ['create', 'Job', `tick-${(T0 + 5 * MINUTE) / MINUTE}`, undefined],
      ['updateStatus', 'CronJob', 'tick', undefined],
    ]);
    expect(t.lastStatus()!.active!.map((r) => r.name)).toEqual([`tick-${(T0 + 5 * MINUTE) / MINUTE}`]);
    expect(t.reasons()).toEqual(['SuccessfulDelete', 'SuccessfulCreate']);
  });

  it('sees active jobs finish: SawCompletedJob, lastSuccessfulTime', async () => {
    const done = ownedJob(T0, 'Complete');
    const t = setup([cronJob({}, { active: [ref(done)] }), done], T0 + MINUTE);
    await t.reconcile();
    expect(t.lastStatus()).toEqual({ lastScheduleTime: iso(T0), lastSuccessfulTime: iso(T0 + 30_000) });
    expect(t.events.map((e) => [e.reason, e.message])).toEqual([
      ['SawCompletedJob', `Saw completed job: ${done.metadata.name}, condition: Complete`],
    ]);
  });

  it('keeps successfulJobsHistoryLimit / failedJobsHistoryLimit finished jobs, deleting the oldest', async () => {
    const complete = [1, 2, 3, 4, 5].map((i) => ownedJob(T0 - i * 5 * MINUTE, 'Complete'));
    const failed = [6, 7, 8].map((i) => ownedJob(T0 - i * 5 * MINUTE, 'Failed'));
    const t = setup(
      [cronJob({ successfulJobsHistoryLimit: 2, failedJobsHistoryLimit: 1 }), ...complete, ...failed],
      T0 + MINUTE,
    );
    await t.reconcile();
    const deleted = t.of('delete');
    expect(deleted.map((w) => w.name)).toEqual([
      complete[4].metadata.name,
      complete[3].metadata.name,
      complete[2].metadata.name,
      failed[2].metadata.name,
      failed[1].metadata.name,
    ]);
    expect(deleted.every((w) => (w.body as DeleteOptions).propagationPolicy === 'Background')).toBe(true);
    expect(t.reasons()).toEqual(Array(5).fill('SuccessfulDelete'));
  });

  it('startingDeadlineSeconds: skips a run missed by longer than that', async () => {
    const late = setup([cronJob({ startingDeadlineSeconds: 30 })], T0 + 5 * MINUTE + 40_000);
    expect(await late.reconcile()).toEqual({ requeueAfterMs: 5 * MINUTE - 40_000 + 100 });
    expect(late.of('create')).toHaveLength(0);

    const inTime = setup([cronJob({ startingDeadlineSeconds: 60 })], T0 + 5 * MINUTE + 40_000);
    await inTime.reconcile();
    expect(inTime.of('create').map((w) => w.name)).toEqual([`tick-${(T0 + 5 * MINUTE) / MINUTE}`]);
  });

  it('warns TooManyMissedTimes past 100 missed runs, and runs only the latest', async () => {
    const t = setup(
      [cronJob({ schedule: '* * * * *' }, { lastScheduleTime: iso(T0 - 24 * 60 * MINUTE) })],
      T0 + 1000,
    );
    await t.reconcile();
    expect(t.reasons()).toEqual(['TooManyMissedTimes', 'SuccessfulCreate']);
    expect(t.of('create').map((w) => w.name)).toEqual([`tick-${T0 / MINUTE}`]);
  });

  it('runs nothing while suspended', async () => {
    const t = setup([cronJob({ suspend: true })], T0 + 5 * MINUTE + 1000);
    expect(await t.reconcile()).toBeUndefined();
    expect(t.writes).toEqual([]);
  });

  it('treats a scheduled time whose job exists as done', async () => {
    const existing = ownedJob(T0 + 5 * MINUTE);
    const t = setup([cronJob(), existing], T0 + 5 * MINUTE + 1000);
    await t.reconcile();
    expect(t.of('create')).toHaveLength(0);
    expect(t.lastStatus()).toEqual({ active: [ref(existing)], lastScheduleTime: iso(T0 + 5 * MINUTE) });
  });
});

describe('cronjob controller: against a server', () => {
  // The CronJob controller's clock runs a minute and a second ahead: a `* * * * *`
  // schedule is due at once.
  const ahead = { now: () => Date.now() + 61_000 };
  const env = controllerCluster([(ctx) => cronJobController({ ...ctx, clock: ahead }), jobController]);

  it('creates a Job named for the scheduled minute, owned by the CronJob, and lists it as active', async () => {
    const { writer } = env;
    const cj = await writer.create<Resource>({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'every-minute', namespace: 'default' },
      spec: {
        schedule: '* * * * *',
        timeZone: 'UTC',
        jobTemplate: {
          spec: {
            template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
          },
        },
      },
    });
    const job = await until(async () => {
      const { items } = await env.client.list('Job', { namespace: 'default' });
      return items.find((j) => j.metadata.ownerReferences?.some((r) => r.uid === cj.metadata.uid));
    });
    expect(job.metadata.name).toMatch(/^every-minute-\d+$/);
    const minutes = Number(job.metadata.name!.split('-').at(-1));
    expect(job.metadata.annotations![CRONJOB_SCHEDULED_TIMESTAMP]).toBe(iso(minutes * MINUTE));
    expect(job.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        name: 'every-minute',
        uid: cj.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    const status = await until(async () => {
      const found = await env.client.get('CronJob', 'every-minute', 'default');
      const s = found?.status as { active?: Array<{ name: string }>; lastScheduleTime?: string } | undefined;
      return s?.active?.some((r) => r.name === job.metadata.name) ? s : undefined;
    });
    expect(status.lastScheduleTime).toBe(iso(minutes * MINUTE));
    // The Job controller runs the job: its pod exists.
    await until(async () => {
      const { items } = await env.client.list('Pod', { namespace: 'default' });
      return items.find((p) => p.metadata.ownerReferences?.some((r) => r.uid === job.metadata.uid));
    });
  });
});
