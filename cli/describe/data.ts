import type { ConfigMapObject, SecretObject } from '../../schema/columns/objects.ts';
import { eventLines } from './events.ts';
import { DescribeWriter } from './writer.ts';
import { header, type Described } from './common.ts';

function dataHeader(w: DescribeWriter, o: ConfigMapObject | SecretObject) {
  header(w, o, true);
  w.map(0, 'Labels', o.metadata.labels);
  w.map(0, 'Annotations', o.metadata.annotations, ': ');
  w.line(0, '');
}

/** A ConfigMap: its data. */
export function configMap({ object: o, events }: Described<ConfigMapObject>): string {
  const w = new DescribeWriter();
  dataHeader(w, o);
  w.line(0, 'Data');
  w.line(0, '====');
  for (const [k, v] of Object.entries(o.data ?? {})) {
    w.line(0, `${k}:`);
    w.line(0, '----');
    w.line(0, v);
    w.line(0, '');
  }
  w.line(0, 'BinaryData');
  w.line(0, '====');
  w.line(0, '');
  eventLines(w, events);
  return w.toString();
}

/** A Secret: the size of each value, never the value. */
export function secret({ object: o, events }: Described<SecretObject>): string {
  const w = new DescribeWriter();
  dataHeader(w, o);
  w.line(0, 'Type:', o.type ?? 'Opaque');
  w.line(0, '');
  w.line(0, 'Data');
  w.line(0, '====');
  for (const [k, v] of Object.entries(o.data ?? {}))
    w.line(0, `${k}:`, `${Buffer.from(v, 'base64').length} bytes`);
  eventLines(w, events);
  return w.toString();
}
