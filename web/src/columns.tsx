import type { Resource } from '../../client/types.ts';
import { Badge } from './components/Badge.tsx';
import type { Column } from './components/VirtualTable.tsx';
import { age, labelsText, nodeReady, podReady, podRestarts, podStatus } from './format.ts';
import type { KindName, Manifest } from './kinds.ts';

/** Columns are typed by kind; the table holds them as columns of any object. */
function of<K extends KindName>(columns: Column<Manifest<K>>[]): Column<Resource>[] {
  return columns as unknown as Column<Resource>[];
}

const name: Column<Resource> = {
  header: 'Name',
  width: 'minmax(160px, 2fr)',
  cell: (o) => <span className="name">{o.metadata.name}</span>,
};
const namespace: Column<Resource> = {
  header: 'Namespace',
  width: 'minmax(90px, 1fr)',
  cell: (o) => o.metadata.namespace,
};
const created: Column<Resource> = {
  header: 'Age',
  width: '64px',
  cell: (o) => age(o.metadata.creationTimestamp as string | undefined),
};

const replicas = (ready: number | null | undefined, desired: number | null | undefined) =>
  `${ready ?? 0}/${desired ?? 0}`;

/** kubectl get's columns for each kind (the wide ones where they help). */
const BY_KIND: Partial<Record<KindName, Column<Resource>[]>> = {
  Pod: of<'Pod'>([
    { header: 'Ready', width: '64px', cell: podReady },
    { header: 'Status', width: 'minmax(110px, 1fr)', cell: (p) => <Badge status={podStatus(p)} /> },
    { header: 'Restarts', width: '72px', cell: podRestarts },
    { header: 'Node', width: 'minmax(100px, 1fr)', cell: (p) => p.spec?.nodeName ?? '' },
    { header: 'IP', width: '110px', cell: (p) => p.status?.podIP ?? '' },
  ]),
  Deployment: of<'Deployment'>([
    { header: 'Ready', width: '72px', cell: (d) => replicas(d.status?.readyReplicas, d.spec?.replicas) },
    { header: 'Up-to-date', width: '90px', cell: (d) => d.status?.updatedReplicas ?? 0 },
    { header: 'Available', width: '80px', cell: (d) => d.status?.availableReplicas ?? 0 },
  ]),
  ReplicaSet: of<'ReplicaSet'>([
    { header: 'Desired', width: '72px', cell: (r) => r.spec?.replicas ?? 0 },
    { header: 'Current', width: '72px', cell: (r) => r.status?.replicas ?? 0 },
    { header: 'Ready', width: '64px', cell: (r) => r.status?.readyReplicas ?? 0 },
  ]),
  StatefulSet: of<'StatefulSet'>([
    { header: 'Ready', width: '72px', cell: (s) => replicas(s.status?.readyReplicas, s.spec?.replicas) },
  ]),
  DaemonSet: of<'DaemonSet'>([
    { header: 'Desired', width: '72px', cell: (d) => d.status?.desiredNumberScheduled ?? 0 },
    { header: 'Ready', width: '64px', cell: (d) => d.status?.numberReady ?? 0 },
  ]),
  Job: of<'Job'>([
    {
      header: 'Completions',
      width: '100px',
      cell: (j) => `${j.status?.succeeded ?? 0}/${j.spec?.completions ?? 1}`,
    },
    { header: 'Active', width: '64px', cell: (j) => j.status?.active ?? 0 },
  ]),
  CronJob: of<'CronJob'>([
    { header: 'Schedule', width: 'minmax(100px, 1fr)', cell: (c) => <code>{c.spec?.schedule}</code> },
    { header: 'Suspend', width: '72px', cell: (c) => String(c.spec?.suspend ?? false) },
    { header: 'Last schedule', width: '100px', cell: (c) => age(c.status?.lastScheduleTime) },
  ]),
  Service: of<'Service'>([
    { header: 'Type', width: '90px', cell: (s) => s.spec?.type ?? 'ClusterIP' },
    { header: 'Cluster IP', width: '110px', cell: (s) => s.spec?.clusterIP ?? '' },
    {
      header: 'Ports',
      width: 'minmax(110px, 1fr)',
      cell: (s) =>
        (s.spec?.ports ?? [])
          .map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`)
          .join(', '),
    },
  ]),
  Endpoints: of<'Endpoints'>([
    {
      header: 'Endpoints',
      width: 'minmax(160px, 2fr)',
      cell: (e) =>
        (e.subsets ?? [])
          .flatMap((s) => (s.addresses ?? []).flatMap((a) => (s.ports ?? []).map((p) => `${a.ip}:${p.port}`)))
          .join(', ') || '<none>',
    },
  ]),
  ConfigMap: of<'ConfigMap'>([
    { header: 'Data', width: '64px', cell: (c) => Object.keys(c.data ?? {}).length },
  ]),
  Secret: of<'Secret'>([
    { header: 'Type', width: 'minmax(120px, 1fr)', cell: (s) => s.type ?? 'Opaque' },
    { header: 'Data', width: '64px', cell: (s) => Object.keys(s.data ?? {}).length },
  ]),
  Node: of<'Node'>([
    { header: 'Status', width: 'minmax(90px, 1fr)', cell: (n) => <Badge status={nodeReady(n)} /> },
    { header: 'Version', width: 'minmax(90px, 1fr)', cell: (n) => n.status?.nodeInfo?.kubeletVersion ?? '' },
    {
      header: 'Labels',
      width: 'minmax(140px, 2fr)',
      cell: (n) => <span className="muted">{labelsText(n.metadata.labels)}</span>,
    },
  ]),
  Namespace: of<'Namespace'>([
    { header: 'Status', width: '90px', cell: (n) => <Badge status={n.status?.phase ?? 'Active'} /> },
  ]),
  Event: of<'Event'>([
    { header: 'Type', width: '80px', cell: (e) => <Badge status={e.type ?? 'Normal'} /> },
    { header: 'Reason', width: 'minmax(100px, 1fr)', cell: (e) => e.reason },
    {
      header: 'Object',
      width: 'minmax(120px, 1fr)',
      cell: (e) => `${e.involvedObject.kind?.toLowerCase()}/${e.involvedObject.name}`,
    },
    {
      header: 'Message',
      width: 'minmax(180px, 3fr)',
      cell: (e) => <span title={e.message ?? ''}>{e.message}</span>,
    },
  ]),
  Lease: of<'Lease'>([
    { header: 'Holder', width: 'minmax(120px, 1fr)', cell: (l) => l.spec?.holderIdentity ?? '' },
  ]),
  HorizontalPodAutoscaler: of<'HorizontalPodAutoscaler'>([
    {
      header: 'Reference',
      width: 'minmax(120px, 1fr)',
      cell: (h) => `${h.spec?.scaleTargetRef.kind}/${h.spec?.scaleTargetRef.name}`,
    },
    { header: 'Min', width: '56px', cell: (h) => h.spec?.minReplicas ?? 1 },
    { header: 'Max', width: '56px', cell: (h) => h.spec?.maxReplicas ?? '' },
    { header: 'Replicas', width: '72px', cell: (h) => h.status?.currentReplicas ?? 0 },
  ]),
};

export function columnsFor(kind: KindName, withNamespace: boolean): Column<Resource>[] {
  return [name, ...(withNamespace ? [namespace] : []), ...(BY_KIND[kind] ?? []), created];
}
