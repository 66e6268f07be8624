import type { Resource } from '../../../client/types.ts';
import { useObjects } from '../api/hooks.ts';
import { Badge } from '../components/Badge.tsx';
import { PodSection } from '../components/PodTable.tsx';
import { Stats } from '../components/Stats.tsx';
import { UsageBar } from '../components/UsageBar.tsx';
import { age, bytes, cpu, nodeReady, podRequests, quantity } from '../format.ts';
import type { Manifest } from '../kinds.ts';
import { NodeUsageCharts } from './UsageCharts.tsx';

type Pod = Manifest<'Pod'>;

/** A Node: its conditions, what its pods request of what it has, and the pods (by spec.nodeName). */
export function NodePanel({ obj }: { obj: Resource }) {
  const node = obj as Manifest<'Node'>;
  const pods = useObjects<Pod>('Pod', { fieldSelector: `spec.nodeName=${node.metadata.name}` });
  const running = pods.items.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  const asked = running
    .map(podRequests)
    .reduce((a, b) => ({ cpu: a.cpu + b.cpu, memory: a.memory + b.memory }), { cpu: 0, memory: 0 });
  const have = node.status?.allocatable ?? node.status?.capacity ?? {};
  const cpuTotal = quantity(have.cpu);
  const memoryTotal = quantity(have.memory);
  const podsTotal = quantity(have.pods);
  return (
    <div className="panel">
      <Stats
        values={[
          ['Status', <Badge status={nodeReady(node)} />],
          ['Address', node.status?.addresses?.map((a) => a.address).join(', ') || '—'],
          ['Version', node.status?.nodeInfo?.kubeletVersion ?? '—'],
        ]}
      />
      <div className="usage-grid">
        <span>CPU requested</span>
        <UsageBar used={asked.cpu} total={cpuTotal} label={`${cpu(asked.cpu)} / ${cpu(cpuTotal)}`} />
        <span>Memory requested</span>
        <UsageBar
          used={asked.memory}
          total={memoryTotal}
          label={`${bytes(asked.memory)} / ${bytes(memoryTotal)}`}
        />
        <span>Pods</span>
        <UsageBar used={running.length} total={podsTotal} label={`${running.length} / ${podsTotal}`} />
      </div>
      <NodeUsageCharts name={node.metadata.name ?? ''} cpuTotal={cpuTotal} memoryTotal={memoryTotal} />
      <h2>Conditions</h2>
      <div className="plain-wrap">
        <table className="plain" aria-label="Conditions">
          <thead>
            <tr>
              <th>Type</th>
              <th>Status</th>
              <th>Reason</th>
              <th>Last heartbeat</th>
            </tr>
          </thead>
          <tbody>
            {(node.status?.conditions ?? []).map((c) => (
              <tr key={c.type}>
                <td>{c.type}</td>
                <td>
                  <Badge
                    status={c.status}
                    tone={(c.type === 'Ready') === (c.status === 'True') ? 'ok' : 'bad'}
                  />
                </td>
                <td>{c.reason}</td>
                <td>{age(c.lastHeartbeatTime)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <PodSection {...pods} />
    </div>
  );
}
