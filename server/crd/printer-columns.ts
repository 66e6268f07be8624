import { age } from '../../schema/columns/age.ts';
import { name, type Columns } from '../../schema/columns/cells.ts';
import { storageVersion } from './custom-kind.ts';
import { valueAt } from '../../schema/json-path.ts';
import { servedCustomResource } from './served-schemas.ts';

interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  priority?: number;
}

/**
 * The table of a custom resource, as kube-apiserver prints it: NAME and the version's
 * additionalPrinterColumns (priority 0 by `kubectl get`, above it with `-o wide`), dates
 * as ages; NAME and AGE when it declares none. Undefined for a kind that is not custom.
 */
export function customResourceColumns(kind: string): Columns | undefined {
  const served = servedCustomResource(kind);
  if (!served) return undefined;
  const declared = storageVersion(served.crd)?.additionalPrinterColumns;
  const columns: PrinterColumn[] = declared?.length
    ? declared
    : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', priority: 0 }];
  const normal = columns.filter((column) => !column.priority);
  const wide = columns.filter((column) => column.priority);
  const cells = (list: typeof columns) => (obj: unknown, now: number) =>
    list.map((column) => cell(valueAt(obj, column.jsonPath), column.type, now));
  return {
    headers: ['NAME', ...normal.map((column) => column.name.toUpperCase())],
    row: (obj, now) => [name(obj), ...cells(normal)(obj, now)],
    ...(wide.length ? { wide: wide.map((column) => column.name.toUpperCase()), wideRow: cells(wide) } : {}),
  };
}

function cell(value: unknown, type: string, now: number): string {
  if (value === undefined || value === null) return '';
  if (type === 'date' && typeof value === 'string') return age(value, now);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
