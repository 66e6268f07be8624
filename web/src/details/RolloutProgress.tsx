import { useSubscription } from '../api/hooks.ts';
import { RolloutProgressDocument } from '../generated/graphql.ts';

/**
 * `kubectl rollout status`, live: the rolloutStatus subscription reports after every
 * change until the rollout is done. Each new generation (a scale, a new image, an undo)
 * starts a new one.
 */
export function RolloutProgress({
  namespace,
  name,
  generation,
}: {
  namespace: string;
  name: string;
  generation: number;
}) {
  const { data, error } = useSubscription(RolloutProgressDocument, { namespace, name }, generation);
  const status = data?.rolloutStatus;
  if (error) return <p className="error">Rollout status: {error}</p>;
  if (!status) return <p className="muted">Waiting for the rollout status…</p>;
  const desired = status.desiredReplicas ?? 0;
  const share = (n: number) => (desired > 0 ? Math.min(100, (n / desired) * 100) : 100);
  const state = status.failed ? 'failed' : status.done ? 'done' : 'progressing';
  return (
    <div className={`rollout rollout-${state}`} aria-label="Rollout" data-state={state}>
      <div className="rollout-head">
        <strong>
          {state === 'done' ? 'Rolled out' : state === 'failed' ? 'Rollout failed' : 'Rolling out…'}
        </strong>
        <span className="muted">{status.message}</span>
      </div>
      <div className="rollout-bars">
        <Bar
          label="Updated"
          value={status.updatedReplicas}
          desired={desired}
          width={share(status.updatedReplicas)}
        />
        <Bar
          label="Available"
          value={status.availableReplicas}
          desired={desired}
          width={share(status.availableReplicas)}
        />
      </div>
    </div>
  );
}

function Bar({
  label,
  value,
  desired,
  width,
}: {
  label: string;
  value: number;
  desired: number;
  width: number;
}) {
  return (
    <div className="rollout-bar">
      <span>{label}</span>
      <div className="usage-track">
        <div className="usage-fill usage-ok" style={{ width: `${width}%` }} />
      </div>
      <span>
        {value}/{desired}
      </span>
    </div>
  );
}
