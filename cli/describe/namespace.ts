import type { NamespaceObject } from '../../schema/columns/objects.ts';
import { eventLines } from './events.ts';
import { DescribeWriter } from './writer.ts';
import { type Described } from './common.ts';

/** `kubectl describe namespace`. */
export function namespace({ object: ns, events }: Described<NamespaceObject>): string {
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
