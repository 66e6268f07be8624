import { eventLines } from './events.ts';
import { DescribeWriter } from './writer.ts';
import { header, type Described } from './common.ts';

/**
 * kubectl's generic describer for kinds without their own: the metadata, then every
 * other field as an indented outline.
 */
export function generic({ object: o, events }: Described, namespaced: boolean): string {
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
