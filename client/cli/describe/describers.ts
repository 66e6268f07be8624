import { endpointsText, labelsText, selectorText, servicePorts } from '../printers/columns.ts';
import { age } from '../age.ts';
import { eventLines } from './events.ts';
import { containerLines, podTemplateLines, tolerationText, volumeLines } from './template.ts';
import { DescribeWriter, timestamp } from './writer.ts';

/** An object and what describe shows beside it: its events and the related objects the API's graph edges give. */
export interface Described {
  object: any;
  events: any[];
  replicaSets?: any[];
  pods?: any[];
  endpoints?: any;
}

/** The graph edges each kind's describe asks for beside `manifest` and `events`. */
export const RELATED: Record<string, string> = {
  Deployment: 'replicaSets { manifest }',
  ReplicaSet: 'pods { manifest }',
  StatefulSet: 'pods { manifest }',
  DaemonSet: 'pods { manifest }',
  Job: 'pods { manifest }',
  Service: 'endpoints { manifest }',
  Node: 'pods { manifest }',
};

const NONE = '<none>';

function header(w: DescribeWriter, obj: any, namespaced: boolean) {
  w.line(0, 'Name:', obj.metadata.name);
  if (namespaced) w.line(0, 'Namespace:', obj.metadata.namespace);
}

function controlledBy(obj: any): string | undefined {
  const ref = (obj.metadata.ownerReferences ?? []).find((r: any) => r.controller);
  return ref ? `${ref.kind}/${ref.name}` : undefined;
}

function conditionsTable(w: DescribeWriter, conditions: any[] | undefined, withReason: boolean) {
  if (!conditions?.length) return;
  w.line(0, 'Conditions:');
  if (withReason) {
    w.line(1, 'Type', 'Status', 'Reason');
    w.line(1, '----', '------', '------');
    for (const c of conditions) w.line(1, c.type, c.status, c.reason ?? '');
  } else {
    w.line(1, 'Type', 'Status');
    for (const c of conditions) w.line(1, `${c.type} `, `${c.status} `);
  }
}

function podsStatus(pods: any[] | undefined): string {
  const by = (phase: string) => (pods ?? []).filter((p) => (p.status?.phase ?? 'Pending') === phase).length;
  return `${by('Running')} Running / ${by('Pending')} Waiting / ${by('Succeeded')} Succeeded / ${by('Failed')} Failed`;
}

function pod({ object: p, events }: Described): string {
  const w = new DescribeWriter();
  header(w, p, true);
  w.line(0, 'Priority:', p.spec?.priority ?? 0);
  w.line(0, 'Service Account:', p.spec?.serviceAccountName ?? 'default');
  w.line(0, 'Node:', p.spec?.nodeName ? `${p.spec.nodeName}/${p.status?.hostIP ?? ''}` : NONE);
  if (p.status?.startTime) w.line(0, 'Start Time:', timestamp(p.status.startTime));
  w.map(0, 'Labels', p.metadata.labels);
  w.map(0, 'Annotations', p.metadata.annotations, ': ');
  if (p.metadata.deletionTimestamp) {
    w.line(0, 'Status:', `Terminating (lasts ${age(p.metadata.deletionTimestamp)})`);
    w.line(
      0,
      'Termination Grace Period:',
      `${p.metadata.deletionGracePeriodSeconds ?? p.spec?.terminationGracePeriodSeconds ?? 30}s`,
    );
  } else w.line(0, 'Status:', p.status?.phase ?? 'Pending');
  if (p.status?.reason) w.line(0, 'Reason:', p.status.reason);
  if (p.status?.message) w.line(0, 'Message:', p.status.message);
  w.line(0, 'IP:', p.status?.podIP ?? '');
  const ips = p.status?.podIPs ?? (p.status?.podIP ? [{ ip: p.status.podIP }] : []);
  if (!ips.length) w.line(0, 'IPs:', NONE);
  else {
    w.line(0, 'IPs:');
    for (const ip of ips) w.line(1, 'IP:', ip.ip);
  }
  const owner = controlledBy(p);
  if (owner) w.line(0, 'Controlled By:', owner);
  containerLines(
    w,
    0,
    'Init Containers',
    p.spec?.initContainers ?? [],
    p.status?.initContainerStatuses ?? [],
  );
  containerLines(w, 0, 'Containers', p.spec?.containers ?? [], p.status?.containerStatuses ?? []);
  conditionsTable(w, p.status?.conditions, false);
  volumeLines(w, 0, p.spec?.volumes);
  w.line(0, 'QoS Class:', p.status?.qosClass ?? 'BestEffort');
  w.line(0, 'Node-Selectors:', labelsText(p.spec?.nodeSelector));
  const tolerations = (p.spec?.tolerations ?? []).map(tolerationText);
  if (!tolerations.length) w.line(0, 'Tolerations:', NONE);
  tolerations.forEach((t: string, i: number) => w.line(0, i === 0 ? 'Tolerations:' : '', t));
  eventLines(w, events);
  return w.toString();
}

