import type { Schedule } from '../../../schema/cron-schedule.ts';

/** How many scheduled times were missed since the last one run: Kubernetes warns past 100. */
export type MissedSchedules = 'none' | 'few' | 'many';

export interface ScheduleWindow {
  /** Where the search for unmet times started (last run, creation, or the starting deadline). */
  earliest: number;
  /** The most recent scheduled time in (earliest, now], if any. */
  mostRecent?: number;
  missed: MissedSchedules;
}

/** Added to every requeue for the next scheduled time, against clock skew (Kubernetes' nextScheduleDelta). */
const NEXT_SCHEDULE_DELTA_MS = 100;

/**
 * Kubernetes' mostRecentScheduleTime (cronjob controller v2): the latest scheduled time
 * after `earliest` and not after `now`, without walking every missed time when a
 * controller was down for long (it estimates how many were missed from the interval
 * between two activations). With `startingDeadlineSeconds`, times older than that
 * before `now` are not considered at all. Throws when the schedule has no next time,
 * or runs more than once a second.
 */
export function mostRecentScheduleTime(
  schedule: Schedule,
  options: { earliest: number; now: number; startingDeadlineSeconds?: number },
): ScheduleWindow {
  const { now, startingDeadlineSeconds } = options;
  let earliest = options.earliest;
  if (startingDeadlineSeconds !== undefined) {
    earliest = Math.max(earliest, now - startingDeadlineSeconds * 1000);
  }
  const t1 = schedule.next(earliest);
  const t2 = schedule.next(t1);
  if (now < t1) return { earliest, missed: 'none' };
  if (now < t2) return { earliest, mostRecent: t1, missed: 'none' };

  const interval = Math.round((t2 - t1) / 1000);
  if (interval < 1) throw new Error('time difference between two schedules is less than 1 second');
  const missedCount = Math.floor((now - t1) / 1000 / interval) + 1;
  // Back one interval more than the estimate, so irregular schedules are walked exactly.
  const potentialEarliest = t1 + (missedCount - 2) * interval * 1000;
  let mostRecent: number | undefined;
  for (let t = schedule.next(potentialEarliest); t <= now; t = schedule.next(t)) mostRecent = t;
  return { earliest, mostRecent, missed: missedCount > 100 ? 'many' : 'few' };
}

/**
 * How long until just after the next scheduled time, counted from the last scheduled
 * time not yet passed since `earliest` (Kubernetes' nextScheduleTimeDuration);
 * undefined when that cannot be told (no `earliest`, a schedule with no next time).
 */
export function untilNextSchedule(schedule: Schedule, earliest: number, now: number): number | undefined {
  if (Number.isNaN(earliest)) return undefined;
  try {
    const window = mostRecentScheduleTime(schedule, { earliest, now });
    const next = schedule.next(window.mostRecent ?? window.earliest);
    return Math.max(0, next + NEXT_SCHEDULE_DELTA_MS - now);
  } catch {
    return undefined;
  }
}
