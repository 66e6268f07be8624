import { useMemo } from 'react';
import { Badge } from './Badge.tsx';
import { NotPermitted } from './NotPermitted.tsx';
import { VirtualTable, type Column } from './VirtualTable.tsx';
import { age, podReady, podRestarts, podStatus } from '../format.ts';
import { pathOf, type Manifest } from '../kinds.ts';

type Pod = Manifest<'Pod'>;

const COLUMNS: Column<Pod>[] = [
  {
    header: 'Name',
    width: 'minmax(160px, 2fr)',
    cell: (p) => <span className="name">{p.metadata.name}</span>,
  },
  { header: 'Ready', width: '64px', cell: podReady },
  { header: 'Status', width: 'minmax(110px, 1fr)', cell: (p) => <Badge status={podStatus(p)} /> },
  { header: 'Restarts', width: '72px', cell: podRestarts },
  {
    header: 'Node',
    width: 'minmax(100px, 1fr)',
    // Text, not a link: the whole row already is one (to the pod, which links its node).
    cell: (p) => p.spec?.nodeName ?? <span className="muted">unscheduled</span>,
  },
  { header: 'Age', width: '64px', cell: (p) => age(p.metadata.creationTimestamp) },
];

/** Pods, sorted by name, each a link to its page. */
export function PodTable({ pods, synced = true }: { pods: Pod[]; synced?: boolean }) {
  const rows = useMemo(
    () =>
      [...pods].sort((a, b) =>
        (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '', undefined, { numeric: true }),
      ),
    [pods],
  );
  return (
    <VirtualTable
      label="Pods"
      rows={rows}
      columns={COLUMNS}
      rowKey={(p) => p.metadata.uid ?? p.metadata.name ?? ''}
      rowHref={(p) => pathOf('Pod', p.metadata.name ?? '', p.metadata.namespace)}
      empty={synced ? 'No pods.' : 'Loading…'}
      maxHeight={420}
    />
  );
}

/** A detail page's "Pods" heading with their count, and the table, or why the caller may not see them. */
export function PodSection({
  items,
  synced,
  forbidden,
}: {
  items: Pod[];
  synced: boolean;
  forbidden?: string;
}) {
  return (
    <>
      <h2>Pods {!forbidden && <span className="count">{items.length}</span>}</h2>
      {forbidden ? (
        <NotPermitted what="these pods" reason={forbidden} />
      ) : (
        <PodTable pods={items} synced={synced} />
      )}
    </>
  );
}
