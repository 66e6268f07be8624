import { age } from '../../schema/columns/age.ts';
import type { NodeObject } from '../../schema/columns/objects.ts';
import { eventLines } from './events.ts';
import { DescribeWriter, timestamp } from './writer.ts';
import { NONE, type Described } from './common.ts';

/** `kubectl describe node`: conditions, addresses, capacity, system info and the pods it runs. */
export function node({ object: n, events, pods = [] }: Described<NodeObject>): string {
  const w = new DescribeWriter();
  w.line(0, 'Name:', n.metadata.name);
  const roles = Object.keys(n.metadata.labels ?? {}).filter((k) => k.startsWith('node-role.kubernetes.io/'));
  w.line(0, 'Roles:', roles.map((r) => r.split('/')[1]).join(',') || NONE);
  w.map(0, 'Labels', n.metadata.labels);
  w.map(0, 'Annotations', n.metadata.annotations, ': ');
  w.line(0, 'CreationTimestamp:', timestamp(n.metadata.creationTimestamp));
  const taints = (n.spec?.taints ?? []).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`);
  if (!taints.length) w.line(0, 'Taints:', NONE);
  taints.forEach((t, i) => w.line(0, i === 0 ? 'Taints:' : '', t));
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
  const info = n.status?.nodeInfo;
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
  ] as const) {
    w.line(1, `${title}:`, info?.[key] ?? '');
  }
  const active = pods.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  w.line(0, `Non-terminated Pods:`, `(${active.length} in total)`);
  if (active.length) {
    w.line(1, 'Namespace', 'Name', 'CPU Requests', 'CPU Limits', 'Memory Requests', 'Memory Limits', 'Age');
    w.line(1, '---------', '----', '------------', '----------', '---------------', '-------------', '---');
    for (const p of active) {
      const sum = (which: 'requests' | 'limits', res: string) => {
        const values = (p.spec?.containers ?? []).map((c) => c.resources?.[which]?.[res]).filter(Boolean);
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
