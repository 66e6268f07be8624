import { useMemo } from 'react';
import type { Resource } from '../../../client/types.ts';
import { useObjects } from '../api/hooks.ts';
import { Badge } from '../components/Badge.tsx';
import { VirtualTable, type Column } from '../components/VirtualTable.tsx';
import { age } from '../format.ts';
import type { Manifest } from '../kinds.ts';

type Event = Manifest<'Event'>;

const COLUMNS: Column<Event>[] = [
  { header: 'Type', width: '80px', cell: (e) => <Badge status={e.type ?? 'Normal'} /> },
  { header: 'Reason', width: 'minmax(110px, 1fr)', cell: (e) => e.reason },
  { header: 'Age', width: '64px', cell: (e) => age(lastSeen(e)) },
  { header: 'From', width: 'minmax(100px, 1fr)', cell: (e) => e.source?.component || e.reportingComponent },
  {
    header: 'Message',
    width: 'minmax(200px, 3fr)',
    cell: (e) => <span title={e.message ?? ''}>{e.message}</span>,
  },
];

function lastSeen(e: Event): string {
  return e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? '';
}

/** The events about one object (by uid, so a namesake deleted earlier does not mix in), newest first. */
export function EventsTable({ obj }: { obj: Resource }) {
  const { items, synced } = useObjects<Event>('Event', {
    fieldSelector: `involvedObject.uid=${obj.metadata.uid}`,
  });
  const rows = useMemo(() => [...items].sort((a, b) => lastSeen(b).localeCompare(lastSeen(a))), [items]);
  return (
    <VirtualTable
      label="Events"
      rows={rows}
      columns={COLUMNS}
      rowKey={(e) => `${e.metadata.namespace}/${e.metadata.name}`}
      empty={synced ? 'No events.' : 'Loading…'}
      maxHeight={480}
    />
  );
}
