import type { ServiceObject } from '../../schema/columns/objects.ts';
import { endpointsText, labelsText, servicePorts } from '../../schema/columns/columns.ts';
import { eventLines } from './events.ts';
import { DescribeWriter } from './writer.ts';
import { header, NONE, type Described } from './common.ts';

/** `kubectl describe service`: type, IPs, ports with their endpoints. */
export function service({ object: svc, events, endpoints }: Described<ServiceObject>): string {
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
