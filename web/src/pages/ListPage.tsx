import { useEffect, useMemo, useState } from 'react';
import type { Resource } from '../../../client/types.ts';
import { useObjects } from '../api/hooks.ts';
import { columnsFor } from '../columns.tsx';
import { NamespacePicker } from '../components/NamespacePicker.tsx';
import { NotPermitted } from '../components/NotPermitted.tsx';
import { VirtualTable } from '../components/VirtualTable.tsx';
import { pathOf, type KindInfo } from '../kinds.ts';
import { navigate } from '../router.tsx';

/**
 * Every object of a kind, live: the namespace and label selector go to the server (the
 * informer's selection), the name filter is applied here as you type. The filters live
 * in the URL (?namespace=&label=&name=), so a filtered list can be shared.
 */
export function ListPage({ info, query }: { info: KindInfo; query: URLSearchParams }) {
  const namespace = info.namespaced ? (query.get('namespace') ?? '') : '';
  const label = query.get('label') ?? '';
  const nameFilter = query.get('name') ?? '';
  const [labelDraft, setLabelDraft] = useState(label);
  useEffect(() => {
    setLabelDraft(label);
  }, [label]);

  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(query);
    if (value) next.set(key, value);
    else next.delete(key);
    const search = next.toString();
    navigate(`/${info.plural}${search ? `?${search}` : ''}`, { replace: true });
  };

  const { items, synced, error, forbidden } = useObjects(info.kind, {
    ...(namespace ? { namespace } : {}),
    ...(label ? { labelSelector: label } : {}),
  });
  const rows = useMemo(() => {
    const needle = nameFilter.toLowerCase();
    return items
      .filter((o) => !needle || (o.metadata.name ?? '').toLowerCase().includes(needle))
      .sort(byNamespaceAndName);
  }, [items, nameFilter]);
  const columns = useMemo(() => columnsFor(info.kind, info.namespaced && !namespace), [info, namespace]);

  return (
    <div className="page page-fill">
      <div className="page-head">
        <h1>
          {info.kind === 'Endpoints' ? 'Endpoints' : `${info.kind}s`}
          <span className="count" data-testid="count">
            {synced ? rows.length : '…'}
          </span>
        </h1>
      </div>
      <div className="filters">
        {info.namespaced && (
          <NamespacePicker
            info={info}
            value={namespace}
            onChange={(value) => setFilter('namespace', value)}
          />
        )}
        <input
          aria-label="Filter by name"
          placeholder="Name contains…"
          value={nameFilter}
          onChange={(e) => setFilter('name', e.target.value)}
        />
        <form
          className="label-filter"
          onSubmit={(e) => {
            e.preventDefault();
            setFilter('label', labelDraft.trim());
          }}
        >
          <input
            aria-label="Label selector"
            placeholder="Labels: app=web,tier!=db"
            value={labelDraft}
            onChange={(e) => setLabelDraft(e.target.value)}
            onBlur={() => labelDraft.trim() !== label && setFilter('label', labelDraft.trim())}
          />
        </form>
      </div>
      {forbidden ? (
        <NotPermitted
          what={`${info.plural} ${namespace ? `in namespace ${namespace}` : info.namespaced ? 'in every namespace' : ''}`}
          reason={forbidden}
        />
      ) : (
        error && (
          <p className="error" role="alert">
            {error}
          </p>
        )
      )}
      <div className="table-fill">
        <VirtualTable
          label={`${info.kind} list`}
          rows={rows}
          columns={columns}
          rowKey={(o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`}
          rowHref={(o) => pathOf(info.kind, o.metadata.name ?? '', o.metadata.namespace)}
          empty={synced ? 'No objects match.' : 'Loading…'}
        />
      </div>
    </div>
  );
}

export function byNamespaceAndName(a: Resource, b: Resource): number {
  return (
    (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
    (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '', undefined, { numeric: true })
  );
}
