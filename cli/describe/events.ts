import { age } from '../../schema/columns/age.ts';
import type { EventObject } from '../../schema/columns/objects.ts';
import { lastSeen } from '../../schema/columns/columns.ts';
import type { DescribeWriter } from './writer.ts';

/**
 * The Events section every describe ends with: Type, Reason, Age (`3m (x5 over 10m)`
 * for a repeated event), From and Message, oldest first.
 */
export function eventLines(w: DescribeWriter, events: EventObject[], now = Date.now()): void {
  if (!events.length) return w.line(0, 'Events:', '<none>');
  const sorted = [...events].sort((a, b) => Date.parse(lastSeen(a) ?? '') - Date.parse(lastSeen(b) ?? ''));
  w.line(0, 'Events:');
  w.line(1, 'Type', 'Reason', 'Age', 'From', 'Message');
  w.line(1, '----', '------', '----', '----', '-------');
  for (const e of sorted) {
    const first = e.firstTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp;
    const when =
      (e.count ?? 1) > 1
        ? `${age(lastSeen(e), now)} (x${e.count} over ${age(first, now)})`
        : age(lastSeen(e), now);
    // As kubectl: source.component, else the Go field ReportingController, which core/v1
    // serializes as `reportingComponent`; an empty component counts as none, and the host
    // is not shown.
    const from = e.source?.component || e.reportingComponent;
    w.line(1, e.type ?? '', e.reason ?? '', when, from, String(e.message ?? '').trim());
  }
}
