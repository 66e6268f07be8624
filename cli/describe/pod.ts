import type { PodObject } from '../../schema/columns/objects.ts';
import { labelsText } from '../../schema/columns/columns.ts';
import { age } from '../../schema/columns/age.ts';
import { eventLines } from './events.ts';
import { containerLines, tolerationText, volumeLines } from './template.ts';
import { DescribeWriter, timestamp } from './writer.ts';
import { conditionsTable, controlledBy, header, NONE, type Described } from './common.ts';

/** `kubectl describe pod`: the pod, its containers' states, conditions, volumes and events. */
export function pod({ object: p, events }: Described<PodObject>): string {
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
  tolerations.forEach((t, i) => w.line(0, i === 0 ? 'Tolerations:' : '', t));
  eventLines(w, events);
  return w.toString();
}
