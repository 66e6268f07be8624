import { useState } from 'react';
import { execute } from '../../../client/typed.ts';
import { useDenial } from '../api/access.ts';
import { useApi } from '../api/context.tsx';
import { useAction, useQuery } from '../api/hooks.ts';
import { Confirm } from '../components/Confirm.tsx';
import { RolloutHistoryDocument, RolloutUndoDocument } from '../generated/graphql.ts';
import { kindInfo, pathOf, type Manifest } from '../kinds.ts';
import { Link } from '../router.tsx';

type ReplicaSet = Manifest<'ReplicaSet'>;
interface Template {
  spec?: { containers?: Array<{ name: string; image?: string }> };
}

/**
 * `kubectl rollout history` with `rollout undo --to-revision` on each row. The history is
 * a query (it is computed from the ReplicaSets), asked again whenever they change.
 */
export function Revisions({
  namespace,
  name,
  current,
  replicaSets,
  paused,
}: {
  namespace: string;
  name: string;
  current?: string;
  replicaSets: ReplicaSet[];
  paused: boolean;
}) {
  const { client } = useApi();
  // The query's key: a new ReplicaSet, or one changing revision, changes the history.
  const changes = replicaSets
    .map((rs) => `${rs.metadata.uid}@${rs.metadata.annotations?.['deployment.kubernetes.io/revision']}`)
    .sort()
    .join();
  const history = useQuery(RolloutHistoryDocument, { kind: 'Deployment', namespace, name }, changes);
  const [undoTo, setUndoTo] = useState<number>();
  const undo = useAction();
  const denied = useDenial('rollout', kindInfo('Deployment')!, namespace, name);
  const revisions = [...(history.data?.rolloutHistory ?? [])].sort((a, b) => b.revision - a.revision);
  const replicaSetByName = new Map(replicaSets.map((rs) => [rs.metadata.name, rs]));

  return (
    <div>
      {history.error && <p className="error">{history.error}</p>}
      <div className="plain-wrap">
        <table className="plain" aria-label="Revisions">
          <thead>
            <tr>
              <th>Revision</th>
              <th>ReplicaSet</th>
              <th>Pods</th>
              <th>Images</th>
              <th>Change cause</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {revisions.map((r) => {
              const rsName = r.replicaSet?.metadata.name ?? '';
              const rs = replicaSetByName.get(rsName);
              const images = ((r.template as Template | null)?.spec?.containers ?? [])
                .map((c) => c.image)
                .join(', ');
              const isCurrent = String(r.revision) === current;
              return (
                <tr key={r.revision} data-revision={r.revision} className={isCurrent ? 'current' : undefined}>
                  <td>
                    {r.revision}
                    {isCurrent && <span className="chip">current</span>}
                  </td>
                  <td>{rsName && <Link href={pathOf('ReplicaSet', rsName, namespace)}>{rsName}</Link>}</td>
                  <td>{rs ? `${rs.status?.readyReplicas ?? 0}/${rs.spec?.replicas ?? 0}` : ''}</td>
                  <td>
                    <code>{images}</code>
                  </td>
                  <td>{r.changeCause ?? <span className="muted">—</span>}</td>
                  <td>
                    {!isCurrent && (
                      <button
                        disabled={paused || !!denied}
                        title={denied ?? (paused ? 'Resume the rollout first' : undefined)}
                        onClick={() => setUndoTo(r.revision)}
                      >
                        Roll back
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {undoTo !== undefined && (
        <Confirm
          title={`Roll back ${name} to revision ${undoTo}?`}
          confirmLabel={undo.busy ? 'Rolling back…' : 'Roll back'}
          busy={undo.busy}
          error={undo.error}
          onCancel={() => setUndoTo(undefined)}
          onConfirm={async () => {
            if (
              await undo.run(() =>
                execute(client, RolloutUndoDocument, { namespace, name, toRevision: undoTo }),
              )
            )
              setUndoTo(undefined);
          }}
        >
          <p>Its pod template comes back as a new revision, rolled out by the Deployment's strategy.</p>
        </Confirm>
      )}
    </div>
  );
}
