/**
 * Times as the API writes them. Kubernetes writes most timestamps (conditions, events,
 * startTime, deletionTimestamp) as RFC 3339 to the second, and Lease times
 * (MicroTime) to the microsecond: every component of this agent writes them the same
 * way, so that a status it writes compares equal to the one it read back.
 */

/** RFC 3339 with second precision, as Kubernetes writes most timestamps. */
export function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** RFC 3339 with microseconds, as Lease times are written (MicroTime). */
export function microTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

/** A time field as epoch ms; undefined when absent or unparsable. */
export function timeOf(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
