import { timestamp } from '../../timestamps.ts';

/** RFC 3339 in a time zone (`2024-05-01T09:00:00+02:00`), as Go formats a time.Time in a location; UTC (`Z`) without one. */
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
