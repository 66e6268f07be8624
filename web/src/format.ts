import { parseQuantity } from '../../schema/quantity.ts';
import type { Manifest } from './kinds.ts';

/** kubectl's AGE column: 45s, 12m, 3h, 5d. */
export function age(timestamp: string | null | undefined, now = Date.now()): string {
  if (!timestamp) return '';
  const seconds = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

export function quantity(value: string | number | null | undefined): number {
  return value == null ? 0 : (parseQuantity(value) ?? 0);
}

/** CPU as cores (0.25) or millicores (250m), the way people write them. */
export function cpu(cores: number): string {
  if (cores >= 1) return `${+cores.toFixed(2)}`;
  return `${Math.round(cores * 1000)}m`;
}

/** Bytes in binary units: 512Mi, 7.8Gi. */
export function bytes(value: number): string {
  const units = ['', 'Ki', 'Mi', 'Gi', 'Ti'];
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${+value.toFixed(value < 10 && unit > 0 ? 1 : 0)}${units[unit]}`;
}

type Pod = Manifest<'Pod'>;

/** kubectl's STATUS column: a waiting or terminated container's reason wins over the phase. */
export function podStatus(pod: Pod): string {
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  const status = pod.status;
  let reason = status?.reason ?? status?.phase ?? 'Pending';
  for (const container of status?.containerStatuses ?? []) {
    const state = container.state;
    if (state?.waiting?.reason) reason = state.waiting.reason;
    else if (state?.terminated?.reason && reason === 'Running') reason = state.terminated.reason;
  }
  return reason;
}

/** "2/3": ready containers of all. */
export function podReady(pod: Pod): string {
  const statuses = pod.status?.containerStatuses ?? [];
  const total = pod.spec?.containers?.length ?? statuses.length;
  return `${statuses.filter((s) => s.ready).length}/${total}`;
}

export function podRestarts(pod: Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((sum, s) => sum + s.restartCount, 0);
}

/** The tone of a status word, for its badge. */
export function tone(status: string): 'ok' | 'warn' | 'bad' | 'idle' {
  if (/^(Running|Ready|Active|Succeeded|Completed|Complete|Bound|True|Available|Normal)$/.test(status))
    return 'ok';
  if (
    /^(Pending|ContainerCreating|Terminating|Progressing|Unknown|PodInitializing|SchedulingDisabled)$/.test(
      status,
    )
  )
    return 'warn';
  if (
    /^(Failed|Error|NotReady|CrashLoopBackOff|ErrImagePull|ImagePullBackOff|Warning|False|OOMKilled)/.test(
      status,
    )
  )
    return 'bad';
  return 'idle';
}

type Node = Manifest<'Node'>;

export function nodeReady(node: Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const base = ready?.status === 'True' ? 'Ready' : ready?.status === 'False' ? 'NotReady' : 'Unknown';
  return node.spec?.unschedulable ? `${base},SchedulingDisabled` : base;
}

/** What a pod asks for (the sum of its containers' requests), for a node's usage by scheduling. */
export function podRequests(pod: Pod): { cpu: number; memory: number } {
  let cpuSum = 0;
  let memory = 0;
  for (const container of pod.spec?.containers ?? []) {
    cpuSum += quantity(container.resources?.requests?.cpu);
    memory += quantity(container.resources?.requests?.memory);
  }
  return { cpu: cpuSum, memory };
}

export function labelsText(labels: Record<string, string> | null | undefined): string {
  return Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}
