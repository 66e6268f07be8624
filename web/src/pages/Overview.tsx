import { useMemo } from 'react';
import { useObjects } from '../api/hooks.ts';
import { useSamples } from '../api/samples.ts';
import { Badge } from '../components/Badge.tsx';
import { NotPermitted } from '../components/NotPermitted.tsx';
import { UsageBar } from '../components/UsageBar.tsx';
import { VirtualTable, type Column } from '../components/VirtualTable.tsx';
import { age, bytes, cpu, nodeReady, podRequests, podStatus, quantity } from '../format.ts';
import { NodeUsageDocument } from '../generated/graphql.ts';
import { pathOf, type Manifest } from '../kinds.ts';
import { Link } from '../router.tsx';

type Node = Manifest<'Node'>;
type Pod = Manifest<'Pod'>;
type Event = Manifest<'Event'>;

interface NodeRow {
  node: Node;
  pods: number;
  cpu: number;
  memory: number;
  /** Measured use in percent of allocatable (nodeMetrics), when the node reports it. */
  used?: { cpu: number | null; memory: number | null };
}

/** The cluster at a glance: nodes and what is asked of them, workloads and their health, recent warnings. */
export function Overview() {
  const nodes = useObjects<Node>('Node');
  const pods = useObjects<Pod>('Pod');
  const deployments = useObjects<Manifest<'Deployment'>>('Deployment');
  const statefulSets = useObjects<Manifest<'StatefulSet'>>('StatefulSet');
  const daemonSets = useObjects<Manifest<'DaemonSet'>>('DaemonSet');
  const jobs = useObjects<Manifest<'Job'>>('Job');
  const warnings = useObjects<Event>('Event', { fieldSelector: 'type=Warning' });

  const usage = useSamples(NodeUsageDocument, {}, (r) => ({
    timestamp: r.nodeMetrics.map((m) => m.timestamp).join(),
    nodes: r.nodeMetrics,
  }));
  const latestUsage = usage.samples.at(-1)?.nodes;

  const nodeRows = useMemo<NodeRow[]>(() => {
    const byNode = new Map<string, NodeRow>();
    const rows = nodes.items
      .map((node) => ({ node, pods: 0, cpu: 0, memory: 0 }))
      .sort((a, b) =>
        (a.node.metadata.name ?? '').localeCompare(b.node.metadata.name ?? '', undefined, { numeric: true }),
      );
    for (const row of rows) byNode.set(row.node.metadata.name ?? '', row);
    for (const m of latestUsage ?? []) {
      const row = byNode.get(m.metadata.name);
      if (row) row.used = { cpu: m.cpuPercent, memory: m.memoryPercent };
    }
    for (const pod of pods.items) {
      const row = byNode.get(pod.spec?.nodeName ?? '');
      if (!row || pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
      const requests = podRequests(pod);
      row.pods++;
      row.cpu += requests.cpu;
      row.memory += requests.memory;
    }
    return rows;
  }, [nodes.items, pods.items, latestUsage]);

  const podPhases = useMemo(() => {
    const counts = new Map<string, number>();
    for (const pod of pods.items) counts.set(podStatus(pod), (counts.get(podStatus(pod)) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1]);
  }, [pods.items]);

  const recentWarnings = useMemo(
    () => [...warnings.items].sort((a, b) => lastSeen(b).localeCompare(lastSeen(a))).slice(0, 50),
    [warnings.items],
  );

  const readyNodes = nodes.items.filter((n) => nodeReady(n).startsWith('Ready')).length;
  const healthy = <T extends { spec?: { replicas?: number | null } | null; status?: unknown }>(
    items: T[],
    ready: (o: T) => number,
    want: (o: T) => number,
  ) => items.filter((o) => ready(o) >= want(o)).length;

  return (
    <div className="page">
      <h1>Overview</h1>
      <section className="cards">
        <Card title="Nodes" href="/nodes" total={nodes.items.length} good={readyNodes} goodLabel="ready" />
        <Card
          title="Deployments"
          href="/deployments"
          total={deployments.items.length}
          good={healthy(
            deployments.items,
            (d) => d.status?.availableReplicas ?? 0,
            (d) => d.spec?.replicas ?? 1,
          )}
          goodLabel="available"
        />
        <Card
          title="StatefulSets"
          href="/statefulsets"
          total={statefulSets.items.length}
          good={healthy(
            statefulSets.items,
            (s) => s.status?.readyReplicas ?? 0,
            (s) => s.spec?.replicas ?? 1,
          )}
          goodLabel="ready"
        />
        <Card
          title="DaemonSets"
          href="/daemonsets"
          total={daemonSets.items.length}
          good={
            daemonSets.items.filter(
              (d) => (d.status?.numberReady ?? 0) >= (d.status?.desiredNumberScheduled ?? 0),
            ).length
          }
          goodLabel="ready"
        />
        <Card
          title="Jobs"
          href="/jobs"
          total={jobs.items.length}
          good={jobs.items.filter((j) => !(j.status?.failed ?? 0)).length}
          goodLabel="without failures"
        />
        <div className="card">
          <Link href="/pods" className="card-title">
            Pods <span className="count">{pods.items.length}</span>
          </Link>
          <div className="phases">
            {podPhases.length === 0 && <span className="muted">none</span>}
            {podPhases.map(([status, count]) => (
              <span key={status} className="phase">
                <Badge status={status} /> {count}
              </span>
            ))}
          </div>
        </div>
      </section>

      <h2>Nodes</h2>
      {nodes.forbidden ? (
        <NotPermitted what="nodes" reason={nodes.forbidden} />
      ) : (
        <VirtualTable
          label="Nodes"
          rows={nodeRows}
          columns={NODE_COLUMNS}
          rowKey={(r) => r.node.metadata.name ?? ''}
          rowHref={(r) => pathOf('Node', r.node.metadata.name ?? '')}
          empty={nodes.synced ? 'No nodes have registered.' : 'Loading…'}
          maxHeight={360}
        />
      )}

      <h2>Recent warnings</h2>
      {warnings.forbidden ? (
        <NotPermitted what="events in every namespace" reason={warnings.forbidden} />
      ) : (
        <VirtualTable
          label="Recent warnings"
          rows={recentWarnings}
          columns={WARNING_COLUMNS}
          rowKey={(e) => `${e.metadata.namespace}/${e.metadata.name}`}
          rowHref={(e) =>
            pathOf(e.involvedObject.kind ?? '', e.involvedObject.name ?? '', e.involvedObject.namespace)
          }
          empty={warnings.synced ? 'No warnings.' : 'Loading…'}
          maxHeight={360}
        />
      )}
    </div>
  );
}

function Card({
  title,
  href,
  total,
  good,
  goodLabel,
}: {
  title: string;
  href: string;
  total: number;
  good: number;
  goodLabel: string;
}) {
  const bad = total - good;
  return (
    <div className="card">
      <Link href={href} className="card-title">
        {title} <span className="count">{total}</span>
      </Link>
      <div className="card-body">
        <span className="ok-text">
          {good} {goodLabel}
        </span>
        {bad > 0 && <span className="bad-text">{bad} not</span>}
      </div>
    </div>
  );
}

function lastSeen(event: Event): string {
  return event.lastTimestamp ?? event.eventTime ?? event.metadata.creationTimestamp ?? '';
}

const NODE_COLUMNS: Column<NodeRow>[] = [
  {
    header: 'Name',
    width: 'minmax(120px, 1.2fr)',
    cell: (r) => <span className="name">{r.node.metadata.name}</span>,
  },
  { header: 'Status', width: 'minmax(90px, 0.8fr)', cell: (r) => <Badge status={nodeReady(r.node)} /> },
  {
    header: 'CPU requested',
    width: 'minmax(140px, 1.5fr)',
    cell: (r) => {
      const total = quantity(r.node.status?.allocatable?.cpu ?? r.node.status?.capacity?.cpu);
      return <UsageBar used={r.cpu} total={total} label={`${cpu(r.cpu)} / ${cpu(total)}`} />;
    },
  },
  {
    header: 'Memory requested',
    width: 'minmax(140px, 1.5fr)',
    cell: (r) => {
      const total = quantity(r.node.status?.allocatable?.memory ?? r.node.status?.capacity?.memory);
      return <UsageBar used={r.memory} total={total} label={`${bytes(r.memory)} / ${bytes(total)}`} />;
    },
  },
  {
    header: 'Used CPU / mem',
    width: 'minmax(110px, 1fr)',
    cell: (r) =>
      r.used ? (
        `${r.used.cpu ?? '?'}% / ${r.used.memory ?? '?'}%`
      ) : (
        <span className="muted">not reported</span>
      ),
  },
  {
    header: 'Pods',
    width: 'minmax(120px, 1fr)',
    cell: (r) => {
      const total = quantity(r.node.status?.allocatable?.pods ?? r.node.status?.capacity?.pods);
      return <UsageBar used={r.pods} total={total} label={`${r.pods} / ${total}`} />;
    },
  },
];

const WARNING_COLUMNS: Column<Event>[] = [
  { header: 'Last seen', width: '80px', cell: (e) => age(lastSeen(e)) },
  {
    header: 'Reason',
    width: 'minmax(100px, 1fr)',
    cell: (e) => <Badge status={e.reason ?? 'Warning'} tone="bad" />,
  },
  {
    header: 'Object',
    width: 'minmax(140px, 1.2fr)',
    cell: (e) => `${e.involvedObject.kind?.toLowerCase()}/${e.involvedObject.name}`,
  },
  {
    header: 'Message',
    width: 'minmax(200px, 3fr)',
    cell: (e) => <span title={e.message ?? ''}>{e.message}</span>,
  },
  { header: 'Count', width: '60px', cell: (e) => e.count ?? 1 },
];
