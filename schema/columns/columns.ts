import type { Resource } from '../kind.ts';
import { age, humanDuration } from './age.ts';
import {
  type Columns,
  containerImages,
  containerNames,
  count,
  created,
  labelsText,
  name,
  NONE,
  selectorText,
  str,
} from './cells.ts';
import {
  field,
  type Condition,
  type EndpointsObject,
  type EventObject,
  type KindObjects,
  type NodeObject,
  type PodObject,
  type ServiceObject,
  creationTimestamp,
} from './objects.ts';
import { ACCESS_COLUMNS } from './access.ts';
import { NETWORKING_COLUMNS } from './networking.ts';
import { podSummary } from './pod-status.ts';
import { POLICY_COLUMNS } from './policy.ts';
import { STORAGE_COLUMNS } from './storage.ts';

export { labelsText, selectorText, type Columns } from './cells.ts';

function condition(obj: { status?: { conditions?: Condition[] } }, type: string): Condition | undefined {
  return (obj.status?.conditions ?? []).find((c) => c.type === type);
}

/** The controller ownerReference as kubectl prints it: `statefulset.apps/web`, `<none>` without one. */
function controllerOf(obj: Resource): string {
  const ref = obj.metadata.ownerReferences?.find((owner) => owner.controller);
  if (!ref) return NONE;
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
  return `${ref.kind.toLowerCase()}${group ? `.${group}` : ''}/${ref.name}`;
}

/** Service PORT(S): `80/TCP`, `80:30080/TCP` for a node port. */
export function servicePorts(svc: ServiceObject): string {
  const ports = svc.spec?.ports ?? [];
  if (!ports.length) return NONE;
  return ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
}

function externalIP(svc: ServiceObject): string {
  const type = svc.spec?.type ?? 'ClusterIP';
  const external: Array<string | undefined> = [...(svc.spec?.externalIPs ?? [])];
  if (type === 'LoadBalancer') {
    const ingress = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname);
    external.push(...ingress);
    return external.length ? external.join(',') : '<pending>';
  }
  if (type === 'ExternalName') return str(svc.spec?.externalName);
  return external.length ? external.join(',') : NONE;
}

