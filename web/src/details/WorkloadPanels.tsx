import { useMemo } from 'react';
import type { Resource } from '../../../client/types.ts';
import { useObjects } from '../api/hooks.ts';
import { PodSection } from '../components/PodTable.tsx';
import { Stats } from '../components/Stats.tsx';
import { VirtualTable } from '../components/VirtualTable.tsx';
import { columnsFor } from '../columns.tsx';
import { pathOf, type Manifest } from '../kinds.ts';
import { RolloutButtons, ScaleControl, SetImageControl } from './actions.tsx';
import { Revisions } from './Revisions.tsx';
import { RolloutProgress } from './RolloutProgress.tsx';

type Pod = Manifest<'Pod'>;

/** The objects of a kind in a namespace that `ownerUids` own (the informer is shared with other views). */
function useOwned<T extends Resource>(kind: string, namespace: string, ownerUids: string[]) {
  const { items, synced, forbidden } = useObjects<T>(kind, { namespace });
  const key = ownerUids.join();
  const owned = useMemo(() => {
    const uids = new Set(ownerUids);
    return items.filter((o) => o.metadata.ownerReferences?.some((ref) => uids.has(ref.uid)));
    // `key` stands for ownerUids, a new array on every render.
  }, [items, key]);
  return { items: owned, synced, forbidden };
}

const target = (obj: Resource) => ({
  namespace: obj.metadata.namespace ?? 'default',
  name: obj.metadata.name ?? '',
});

/** Deployment → ReplicaSets (its revisions) → Pods → Nodes, with every rollout verb. */
export function DeploymentPanel({ obj }: { obj: Resource }) {
  const d = obj as Manifest<'Deployment'>;
  const namespace = d.metadata.namespace ?? 'default';
  const replicaSets = useOwned<Manifest<'ReplicaSet'>>('ReplicaSet', namespace, [d.metadata.uid ?? '']);
  const pods = useOwned<Pod>(
    'Pod',
    namespace,
    replicaSets.items.map((rs) => rs.metadata.uid ?? ''),
  );
  const paused = d.spec?.paused ?? false;
  return (
    <div className="panel">
      <Stats
        values={[
          ['Desired', d.spec?.replicas ?? 1],
          ['Updated', d.status?.updatedReplicas ?? 0],
          ['Ready', d.status?.readyReplicas ?? 0],
          ['Available', d.status?.availableReplicas ?? 0],
          ['Strategy', d.spec?.strategy?.type ?? 'RollingUpdate'],
          ['Revision', d.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '—'],
        ]}
      />
      {paused && <p className="warn-text">The rollout is paused: template changes wait for Resume.</p>}
      <RolloutProgress {...target(d)} generation={d.metadata.generation ?? 0} />
      <div className="controls">
        <ScaleControl kind="Deployment" target={target(d)} replicas={d.spec?.replicas ?? 1} />
        <SetImageControl
          kind="Deployment"
          target={target(d)}
          containers={d.spec?.template?.spec?.containers ?? []}
        />
        <RolloutButtons kind="Deployment" target={target(d)} paused={paused} />
      </div>
      <h2>Revisions</h2>
      <Revisions
        namespace={namespace}
        name={d.metadata.name ?? ''}
        current={d.metadata.annotations?.['deployment.kubernetes.io/revision']}
        replicaSets={replicaSets.items}
        paused={paused}
      />
      <PodSection {...pods} />
    </div>
  );
}

export function ReplicaSetPanel({ obj }: { obj: Resource }) {
  const rs = obj as Manifest<'ReplicaSet'>;
  const pods = useOwned<Pod>('Pod', rs.metadata.namespace ?? 'default', [rs.metadata.uid ?? '']);
  const owned = rs.metadata.ownerReferences?.some((ref) => ref.controller);
  return (
    <div className="panel">
      <Stats
        values={[
          ['Desired', rs.spec?.replicas ?? 1],
          ['Current', rs.status?.replicas ?? 0],
          ['Ready', rs.status?.readyReplicas ?? 0],
          ['Revision', rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '—'],
        ]}
      />
      {!owned && (
        <div className="controls">
          <ScaleControl kind="ReplicaSet" target={target(rs)} replicas={rs.spec?.replicas ?? 1} />
        </div>
      )}
      <PodSection {...pods} />
    </div>
  );
}