function replicaSetSummary(rs: any): string {
  return `${rs.metadata.name} (${rs.status?.replicas ?? 0}/${rs.spec?.replicas ?? 0} replicas created)`;
}

function deployment({ object: d, events, replicaSets = [] }: Described): string {
  const w = new DescribeWriter();
  header(w, d, true);
  w.line(0, 'CreationTimestamp:', timestamp(d.metadata.creationTimestamp));
  w.map(0, 'Labels', d.metadata.labels);
  w.map(0, 'Annotations', d.metadata.annotations, ': ');
  w.line(0, 'Selector:', selectorText(d.spec?.selector));
  const s = d.status ?? {};
  w.line(
    0,
    'Replicas:',
    `${d.spec?.replicas ?? 1} desired | ${s.updatedReplicas ?? 0} updated | ${s.replicas ?? 0} total | ${s.availableReplicas ?? 0} available | ${s.unavailableReplicas ?? 0} unavailable`,
  );
  const strategy = d.spec?.strategy ?? {};
  w.line(0, 'StrategyType:', strategy.type ?? 'RollingUpdate');
  w.line(0, 'MinReadySeconds:', d.spec?.minReadySeconds ?? 0);
  if ((strategy.type ?? 'RollingUpdate') === 'RollingUpdate') {
    const ru = strategy.rollingUpdate ?? {};
    w.line(
      0,
      'RollingUpdateStrategy:',
      `${ru.maxUnavailable ?? '25%'} max unavailable, ${ru.maxSurge ?? '25%'} max surge`,
    );
  }
  podTemplateLines(w, d.spec?.template, 0);
  conditionsTable(w, d.status?.conditions, true);
  // The newest ReplicaSet by revision is the new one, as the deployment controller sees it.
  const revision = (rs: any) => Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
  const sorted = [...replicaSets].sort((a, b) => revision(b) - revision(a));
  const current = d.metadata.annotations?.['deployment.kubernetes.io/revision'];
  const newRS = sorted.find((rs) => String(revision(rs)) === current) ?? sorted[0];
  const old = sorted.filter(
    (rs) => rs !== newRS && ((rs.spec?.replicas ?? 0) > 0 || (rs.status?.replicas ?? 0) > 0),
  );
  w.line(0, 'OldReplicaSets:', old.length ? old.map(replicaSetSummary).join(', ') : NONE);
  w.line(0, 'NewReplicaSet:', newRS ? replicaSetSummary(newRS) : NONE);
  eventLines(w, events);
  return w.toString();
}

function podOwner(kindTitle: string) {
  return ({ object: o, events, pods }: Described): string => {
    const w = new DescribeWriter();
    header(w, o, true);
    w.line(0, 'Selector:', selectorText(o.spec?.selector));
    w.map(0, 'Labels', o.metadata.labels);
    w.map(0, 'Annotations', o.metadata.annotations, ': ');
    const owner = controlledBy(o);
    if (owner) w.line(0, 'Controlled By:', owner);
    const s = o.status ?? {};
    if (kindTitle === 'DaemonSet') {
      w.line(0, 'Desired Number of Nodes Scheduled:', s.desiredNumberScheduled ?? 0);
      w.line(0, 'Current Number of Nodes Scheduled:', s.currentNumberScheduled ?? 0);
      w.line(0, 'Number of Nodes Scheduled with Up-to-date Pods:', s.updatedNumberScheduled ?? 0);
      w.line(0, 'Number of Nodes Scheduled with Available Pods:', s.numberAvailable ?? 0);
      w.line(0, 'Number of Nodes Misscheduled:', s.numberMisscheduled ?? 0);
    } else if (kindTitle === 'Job') {
      w.line(0, 'Parallelism:', o.spec?.parallelism ?? 1);
      w.line(0, 'Completions:', o.spec?.completions ?? 1);
      w.line(0, 'Completion Mode:', o.spec?.completionMode ?? 'NonIndexed');
      if (s.startTime) w.line(0, 'Start Time:', timestamp(s.startTime));
      if (s.completionTime) w.line(0, 'Completed At:', timestamp(s.completionTime));
      w.line(
        0,
        'Pods Statuses:',
        `${s.active ?? 0} Active / ${s.succeeded ?? 0} Succeeded / ${s.failed ?? 0} Failed`,
      );
    } else {
      w.line(0, 'Replicas:', `${s.replicas ?? 0} current / ${o.spec?.replicas ?? 1} desired`);
    }
    if (kindTitle !== 'Job') w.line(0, 'Pods Status:', podsStatus(pods));
    podTemplateLines(w, o.spec?.template, 0);
    conditionsTable(w, o.status?.conditions, true);
    eventLines(w, events);
    return w.toString();
  };
}

