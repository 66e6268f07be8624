const MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface CronField {
  min: number;
  max: number;
  /** Names allowed instead of numbers, the first standing for `first`. */
  names?: string[];
  first?: number;
}

const FIELDS: CronField[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS, first: 1 },
  { min: 0, max: 7, names: DAYS, first: 0 },
];

/** Whether a schedule is one the CronJob controller can run: 5 cron fields, a macro or `@every <duration>`. */
export function validSchedule(schedule: string): boolean {
  const text = schedule.trim();
  if (MACROS.has(text)) return true;
  if (text.startsWith('@every ')) {
    return /^(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.test(text.slice('@every '.length).trim());
  }
  const fields = text.split(/\s+/);
  return fields.length === FIELDS.length && fields.every((field, i) => validField(field, FIELDS[i]));
}

function validField(field: string, spec: CronField): boolean {
  return field.split(',').every((part) => {
    const [range, step, ...rest] = part.split('/');
    if (rest.length > 0 || (step !== undefined && !/^[1-9]\d*$/.test(step))) return false;
    if (range === '*' || range === '?') return true;
    const [low, high, ...more] = range.split('-');
    const from = fieldValue(low, spec);
    const to = high === undefined ? from : fieldValue(high, spec);
    return more.length === 0 && from !== undefined && to !== undefined && from <= to;
  });
}

function fieldValue(text: string, spec: CronField): number | undefined {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  const value = named >= 0 ? named + (spec.first ?? 0) : /^\d+$/.test(text) ? Number(text) : undefined;
  return value !== undefined && value >= spec.min && value <= spec.max ? value : undefined;
}
