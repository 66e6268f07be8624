import { CronExpressionParser } from 'cron-parser';
import { timestamp } from '../timestamps.ts';

/** A parsed CronJob schedule. */
export interface Schedule {
  /** The first activation strictly after `after` (ms since the epoch). Throws when there is none. */
  next(after: number): number;
}

/** The macros Kubernetes' cron library (robfig/cron, ParseStandard) knows, as 5 fields. */
const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** The zone a schedule without timeZone runs in: the controller's, as in Kubernetes. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * Parses a schedule as the CronJob controller runs it: 5 standard cron fields (minute,
 * hour, day of month, month, day of week; names, ranges, steps, lists; a restricted day
 * of month and day of week match either), a macro (`@hourly`, ...), or `@every
 * <duration>` (Go syntax, at least a second, counted from the previous activation), in
 * `timeZone` (IANA) or the controller's zone. Throws on anything else.
 */
export function parseSchedule(schedule: string, timeZone?: string): Schedule {
  const text = schedule.trim();
  if (text.startsWith('@every ')) {
    const delay = everyDelay(text.slice('@every '.length).trim());
    return { next: (after) => Math.floor(after / 1000) * 1000 + delay };
  }
  const fields = MACROS[text] ?? text;
  if (fields.split(/\s+/).length !== 5) throw new Error(`expected exactly 5 fields, found: ${text}`);
  const expression = CronExpressionParser.parse(fields, { tz: timeZone ?? localTimeZone() });
  return {
    next(after) {
      expression.reset(new Date(after));
      return expression.next().getTime();
    },
  };
}

/** robfig/cron's `@every`: a Go duration, rounded down to the second, at least one second. */
function everyDelay(text: string): number {
  if (!text) throw new Error('@every needs a duration');
  const token = /(\d+\.?\d*|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let ms = 0;
  let at = 0;
  while (at < text.length) {
    token.lastIndex = at;
    const match = token.exec(text);
    if (!match) throw new Error(`invalid duration in @every: ${text}`);
    ms += Number(match[1]) * DURATION_UNITS[match[2]];
    at = token.lastIndex;
  }
  return Math.max(1000, ms - (ms % 1000));
}

/** How many scheduled times were missed since the last one run: Kubernetes warns past 100. */
export type MissedSchedules = 'none' | 'few' | 'many';

export interface ScheduleWindow {
  /** Where the search for unmet times started (last run, creation, or the starting deadline). */
  earliest: number;
  /** The most recent scheduled time in (earliest, now], if any. */
  mostRecent?: number;
  missed: MissedSchedules;
}

/**
 * Kubernetes' mostRecentScheduleTime (cronjob controller v2): the latest scheduled time
 * after `earliest` and not after `now`, without walking every missed time when a
 * controller was down for long (it estimates how many were missed from the interval
 * between two activations). With `startingDeadlineSeconds`, times older than that
 * before `now` are not considered at all.
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

/** RFC 3339 in a time zone (`2024-05-01T09:00:00+02:00`), as Go formats a time.Time in a location. */
export function rfc3339In(ms: number, timeZone?: string): string {
  const utc = timestamp(ms);
  if (!timeZone || timeZone === 'UTC') return utc;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    })
      .formatToParts(new Date(ms))
      .map((part) => [part.type, part.value]),
  );
  const offset = parts.timeZoneName === 'GMT' ? 'Z' : parts.timeZoneName.replace(/^GMT/, '');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}

/** Whether an IANA zone name is one the controller can use. */
export function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone !== 'Local';
  } catch {
    return false;
  }
}
