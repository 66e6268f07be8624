import type { Resource } from '../../../client/types.ts';
import { Badge } from '../components/Badge.tsx';
import { Stats } from '../components/Stats.tsx';
import { age, podStatus } from '../format.ts';
import { pathOf, type Manifest } from '../kinds.ts';
import { Link } from '../router.tsx';
import { PodUsageCharts } from './UsageCharts.tsx';

type Pod = Manifest<'Pod'>;
type ContainerStatus = NonNullable<NonNullable<Pod['status']>['containerStatuses']>[number];

function stateOf(status: ContainerStatus | undefined): string {
  const state = status?.state;
  if (state?.running) return 'Running';
  if (state?.waiting) return state.waiting.reason ?? 'Waiting';
  if (state?.terminated) return state.terminated.reason ?? 'Terminated';
  return 'Pending';
}

/** A Pod: where it runs (Node link), what owns it, and each container's state. */
export function PodPanel({ obj }: { obj: Resource }) {
  const pod = obj as Pod;
  const statuses = new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
  const node = pod.spec?.nodeName;
  return (
    <div className="panel">
      <Stats
        values={[
          ['Status', <Badge status={podStatus(pod)} />],
          [
            'Node',
            node ? (
              <Link href={pathOf('Node', node)}>{node}</Link>
            ) : (
              <span className="muted">unscheduled</span>
            ),
          ],
          ['Pod IP', pod.status?.podIP ?? '—'],
          ['QoS', pod.status?.qosClass ?? '—'],
          ['Started', pod.status?.startTime ? `${age(pod.status.startTime)} ago` : '—'],
        ]}
      />
      {pod.status?.message && <p className="warn-text">{pod.status.message}</p>}
      {pod.status?.phase === 'Running' && (
        <PodUsageCharts namespace={pod.metadata.namespace ?? 'default'} name={pod.metadata.name ?? ''} />
      )}
      <h2>Containers</h2>
      <div className="plain-wrap">
        <table className="plain" aria-label="Containers">
          <thead>
            <tr>
              <th>Name</th>
              <th>Image</th>
              <th>State</th>
              <th>Ready</th>
              <th>Restarts</th>
            </tr>
          </thead>
          <tbody>
            {(pod.spec?.containers ?? []).map((c) => {
              const status = statuses.get(c.name);
              return (
                <tr key={c.name}>
                  <td className="name">{c.name}</td>
                  <td>
                    <code>{c.image}</code>
                  </td>
                  <td>
                    <Badge status={stateOf(status)} />
                  </td>
                  <td>{status?.ready ? 'yes' : 'no'}</td>
                  <td>{status?.restartCount ?? 0}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
