import { eventLines } from './events.ts';
import { DescribeWriter } from './writer.ts';
import { header, type Described } from './common.ts';

/** ConfigMaps (their data) and Secrets (the size of each value, never the value). */
export function dataObject(isSecret: boolean) {
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
      w.line(0, 'BinaryData');
      w.line(0, '====');
      w.line(0, '');
    }
    eventLines(w, events);
    return w.toString();
  };
}
