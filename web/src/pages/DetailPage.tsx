import { useState, type ComponentType } from 'react';
import type { Resource } from '../../../client/types.ts';
import type { Action } from '../access/permissions.ts';
import { usePermissions } from '../api/access.ts';
import { useApi } from '../api/context.tsx';
import { useAction, useObjects } from '../api/hooks.ts';
import { Confirm } from '../components/Confirm.tsx';
import { NotPermitted } from '../components/NotPermitted.tsx';
import { EventsTable } from '../details/EventsTable.tsx';
import { NodePanel } from '../details/NodePanel.tsx';
import { PodExec } from '../details/PodExec.tsx';
import { PodLogs } from '../details/PodLogs.tsx';
import { PodPanel } from '../details/PodPanel.tsx';
import { EndpointsPanel, ServicePanel } from '../details/ServicePanel.tsx';
import { ConfigPanel } from '../details/ConfigPanel.tsx';
import {
  CronJobPanel,
  DaemonSetPanel,
  DeploymentPanel,
  JobPanel,
  ReplicaSetPanel,
  StatefulSetPanel,
} from '../details/WorkloadPanels.tsx';
import { YamlTab } from '../details/YamlTab.tsx';
import { age } from '../format.ts';
import { kindInfo, pathOf, type KindInfo, type KindName } from '../kinds.ts';
import { Link, navigate, useLocation } from '../router.tsx';

/** What each kind shows above its YAML and events; kinds without one show metadata only. */
const PANELS: Partial<Record<KindName, ComponentType<{ obj: Resource }>>> = {
  Deployment: DeploymentPanel,
  ReplicaSet: ReplicaSetPanel,
  StatefulSet: StatefulSetPanel,
  DaemonSet: DaemonSetPanel,
  Job: JobPanel,
  CronJob: CronJobPanel,
  Pod: PodPanel,
  Node: NodePanel,
  Service: ServicePanel,
  Endpoints: EndpointsPanel,
  ConfigMap: ConfigPanel,
  Secret: ConfigPanel,
};

/** Tabs beyond Summary, YAML and Events, by kind, with the action each needs permission for. */
const EXTRA_TABS: Partial<
  Record<
    KindName,
    Array<{ id: string; label: string; action?: Action; Tab: ComponentType<{ obj: Resource }> }>
  >
> = {
  Pod: [
    { id: 'logs', label: 'Logs', action: 'logs', Tab: PodLogs },
    { id: 'exec', label: 'Exec', action: 'exec', Tab: PodExec },
  ],
};

/**
 * One object, live (an informer on its name), with the objects it relates to, its
 * events, its YAML and the actions that apply to it.
 */
