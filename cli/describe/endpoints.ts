import type { EndpointSubset } from '../../schema/kinds/endpoints.ts';
import type { EndpointsObject } from '../../schema/columns/objects.ts';
import { eventLines } from './events.ts';
import { DescribeWriter } from './writer.ts';
import { header, NONE, type Described } from './common.ts';

/** `kubectl describe endpoints`: addresses and ports per subset. */
export function endpoints({ object: ep, events }: Described<EndpointsObject>): string {
  const w = new DescribeWriter();
  header(w, ep, true);
  w.map(0, 'Labels', ep.metadata.labels);
  w.map(0, 'Annotations', ep.metadata.annotations, ': ');
  w.line(0, 'Subsets:');
  for (const subset of ep.subsets ?? []) {
    const ips = (list: EndpointSubset['addresses']) => (list ?? []).map((a) => a.ip).join(',') || NONE;
    w.line(1, 'Addresses:', ips(subset.addresses));
    w.line(1, 'NotReadyAddresses:', ips(subset.notReadyAddresses));
    w.line(1, 'Ports:');
    w.line(2, 'Name', 'Port', 'Protocol');
    w.line(2, '----', '----', '--------');
    for (const p of subset.ports ?? []) w.line(2, p.name || '<unset>', p.port, p.protocol ?? 'TCP');
    w.line(0, '');
  }
  eventLines(w, events);
  return w.toString();
}
