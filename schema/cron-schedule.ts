import { CronExpressionParser } from 'cron-parser';

/**
 * The one reading of a CronJob's schedule, for admission (is it valid?) and for the
 * controller (when does it run?). What is valid is what Kubernetes accepts: its cron
 * library, robfig/cron's ParseStandard, and its API validation, which refuses a
 * `TZ=` / `CRON_TZ=` prefix (the timeZone field says that). The syntax is read here;
 * cron-parser only computes activation times, from fields this module has already
 * expanded, so its own extensions (seconds, `L`, `W`, `#`, `H`, day of week 7) can
 * never be reached.
 */

/** A parsed CronJob schedule. */
export interface Schedule {
  /** The first activation strictly after `after` (ms since the epoch). Throws when there is none. */
  next(after: number): number;
}

/** A schedule Kubernetes would not run, with robfig/cron's reason. */
export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
}

/** The macros robfig/cron knows, as their 5 fields. */
const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const EVERY = '@every ';

interface FieldBounds {
  name: string;
  min: number;
  max: number;
  /** Names allowed instead of numbers (lower case), each standing for min + its index. */
  names?: string[];
}

/** robfig/cron's bounds: note that day of week is 0-6 (7 is not Sunday there). */
const FIELDS: FieldBounds[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'],
  },
  { name: 'day of week', min: 0, max: 6, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

/** One field, expanded: its values, and whether it was `*` / `?` (which matters for day of month and week). */
interface Field {
  values: Set<number>;
  star: boolean;
}

/** A schedule as read: either cron fields or a constant delay (`@every`). */
type ParsedSchedule = { fields: Field[] } | { everyMs: number };

/**
 * Why `schedule` is not one Kubernetes runs, or undefined when it is: 5 cron fields
 * (minute, hour, day of month, month, day of week; `*`, `?`, numbers, 3-letter month
 * and day names, ranges `a-b`, steps `/n` on `*`, a range or a start, lists), a macro
 * (`@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`), or
 * `@every <Go duration>`. Surrounding whitespace is ignored.
 */
export function scheduleError(schedule: string): string | undefined {
  try {
    read(schedule);
    return undefined;
  } catch (error) {
    if (error instanceof ScheduleError) return error.message;
    throw error;
  }
}

/**
 * Parses a schedule (see scheduleError) to run in `timeZone` (IANA), or in the zone of
 * this process without one, as Kubernetes' controller does. `@every` counts from the
 * previous activation, truncated to the second, whatever the zone. Throws a
 * ScheduleError on a schedule Kubernetes would refuse, and cron-parser's error on one
 * that can never run (`0 0 30 2 *`: valid, as in Kubernetes, but never due).
 */
export function parseSchedule(schedule: string, timeZone?: string): Schedule {
  const parsed = read(schedule);
  if ('everyMs' in parsed) {
    const delay = parsed.everyMs;
    return { next: (after) => Math.floor(after / 1000) * 1000 + delay };
  }
  // Expanded fields, `*` kept where robfig/cron saw one: cron-parser then tells a
  // restricted day of month or week from an unrestricted one exactly as robfig does
  // (both restricted: either matches).
  const fields = parsed.fields.map((field) =>
    field.star ? '*' : [...field.values].sort((a, b) => a - b).join(','),
  );
  const expression = CronExpressionParser.parse(fields.join(' '), { tz: timeZone ?? localTimeZone() });
  return {
    next(after) {
      expression.reset(new Date(after));
      return expression.next().getTime();
    },
  };
}

/** The zone a schedule without timeZone runs in: this process's, as in Kubernetes. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Whether an IANA zone name is one a CronJob can run in (`Local` is not: it must be explicit). */
export function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone !== 'Local';
  } catch {
    return false;
  }
}

function read(schedule: string): ParsedSchedule {
  const text = schedule.trim();
  if (/^(CRON_)?TZ=/.test(text)) {
    throw new ScheduleError('cannot use TZ or CRON_TZ in schedule, use timeZone field instead');
  }
  if (text.startsWith('@')) {
    if (text.startsWith(EVERY)) return { everyMs: everyDelayMs(text.slice(EVERY.length)) };
    const macro = MACROS[text];
    if (!macro) throw new ScheduleError(`unrecognized descriptor: ${text}`);
    return read(macro);
  }
  const fields = text.split(/\s+/).filter(Boolean);
  if (fields.length !== FIELDS.length) {
    throw new ScheduleError(
      `expected exactly ${FIELDS.length} fields, found ${fields.length}: [${fields.join(' ')}]`,
    );
  }
  return { fields: fields.map((field, i) => readField(field, FIELDS[i])) };
}