function service({ object: svc, events, endpoints }: Described): string {
  const w = new DescribeWriter();
  header(w, svc, true);
  w.map(0, 'Labels', svc.metadata.labels);
  w.map(0, 'Annotations', svc.metadata.annotations, ': ');
  w.line(0, 'Selector:', labelsText(svc.spec?.selector));
  w.line(0, 'Type:', svc.spec?.type ?? 'ClusterIP');
  w.line(0, 'IP Family Policy:', svc.spec?.ipFamilyPolicy ?? 'SingleStack');
  w.line(0, 'IP Families:', (svc.spec?.ipFamilies ?? ['IPv4']).join(','));
  w.line(0, 'IP:', svc.spec?.clusterIP ?? NONE);
  w.line(
    0,
    'IPs:',
    (svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : [])).join(',') || NONE,
  );
  for (const p of svc.spec?.ports ?? []) {
    const name = p.name || '<unset>';
    w.line(0, 'Port:', `${name}  ${p.port}/${p.protocol ?? 'TCP'}`);
    w.line(0, 'TargetPort:', `${p.targetPort ?? p.port}/${p.protocol ?? 'TCP'}`);
    if (p.nodePort) w.line(0, 'NodePort:', `${name}  ${p.nodePort}/${p.protocol ?? 'TCP'}`);
    w.line(0, 'Endpoints:', endpoints ? endpointsText(endpoints) : '');
  }
  if (!svc.spec?.ports?.length) w.line(0, 'Port:', servicePorts(svc));
  w.line(0, 'Session Affinity:', svc.spec?.sessionAffinity ?? 'None');
  if (svc.spec?.type === 'NodePort' || svc.spec?.type === 'LoadBalancer') {
    w.line(0, 'External Traffic Policy:', svc.spec?.externalTrafficPolicy ?? 'Cluster');
  }
  w.line(0, 'Internal Traffic Policy:', svc.spec?.internalTrafficPolicy ?? 'Cluster');
  eventLines(w, events);
  return w.toString();
}