function nodeStatus(node: NodeObject): string {
  const ready = condition(node, 'Ready');
  const parts = [
    ready
      ? ready.status === 'True'
        ? 'Ready'
        : ready.status === 'False'
          ? 'NotReady'
          : 'Unknown'
      : 'Unknown',
  ];
  if (node.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function nodeRoles(node: NodeObject): string {
  const roles = Object.keys(node.metadata?.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length));
  const kubernetesRole = node.metadata?.labels?.['kubernetes.io/role'];
  if (kubernetesRole) roles.push(kubernetesRole);
  return roles.length ? roles.sort().join(',') : NONE;
}

const nodeAddress = (node: NodeObject, type: string) =>
  str((node.status?.addresses ?? []).find((a) => a.type === type)?.address);

/** Endpoints as `ip:port,...` with at most three shown, as kubectl formats them. */
export function endpointsText(ep: EndpointsObject): string {
  const all: string[] = [];
  for (const subset of ep.subsets ?? []) {
    const ports = subset.ports ?? [];
    for (const address of subset.addresses ?? []) {
      if (!ports.length) all.push(address.ip);
      for (const port of ports) all.push(`${address.ip}:${port.port}`);
    }
  }
  if (!all.length) return NONE;
  const shown = all.slice(0, 3).join(',');
  return all.length > 3 ? `${shown} + ${all.length - 3} more...` : shown;
}

function jobStatus(job: KindObjects['Job']): string {
  if (condition(job, 'Complete')?.status === 'True') return 'Complete';
  if (condition(job, 'Failed')?.status === 'True') return 'Failed';
  if (condition(job, 'FailureTarget')?.status === 'True') return 'FailureTarget';
  if (job.spec?.suspend) return 'Suspended';
  return 'Running';
}

function jobDuration(job: KindObjects['Job'], now: number): string {
  const start = job.status?.startTime;
  if (!start) return '';
  const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now;
  return humanDuration(end - Date.parse(start));
}

/** An Event's involved object as kubectl prints it: `pod/web-1`. */
export const involvedObject = (event: EventObject) =>
  `${String(event.involvedObject?.kind ?? '').toLowerCase()}/${event.involvedObject?.name ?? ''}`;

/** When an event last happened: lastTimestamp, else eventTime, else creation. */
export const lastSeen = (event: EventObject) =>
  event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata?.creationTimestamp;

/** kubectl's READINESS GATES: kq's PodSpec has no readinessGates, so this is empty unless a pod has them anyway. */
function readinessGates(pod: PodObject): string {
  const gates = field(pod.spec, 'readinessGates');
  return Array.isArray(gates) ? gates.map((g) => field(g, 'conditionType')).join(',') : '';
}

function hpaTargets(hpa: KindObjects['HorizontalPodAutoscaler']): string {
  const metrics = hpa.spec?.metrics ?? [];
  if (!metrics.length) return NONE;
  const current = hpa.status?.currentMetrics ?? [];
  return metrics
    .map((m, i) => {
      const target = m.resource?.target ?? m.pods?.target;
      const now = current[i]?.resource?.current ?? current[i]?.pods?.current;
      const want =
        target?.averageUtilization !== undefined
          ? `${target.averageUtilization}%`
          : String(target?.averageValue ?? target?.value ?? '');
      const have =
        now?.averageUtilization !== undefined
          ? `${now.averageUtilization}%`
          : now?.averageValue !== undefined
            ? String(now.averageValue)
            : '<unknown>';
      return `${m.resource?.name ? `${m.resource.name}: ` : ''}${have}/${want}`;
    })
    .join(', ');
}

export const COLUMNS: { [K in keyof KindObjects]: Columns<KindObjects[K]> } = {
  Pod: {
    headers: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
    wide: ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
    row: (pod, now) => {
      const s = podSummary(pod, now);
      return [name(pod), s.ready, s.status, s.restarts, created(pod, now)];
    },
    wideRow: (pod) => [
      str(pod.status?.podIP),
      str(pod.spec?.nodeName),
      str(pod.status?.nominatedNodeName),
      str(readinessGates(pod)),
    ],
  },
  Deployment: {
    headers: ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
    wide: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    row: (d, now) => [
      name(d),
      `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`,
      count(d.status?.updatedReplicas),
      count(d.status?.availableReplicas),
      created(d, now),
    ],
    wideRow: (d) => [
      containerNames(d.spec?.template),
      containerImages(d.spec?.template),
      selectorText(d.spec?.selector),
    ],
  },
  ReplicaSet: {
    headers: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
    wide: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    row: (rs, now) => [
      name(rs),
      count(rs.spec?.replicas ?? 1),
      count(rs.status?.replicas),
      count(rs.status?.readyReplicas),
      created(rs, now),
    ],
    wideRow: (rs) => [
      containerNames(rs.spec?.template),
      containerImages(rs.spec?.template),
      selectorText(rs.spec?.selector),
    ],
  },
  ReplicationController: {
    headers: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE'],
    wide: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    row: (rc, now) => [
      name(rc),
      count(rc.spec?.replicas ?? 1),
      count(rc.status?.replicas),
      count(rc.status?.readyReplicas),
      created(rc, now),
    ],
    wideRow: (rc) => [
      containerNames(rc.spec?.template),
      containerImages(rc.spec?.template),
      labelsText(rc.spec?.selector),
    ],
  },
  StatefulSet: {
    headers: ['NAME', 'READY', 'AGE'],
    wide: ['CONTAINERS', 'IMAGES'],
    row: (s, now) => [name(s), `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 1}`, created(s, now)],
    wideRow: (s) => [containerNames(s.spec?.template), containerImages(s.spec?.template)],
  },
  DaemonSet: {
    headers: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE'],
    wide: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    row: (ds, now) => [
      name(ds),
      count(ds.status?.desiredNumberScheduled),
      count(ds.status?.currentNumberScheduled),
      count(ds.status?.numberReady),
      count(ds.status?.updatedNumberScheduled),
      count(ds.status?.numberAvailable),
      labelsText(ds.spec?.template?.spec?.nodeSelector),
      created(ds, now),
    ],
    wideRow: (ds) => [
      containerNames(ds.spec?.template),
      containerImages(ds.spec?.template),
      selectorText(ds.spec?.selector),
    ],
  },
  ControllerRevision: {
    headers: ['NAME', 'CONTROLLER', 'REVISION', 'AGE'],
    row: (cr, now) => [name(cr), controllerOf(cr), String(cr.revision ?? 0), created(cr, now)],
  },
  Job: {
    headers: ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE'],
    wide: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    row: (job, now) => [
      name(job),
      jobStatus(job),
      `${job.status?.succeeded ?? 0}/${job.spec?.completions ?? 1}`,
      jobDuration(job, now),
      created(job, now),
    ],
    wideRow: (job) => [
      containerNames(job.spec?.template),
      containerImages(job.spec?.template),
      selectorText(job.spec?.selector),
    ],
  },
  CronJob: {
    headers: ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE'],
    wide: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
    row: (cj, now) => [
      name(cj),
      cj.spec?.schedule ?? '',
      str(cj.spec?.timeZone),
      cj.spec?.suspend ? 'True' : 'False',
      String((cj.status?.active ?? []).length),
      cj.status?.lastScheduleTime ? age(cj.status.lastScheduleTime, now) : NONE,
      created(cj, now),
    ],
    wideRow: (cj) => [
      containerNames(cj.spec?.jobTemplate?.spec?.template),
      containerImages(cj.spec?.jobTemplate?.spec?.template),
      selectorText(cj.spec?.jobTemplate?.spec?.selector),
    ],
  },
  Service: {
    headers: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
    wide: ['SELECTOR'],
    row: (svc, now) => [
      name(svc),
      svc.spec?.type ?? 'ClusterIP',
      str(svc.spec?.clusterIP),
      externalIP(svc),
      servicePorts(svc),
      created(svc, now),
    ],
    wideRow: (svc) => [labelsText(svc.spec?.selector)],
  },
  Endpoints: {
    headers: ['NAME', 'ENDPOINTS', 'AGE'],
    row: (ep, now) => [name(ep), endpointsText(ep), created(ep, now)],
  },
  Node: {
    headers: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
    wide: ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'],
    row: (node, now) => [
      name(node),
      nodeStatus(node),
      nodeRoles(node),
      created(node, now),
      str(node.status?.nodeInfo?.kubeletVersion),
    ],
    wideRow: (node) => [
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      str(node.status?.nodeInfo?.osImage),
      str(node.status?.nodeInfo?.kernelVersion),
      str(node.status?.nodeInfo?.containerRuntimeVersion),
    ],
  },
  Namespace: {
    headers: ['NAME', 'STATUS', 'AGE'],
    row: (ns, now) => [name(ns), ns.status?.phase ?? 'Active', created(ns, now)],
  },
  ConfigMap: {
    headers: ['NAME', 'DATA', 'AGE'],
    row: (cm, now) => [
      name(cm),
      String(Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length),
      created(cm, now),
    ],
  },
  Secret: {
    headers: ['NAME', 'TYPE', 'DATA', 'AGE'],
    row: (secret, now) => [
      name(secret),
      secret.type ?? 'Opaque',
      String(Object.keys(secret.data ?? {}).length),
      created(secret, now),
    ],
  },
  Event: {
    headers: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
    row: (event, now) => [
      age(lastSeen(event), now),
      event.type ?? '',
      event.reason ?? '',
      involvedObject(event),
      String(event.message ?? '').trim(),
    ],
  },
  Lease: {
    headers: ['NAME', 'HOLDER', 'AGE'],
    row: (lease, now) => [name(lease), lease.spec?.holderIdentity ?? '', created(lease, now)],
  },
  HorizontalPodAutoscaler: {
    headers: ['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE'],
    row: (hpa, now) => [
      name(hpa),
      `${hpa.spec?.scaleTargetRef?.kind}/${hpa.spec?.scaleTargetRef?.name}`,
      hpaTargets(hpa),
      String(hpa.spec?.minReplicas ?? 1),
      String(hpa.spec?.maxReplicas ?? ''),
      String(hpa.status?.currentReplicas ?? 0),
      created(hpa, now),
    ],
  },
  ...ACCESS_COLUMNS,
  ...STORAGE_COLUMNS,
  ...NETWORKING_COLUMNS,
  ...POLICY_COLUMNS,
  CustomResourceDefinition: {
    headers: ['NAME', 'CREATED AT'],
    row: (crd) => [name(crd), creationTimestamp(crd) ?? NONE],
  },
};

/** Any kind kq has no table for: NAME and AGE, as kubectl's default printer. */
export const DEFAULT_COLUMNS: Columns = {
  headers: ['NAME', 'AGE'],
  row: (obj, now) => [name(obj), created(obj, now)],
};

const hasColumns = (kind: string): kind is keyof KindObjects => Object.hasOwn(COLUMNS, kind);

/**
 * A kind's columns, for its objects. The table is keyed by kind, so the objects a kind's
 * columns are given are of that kind.
 */
export const columnsFor = (kind: string): Columns => (hasColumns(kind) ? COLUMNS[kind] : DEFAULT_COLUMNS);