/** robfig/cron's getField: a comma-separated list of ranges. */
function readField(text: string, bounds: FieldBounds): Field {
  const field: Field = { values: new Set(), star: false };
  for (const expr of text.split(',')) readRange(expr, bounds, field);
  return field;
}

/** robfig/cron's getRange: `*` or `?`, `a`, `a-b`, each optionally `/step` (`a/step` is `a-max/step`). */
function readRange(expr: string, bounds: FieldBounds, into: Field): void {
  const where = `in "${expr}" (${bounds.name})`;
  const [range, step, ...moreSlashes] = expr.split('/');
  if (moreSlashes.length) throw new ScheduleError(`too many slashes ${where}`);
  const [low, high, ...moreHyphens] = range.split('-');
  if (moreHyphens.length) throw new ScheduleError(`too many hyphens ${where}`);
  let start: number;
  let end: number;
  let star = false;
  if (low === '*' || low === '?') {
    // robfig/cron ignores what follows a `*-`: it is refused here rather than read as `*`.
    if (high !== undefined) throw new ScheduleError(`a range cannot start with ${low} ${where}`);
    [start, end, star] = [bounds.min, bounds.max, true];
  } else {
    start = number(low, bounds, where);
    end = high === undefined ? start : number(high, bounds, where);
  }
  let by = 1;
  if (step !== undefined) {
    by = number(step, undefined, where);
    if (high === undefined) end = bounds.max;
    if (by > 1) star = false;
  }
  if (start < bounds.min) {
    throw new ScheduleError(`beginning of range (${start}) below minimum (${bounds.min}) ${where}`);
  }
  if (end > bounds.max) {
    throw new ScheduleError(`end of range (${end}) above maximum (${bounds.max}) ${where}`);
  }
  if (start > end) {
    throw new ScheduleError(`beginning of range (${start}) beyond end of range (${end}) ${where}`);
  }
  if (by === 0) throw new ScheduleError(`step of range should be a positive number ${where}`);
  for (let value = start; value <= end; value += by) into.values.add(value);
  into.star ||= star;
}

/** A field's name (3 letters, any case) or a non-negative integer. */
function number(text: string, bounds: FieldBounds | undefined, where: string): number {
  const named = bounds?.names?.indexOf(text.toLowerCase()) ?? -1;
  if (named >= 0) return bounds!.min + named;
  if (!/^\d+$/.test(text))
    throw new ScheduleError(`not a number${bounds?.names ? ' or a name' : ''}: "${text}" ${where}`);
  return Number(text);
}

/** Go's time.ParseDuration units, in ns. */
const DURATION_UNITS_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5 micro sign
  μs: 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};
/** The longest Go duration: 2^63 − 1 ns. */
const MAX_DURATION_NS = 2 ** 63 - 1;

/**
 * robfig/cron's `@every`: a Go duration (time.ParseDuration: `1h30m`, `1.5h`, `90s`,
 * a sign, `0`), less than a second counting as a second, truncated to the second.
 */
function everyDelayMs(text: string): number {
  const fail = (why: string) => new ScheduleError(`failed to parse duration @every ${text}: ${why}`);
  let rest = text;
  const negative = rest.startsWith('-');
  if (negative || rest.startsWith('+')) rest = rest.slice(1);
  let ns = 0;
  if (rest !== '0') {
    if (!rest) throw fail('invalid duration');
    const token = /(\d*)(?:\.(\d*))?([^\d.]*)/y;
    for (let at = 0; at < rest.length; at = token.lastIndex) {
      token.lastIndex = at;
      const [, whole, fraction, unit] = token.exec(rest)!;
      if (!whole && !fraction) throw fail('invalid duration');
      if (!unit) throw fail('missing unit');
      const scale = DURATION_UNITS_NS[unit];
      if (scale === undefined) throw fail(`unknown unit "${unit}"`);
      ns += Number(whole || 0) * scale + (fraction ? (Number(fraction) * scale) / 10 ** fraction.length : 0);
    }
    if (ns > MAX_DURATION_NS) throw fail('invalid duration');
  }
  if (negative || ns < 1e9) return 1000;
  return Math.floor(ns / 1e9) * 1000;
}
