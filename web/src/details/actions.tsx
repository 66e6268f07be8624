import { useEffect, useState } from 'react';
import type { KubeqlClient } from '../../../client/client.ts';
import { execute } from '../../../client/typed.ts';
import type { Action } from '../access/permissions.ts';
import { useDenial } from '../api/access.ts';
import { useApi } from '../api/context.tsx';
import { useAction } from '../api/hooks.ts';
import {
  PauseDeploymentDocument,
  ResumeDeploymentDocument,
  RolloutRestartDocument,
  ScaleDeploymentDocument,
  ScaleReplicaSetDocument,
  ScaleStatefulSetDocument,
  SetImageDocument,
  type RolloutKind,
  type WorkloadKind,
} from '../generated/graphql.ts';
import { kindInfo, type KindName } from '../kinds.ts';

interface Target {
  namespace: string;
  name: string;
}

type Scalable = 'Deployment' | 'ReplicaSet' | 'StatefulSet';

/** Why the caller may not do `action` on the target, to disable its control with, if it may not. */
function useTargetDenial(action: Action, kind: KindName, target: Target): string | undefined {
  return useDenial(action, kindInfo(kind)!, target.namespace, target.name);
}

function scale(client: KubeqlClient, kind: Scalable, variables: Target & { replicas: number }) {
  if (kind === 'Deployment') return execute(client, ScaleDeploymentDocument, variables);
  if (kind === 'ReplicaSet') return execute(client, ScaleReplicaSetDocument, variables);
  return execute(client, ScaleStatefulSetDocument, variables);
}

/** `kubectl scale`: the new count goes to the scale mutation; the list below follows by itself. */
export function ScaleControl({
  kind,
  target,
  replicas,
}: {
  kind: Scalable;
  target: Target;
  replicas: number;
}) {
  const { client } = useApi();
  const [value, setValue] = useState(String(replicas));
  const action = useAction();
  const denied = useTargetDenial('scale', kind, target);
  // Follow changes made elsewhere (another user, an autoscaler) while the field is untouched.
  useEffect(() => {
    setValue(String(replicas));
  }, [replicas]);
  const wanted = Number(value);
  const valid = value.trim() !== '' && Number.isInteger(wanted) && wanted >= 0;
  return (
    <form
      className="control"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) void action.run(() => scale(client, kind, { ...target, replicas: wanted }));
      }}
    >
      <label htmlFor="replicas">Replicas</label>
      <input id="replicas" type="number" min={0} value={value} onChange={(e) => setValue(e.target.value)} />
      <button
        type="submit"
        disabled={!!denied || !valid || action.busy || wanted === replicas}
        title={denied}
      >
        Scale
      </button>
      {action.error && <span className="error">{action.error}</span>}
    </form>
  );
}

/** `kubectl set image`: one container at a time, with an optional change cause for the rollout history. */
export function SetImageControl({
  kind,
  target,
  containers,
}: {
  kind: WorkloadKind;
  target: Target;
  containers: Array<{ name: string; image?: string | null }>;
}) {
  const { client } = useApi();
  const [container, setContainer] = useState(containers[0]?.name ?? '');
  const current = containers.find((c) => c.name === container)?.image ?? '';
  const [image, setImage] = useState(current);
  const [cause, setCause] = useState('');
  const action = useAction();
  const denied = useTargetDenial('rollout', kind, target);
  useEffect(() => {
    setImage(current);
  }, [current]);
  return (
    <form
      className="control"
      onSubmit={(e) => {
        e.preventDefault();
        void action.run(async () => {
          await execute(client, SetImageDocument, {
            kind,
            ...target,
            images: [{ container, image: image.trim() }],
            changeCause: cause.trim() || undefined,
          });
          setCause('');
        });
      }}
    >
      <label htmlFor="image">Image</label>
      {containers.length > 1 && (
        <select aria-label="Container" value={container} onChange={(e) => setContainer(e.target.value)}>
          {containers.map((c) => (
            <option key={c.name}>{c.name}</option>
          ))}
        </select>
      )}
      <input id="image" value={image} onChange={(e) => setImage(e.target.value)} />
      <input
        aria-label="Change cause"
        placeholder="Change cause (optional)"
        value={cause}
        onChange={(e) => setCause(e.target.value)}
      />
      <button
        type="submit"
        disabled={!!denied || action.busy || !image.trim() || image.trim() === current}
        title={denied}
      >
        Set image
      </button>
      {action.error && <span className="error">{action.error}</span>}
    </form>
  );
}

/** `kubectl rollout restart`, and for a Deployment `rollout pause` / `resume`. */
export function RolloutButtons({
  kind,
  target,
  paused,
}: {
  kind: RolloutKind;
  target: Target;
  paused?: boolean;
}) {
  const { client } = useApi();
  const action = useAction();
  const denied = useTargetDenial('rollout', kind, target);
  return (
    <div className="control">
      <button
        disabled={!!denied || action.busy || paused}
        title={denied ?? (paused ? 'A paused Deployment cannot be restarted' : undefined)}
        onClick={() => action.run(() => execute(client, RolloutRestartDocument, { kind, ...target }))}
      >
        Restart
      </button>
      {kind === 'Deployment' &&
        (paused ? (
          <button
            disabled={!!denied || action.busy}
            title={denied}
            onClick={() => action.run(() => execute(client, ResumeDeploymentDocument, target))}
          >
            Resume rollout
          </button>
        ) : (
          <button
            disabled={!!denied || action.busy}
            title={denied}
            onClick={() => action.run(() => execute(client, PauseDeploymentDocument, target))}
          >
            Pause rollout
          </button>
        ))}
      {action.error && <span className="error">{action.error}</span>}
    </div>
  );
}
