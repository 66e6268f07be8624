import type { Resource } from '../../schema/kind.ts';
import { columnsFor } from '../../schema/columns/columns.ts';
import { customResourceColumns } from '../crd/printer-columns.ts';

/** What `includeObject` asks each row to carry (kubectl asks for Metadata). */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** The meta.k8s.io version of Table the client asked for in Accept, or undefined for plain JSON. */
export function tableVersion(accept: string | undefined): 'v1' | 'v1beta1' | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    const params = new Map(
      part
        .split(';')
        .slice(1)
        .map((p) => p.trim().split('=') as [string, string]),
    );
    if (params.get('as') !== 'Table' || params.get('g') !== 'meta.k8s.io') continue;
    const v = params.get('v');
    if (v === 'v1' || v === 'v1beta1') return v;
  }
  return undefined;
}

export interface TableOptions {
  version: 'v1' | 'v1beta1';
  includeObject: IncludeObject;
  listMeta?: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  now?: number;
}

/**
 * A meta.k8s.io Table of objects of one kind with the columns `kq get` prints
 * (schema/columns): the wide columns at priority 1, shown by `kubectl get -o wide`.
 */
export function table(kind: string, items: readonly Resource[], options: TableOptions) {
  const columns = customResourceColumns(kind) ?? columnsFor(kind);
  const now = options.now ?? Date.now();
  const definition = (name: string, priority: number) => ({
    name,
    type: 'string',
    format: name === 'NAME' ? 'name' : '',
    description: '',
    priority,
  });
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${options.version}`,
    metadata: options.listMeta ?? {},
    columnDefinitions: [
      ...columns.headers.map((h) => definition(h, 0)),
      ...(columns.wide ?? []).map((h) => definition(h, 1)),
    ],
    rows: items.map((obj) => ({
      cells: [...columns.row(obj, now), ...(columns.wideRow?.(obj, now) ?? [])],
      ...rowObject(obj, options),
    })),
  };
}

function rowObject(obj: Resource, options: TableOptions) {
  if (options.includeObject === 'None') return {};
  if (options.includeObject === 'Object') return { object: obj };
  return {
    object: {
      kind: 'PartialObjectMetadata',
      apiVersion: `meta.k8s.io/${options.version}`,
      metadata: obj.metadata,
    },
  };
}