function node({ object: n, events, pods = [] }: Described): string {
  const w = new DescribeWriter();
  w.line(0, 'Name:', n.metadata.name);
  const roles = Object.keys(n.metadata.labels ?? {}).filter((k) => k.startsWith('node-role.kubernetes.io/'));
  w.line(0, 'Roles:', roles.map((r) => r.split('/')[1]).join(',') || NONE);
  w.map(0, 'Labels', n.metadata.labels);
  w.map(0, 'Annotations', n.metadata.annotations, ': ');
  w.line(0, 'CreationTimestamp:', timestamp(n.metadata.creationTimestamp));
  const taints = (n.spec?.taints ?? []).map(
    (t: any) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`,
  );
  if (!taints.length) w.line(0, 'Taints:', NONE);
  taints.forEach((t: string, i: number) => w.line(0, i === 0 ? 'Taints:' : '', t));
  w.line(0, 'Unschedulable:', n.spec?.unschedulable ? 'true' : 'false');
  const conditions = n.status?.conditions ?? [];
  if (conditions.length) {
    w.line(0, 'Conditions:');
    w.line(1, 'Type', 'Status', 'LastHeartbeatTime', 'LastTransitionTime', 'Reason', 'Message');
    w.line(1, '----', '------', '-----------------', '------------------', '------', '-------');
    for (const c of conditions) {
      w.line(
        1,
        c.type,
        c.status,
        timestamp(c.lastHeartbeatTime),
        timestamp(c.lastTransitionTime),
        c.reason ?? '',
        c.message ?? '',
      );
    }
  }
  w.line(0, 'Addresses:');
  for (const a of n.status?.addresses ?? []) w.line(1, `${a.type}:`, a.address);
  for (const [title, list] of [
    ['Capacity', n.status?.capacity],
    ['Allocatable', n.status?.allocatable],
  ] as const) {
    w.line(0, `${title}:`);
    for (const [k, v] of Object.entries(list ?? {})) w.line(1, `${k}:`, String(v));
  }
  const info = n.status?.nodeInfo ?? {};
  w.line(0, 'System Info:');
  for (const [title, key] of [
    ['Machine ID', 'machineID'],
    ['System UUID', 'systemUUID'],
    ['Boot ID', 'bootID'],
    ['Kernel Version', 'kernelVersion'],
    ['OS Image', 'osImage'],
    ['Operating System', 'operatingSystem'],
    ['Architecture', 'architecture'],
    ['Container Runtime Version', 'containerRuntimeVersion'],
    ['Kubelet Version', 'kubeletVersion'],
  ]) {
    w.line(1, `${title}:`, info[key] ?? '');
  }
  const active = pods.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  w.line(0, `Non-terminated Pods:`, `(${active.length} in total)`);
  if (active.length) {
    w.line(1, 'Namespace', 'Name', 'CPU Requests', 'CPU Limits', 'Memory Requests', 'Memory Limits', 'Age');
    w.line(1, '---------', '----', '------------', '----------', '---------------', '-------------', '---');
    for (const p of active) {
      const sum = (which: 'requests' | 'limits', res: string) => {
        const values = (p.spec?.containers ?? [])
          .map((c: any) => c.resources?.[which]?.[res])
          .filter(Boolean);
        return values.length ? values.join('+') : '0';
      };
      w.line(
        1,
        p.metadata.namespace,
        p.metadata.name,
        sum('requests', 'cpu'),
        sum('limits', 'cpu'),
        sum('requests', 'memory'),
        sum('limits', 'memory'),
        age(p.metadata.creationTimestamp),
      );
    }
  }
  eventLines(w, events);
  return w.toString();
}

function dataObject(isSecret: boolean) {
  return ({ object: o, events }: Described): string => {
    const w = new DescribeWriter();
    header(w, o, true);
    w.map(0, 'Labels', o.metadata.labels);
    w.map(0, 'Annotations', o.metadata.annotations, ': ');
    w.line(0, '');
    if (isSecret) {
      w.line(0, 'Type:', o.type ?? 'Opaque');
      w.line(0, '');
      w.line(0, 'Data');
      w.line(0, '====');
      for (const [k, v] of Object.entries<string>(o.data ?? {}))
        w.line(0, `${k}:`, `${Buffer.from(v, 'base64').length} bytes`);
    } else {
      w.line(0, 'Data');
      w.line(0, '====');
      for (const [k, v] of Object.entries<string>(o.data ?? {})) {
        w.line(0, `${k}:`);
        w.line(0, '----');
        w.line(0, v);
        w.line(0, '');
      }
      w.line(0, '');
      w.line(0, 'BinaryData');
      w.line(0, '====');
      w.line(0, '');
    }
    eventLines(w, events);
    return w.toString();
  };
}

function namespace({ object: ns, events }: Described): string {
  const w = new DescribeWriter();
  w.line(0, 'Name:', ns.metadata.name);
  w.map(0, 'Labels', ns.metadata.labels);
  w.map(0, 'Annotations', ns.metadata.annotations, ': ');
  w.line(0, 'Status:', ns.status?.phase ?? 'Active');
  w.line(0, '');
  w.line(0, 'No resource quota.');
  w.line(0, '');
  w.line(0, 'No LimitRange resource.');
  if (events.length) eventLines(w, events);
  return w.toString();
}

/**
 * kubectl's generic describer for kinds without their own: the metadata, then every
 * other field as an indented outline.
 */
function generic({ object: o, events }: Described, namespaced: boolean): string {
  const w = new DescribeWriter();
  header(w, o, namespaced);
  w.map(0, 'Labels', o.metadata.labels);
  w.map(0, 'Annotations', o.metadata.annotations, ': ');
  w.line(0, 'API Version:', o.apiVersion);
  w.line(0, 'Kind:', o.kind);
  const outline = (level: number, key: string, value: unknown) => {
    const title = `${key.charAt(0).toUpperCase()}${key.slice(1).replace(/([a-z])([A-Z])/g, '$1 $2')}:`;
    if (Array.isArray(value)) {
      w.line(level, title);
      for (const item of value) {
        if (typeof item === 'object' && item !== null)
          for (const [k, v] of Object.entries(item)) outline(level + 1, k, v);
        else w.line(level + 1, String(item));
      }
    } else if (typeof value === 'object' && value !== null) {
      w.line(level, title);
      for (const [k, v] of Object.entries(value)) outline(level + 1, k, v);
    } else w.line(level, title, String(value));
  };
  for (const [key, value] of Object.entries(o)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'metadata') continue;
    outline(0, key, value);
  }
  eventLines(w, events);
  return w.toString();
}

const DESCRIBERS: Record<string, (d: Described) => string> = {
  Pod: pod,
  Deployment: deployment,
  ReplicaSet: podOwner('ReplicaSet'),
  StatefulSet: podOwner('StatefulSet'),
  DaemonSet: podOwner('DaemonSet'),
  Job: podOwner('Job'),
  Service: service,
  Node: node,
  ConfigMap: dataObject(false),
  Secret: dataObject(true),
  Namespace: namespace,
};

export function describeObject(described: Described, namespaced: boolean): string {
  const describer = DESCRIBERS[described.object.kind];
  return describer ? describer(described) : generic(described, namespaced);
}