export function DetailPage({ info, namespace, name }: { info: KindInfo; namespace?: string; name: string }) {
  const { query, path } = useLocation();
  const permissions = usePermissions(namespace);
  const extra = (EXTRA_TABS[info.kind] ?? []).map((t) => ({
    ...t,
    denied: t.action && permissions?.denial(t.action, info, name),
  }));
  const tabs = [
    { id: 'summary', label: 'Summary', denied: undefined },
    { id: 'yaml', label: 'YAML', denied: undefined },
    { id: 'events', label: 'Events', denied: undefined },
    ...extra,
  ];
  const tab = tabs.find((t) => t.id === query.get('tab') && !t.denied)?.id ?? 'summary';
  const deleteDenied = permissions?.denial('delete', info, name);
  const ExtraTab = extra.find((t) => t.id === tab)?.Tab;
  const { items, synced, error, forbidden } = useObjects(info.kind, {
    ...(namespace ? { namespace } : {}),
    fieldSelector: `metadata.name=${name}`,
  });
  const obj = items[0];
  const [deleting, setDeleting] = useState(false);
  const { writer } = useApi();
  const remove = useAction();

  if (!obj) {
    return (
      <div className="page">
        <Breadcrumbs info={info} namespace={namespace} name={name} />
        {forbidden ? (
          <NotPermitted what={`${info.kind} "${name}"`} reason={forbidden} />
        ) : (
          <>
            {error && <p className="error">{error}</p>}
            <p className="muted">
              {synced ? `${info.kind} "${name}" does not exist (any more).` : 'Loading…'}
            </p>
          </>
        )}
      </div>
    );
  }
  const Panel = PANELS[info.kind];
  const meta = obj.metadata;
  return (
    <div className="page">
      <Breadcrumbs info={info} namespace={namespace} name={name} />
      <div className="page-head">
        <h1>
          <span className="kind">{info.kind}</span> {meta.name}
        </h1>
        <div className="head-actions">
          <button
            className="danger"
            disabled={!!deleteDenied}
            title={deleteDenied}
            onClick={() => setDeleting(true)}
          >
            Delete
          </button>
        </div>
      </div>
      <div className="meta">
        {meta.namespace && <span>namespace {meta.namespace}</span>}
        <span>age {age(meta.creationTimestamp as string | undefined)}</span>
        {meta.deletionTimestamp && <span className="warn-text">terminating</span>}
        {(meta.ownerReferences ?? []).map((owner) => (
          <span key={owner.uid}>
            owner{' '}
            {kindInfo(owner.kind) ? (
              <Link href={pathOf(owner.kind, owner.name, meta.namespace)}>
                {owner.kind.toLowerCase()}/{owner.name}
              </Link>
            ) : (
              `${owner.kind}/${owner.name}`
            )}
          </span>
        ))}
      </div>
      {meta.labels && Object.keys(meta.labels).length > 0 && (
        <div className="chips">
          {Object.entries(meta.labels).map(([k, v]) => (
            <span className="chip" key={k}>
              {k}={v}
            </span>
          ))}
        </div>
      )}
      <div className="tabs" role="tablist">
        {tabs.map((t) => (
          <button
            key={t.id}
            role="tab"
            aria-selected={tab === t.id}
            disabled={!!t.denied}
            title={t.denied}
            className={tab === t.id ? 'tab active' : 'tab'}
            onClick={() => navigate(t.id === 'summary' ? path : `${path}?tab=${t.id}`, { replace: true })}
          >
            {t.label}
          </button>
        ))}
      </div>
      {tab === 'summary' &&
        (Panel ? <Panel obj={obj} /> : <p className="muted">See the YAML tab for everything.</p>)}
      {tab === 'yaml' && <YamlTab obj={obj} />}
      {tab === 'events' && <EventsTable obj={obj} />}
      {ExtraTab && <ExtraTab obj={obj} />}
      {deleting && (
        <Confirm
          title={`Delete ${info.kind.toLowerCase()} ${meta.name}?`}
          confirmLabel={remove.busy ? 'Deleting…' : 'Delete'}
          busy={remove.busy}
          error={remove.error}
          onCancel={() => setDeleting(false)}
          onConfirm={async () => {
            const done = await remove.run(() => writer.delete(info.kind, meta.name!, meta.namespace));
            if (done) navigate(`/${info.plural}`);
          }}
        >
          <p>
            {info.kind === 'Namespace'
              ? 'Everything in the namespace is deleted with it.'
              : 'Objects it owns are deleted by the garbage collector.'}{' '}
            This cannot be undone.
          </p>
        </Confirm>
      )}
    </div>
  );
}

function Breadcrumbs({ info, namespace, name }: { info: KindInfo; namespace?: string; name: string }) {
  return (
    <nav className="crumbs" aria-label="Breadcrumbs">
      <Link href={`/${info.plural}`}>{info.kind === 'Endpoints' ? 'Endpoints' : `${info.kind}s`}</Link>
      {namespace && (
        <>
          {' / '}
          <Link href={`/${info.plural}?namespace=${encodeURIComponent(namespace)}`}>{namespace}</Link>
        </>
      )}
      {' / '}
      <span>{name}</span>
    </nav>
  );
}