export function StatefulSetPanel({ obj }: { obj: Resource }) {
  const s = obj as Manifest<'StatefulSet'>;
  const pods = useOwned<Pod>('Pod', s.metadata.namespace ?? 'default', [s.metadata.uid ?? '']);
  return (
    <div className="panel">
      <Stats
        values={[
          ['Desired', s.spec?.replicas ?? 1],
          ['Ready', s.status?.readyReplicas ?? 0],
          ['Updated', s.status?.updatedReplicas ?? 0],
          ['Service', s.spec?.serviceName ?? '—'],
        ]}
      />
      <div className="controls">
        <ScaleControl kind="StatefulSet" target={target(s)} replicas={s.spec?.replicas ?? 1} />
        <SetImageControl
          kind="StatefulSet"
          target={target(s)}
          containers={s.spec?.template?.spec?.containers ?? []}
        />
        <RolloutButtons kind="StatefulSet" target={target(s)} />
      </div>
      <PodSection {...pods} />
    </div>
  );
}

export function DaemonSetPanel({ obj }: { obj: Resource }) {
  const ds = obj as Manifest<'DaemonSet'>;
  const pods = useOwned<Pod>('Pod', ds.metadata.namespace ?? 'default', [ds.metadata.uid ?? '']);
  return (
    <div className="panel">
      <Stats
        values={[
          ['Desired', ds.status?.desiredNumberScheduled ?? 0],
          ['Current', ds.status?.currentNumberScheduled ?? 0],
          ['Ready', ds.status?.numberReady ?? 0],
          ['Updated', ds.status?.updatedNumberScheduled ?? 0],
        ]}
      />
      <div className="controls">
        <SetImageControl
          kind="DaemonSet"
          target={target(ds)}
          containers={ds.spec?.template?.spec?.containers ?? []}
        />
        <RolloutButtons kind="DaemonSet" target={target(ds)} />
      </div>
      <PodSection {...pods} />
    </div>
  );
}

export function JobPanel({ obj }: { obj: Resource }) {
  const job = obj as Manifest<'Job'>;
  const pods = useOwned<Pod>('Pod', job.metadata.namespace ?? 'default', [job.metadata.uid ?? '']);
  return (
    <div className="panel">
      <Stats
        values={[
          ['Completions', `${job.status?.succeeded ?? 0}/${job.spec?.completions ?? 1}`],
          ['Active', job.status?.active ?? 0],
          ['Failed', job.status?.failed ?? 0],
          ['Parallelism', job.spec?.parallelism ?? 1],
        ]}
      />
      <PodSection {...pods} />
    </div>
  );
}

export function CronJobPanel({ obj }: { obj: Resource }) {
  const cron = obj as Manifest<'CronJob'>;
  const jobs = useOwned<Manifest<'Job'>>('Job', cron.metadata.namespace ?? 'default', [
    cron.metadata.uid ?? '',
  ]);
  const columns = useMemo(() => columnsFor('Job', false), []);
  return (
    <div className="panel">
      <Stats
        values={[
          ['Schedule', cron.spec?.schedule ?? ''],
          ['Suspended', String(cron.spec?.suspend ?? false)],
          ['Active', cron.status?.active?.length ?? 0],
        ]}
      />
      <h2>
        Jobs <span className="count">{jobs.items.length}</span>
      </h2>
      <VirtualTable
        label="Jobs"
        rows={jobs.items}
        columns={columns}
        rowKey={(j) => j.metadata.uid ?? ''}
        rowHref={(j) => pathOf('Job', j.metadata.name ?? '', j.metadata.namespace)}
        empty={jobs.synced ? 'No jobs yet.' : 'Loading…'}
        maxHeight={360}
      />
    </div>
  );
}
