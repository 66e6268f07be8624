import type { Resource } from '../../client/types.ts';
import { UsageError } from '../failure.ts';
import { findKind, kindByKindName, objectRef } from '../kinds.ts';
import { jsonpath } from './jsonpath.ts';

/** The -o formats kq prints besides tables, as kubectl spells them. */
export const OUTPUT_FORMATS = [
  'wide',
  'yaml',
  'json',
  'name',
  'jsonpath=...',
  'jsonpath-file=...',
  'custom-columns=...',
];

export function checkOutputFormat(format: string | undefined): void {
  if (format === undefined || ['wide', 'yaml', 'json', 'name'].includes(format)) return;
  if (/^(jsonpath|jsonpath-file|custom-columns)=/.test(format)) return;
  throw new UsageError(
    `unable to match a printer suitable for the output format "${format}", allowed formats are: json,jsonpath,jsonpath-file,custom-columns,name,wide,yaml`,
  );
}

/** Keys in alphabetical order at every level, as kubectl's JSON-to-YAML conversion writes them. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/**
 * As kubectl writes YAML: YAML 1.1 quoting, so timestamps and "yes" stay strings for every reader.
 * The YAML library is loaded only here: `kq get`'s tables start without it.
 */
export async function toYAML(value: unknown): Promise<string> {
  const { default: YAML } = await import('yaml');
  return YAML.stringify(sortKeys(value), { version: '1.1', indentSeq: false, lineWidth: 0 });
}

/** What kubectl prints for several objects in one document. */
export const asList = (items: Resource[]) => ({
  apiVersion: 'v1',
  items,
  kind: 'List',
  metadata: { resourceVersion: '' },
});

export function nameOf(obj: Resource): string {
  const kind = kindByKindName(obj.kind) ?? findKind(obj.kind);
  return kind ? objectRef(kind, obj.metadata.name) : `${obj.kind.toLowerCase()}/${obj.metadata.name}`;
}

/**
 * Objects in a non-table format. `single`: the user named one object, so kubectl
 * prints it bare rather than inside a List.
 */
export async function formatObjects(
  objects: Resource[],
  format: string,
  single: boolean,
  readFile: (path: string) => string,
): Promise<string> {
  const document = single && objects.length === 1 ? objects[0] : asList(objects);
  if (format === 'yaml') return toYAML(document);
  if (format === 'json') return `${JSON.stringify(document, null, 4)}\n`;
  if (format === 'name') return objects.map((obj) => `${nameOf(obj)}\n`).join('');
  if (format.startsWith('jsonpath='))
    return jsonpath(stripQuotes(format.slice('jsonpath='.length)), document);
  if (format.startsWith('jsonpath-file='))
    return jsonpath(readFile(format.slice('jsonpath-file='.length)), document);
  if (format.startsWith('custom-columns='))
    return customColumns(format.slice('custom-columns='.length), objects);
  throw new UsageError(`unable to match a printer suitable for the output format "${format}"`);
}

const stripQuotes = (text: string) => (/^'.*'$|^".*"$/s.test(text) ? text.slice(1, -1) : text);

/** `-o custom-columns=NAME:.metadata.name,IMAGE:.spec.containers[*].image`. */
function customColumns(spec: string, objects: Resource[]): string {
  const columns = spec.split(',').map((part) => {
    const colon = part.indexOf(':');
    if (colon < 0)
      throw new UsageError(`unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`);
    const path = part.slice(colon + 1).replace(/^\{|\}$/g, '');
    return { header: part.slice(0, colon), path: path.startsWith('.') ? path : `.${path}` };
  });
  const rows = [
    columns.map((c) => c.header),
    ...objects.map((obj) => columns.map((c) => jsonpath(`{${c.path}}`, obj).replace(/ /g, ',') || '<none>')),
  ];
  const widths = columns.map((_, j) => Math.max(...rows.map((r) => r[j].length)) + 3);
  return rows
    .map((r) => r.map((cell, j) => (j < r.length - 1 ? cell.padEnd(widths[j]) : cell)).join('') + '\n')
    .join('');
}

/** kubectl's line when a listing is empty: with the namespace unless it spans them all (or none). */
export const noResourcesFound = (namespace: string | undefined) =>
  namespace ? `No resources found in ${namespace} namespace.` : 'No resources found';
