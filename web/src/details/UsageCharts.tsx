import { useSamples } from '../api/samples.ts';
import { Sparkline } from '../components/Sparkline.tsx';
import { bytes, cpu } from '../format.ts';
import { NodeUsageDocument, PodUsageDocument } from '../generated/graphql.ts';

/** A pod's CPU and memory over the last minutes (podMetrics, as `kubectl top pod`). */
export function PodUsageCharts({ namespace, name }: { namespace: string; name: string }) {
  const { samples, error } = useSamples(PodUsageDocument, { namespace, name }, (r) => r.podMetrics[0]);
  return (
    <Charts
      error={error}
      cpu={samples.map((s) => s.usage.cpuNanoCores / 1e9)}
      memory={samples.map((s) => s.usage.memoryBytes)}
    />
  );
}

/** A node's CPU and memory use against what it has (nodeMetrics, as `kubectl top node`). */
export function NodeUsageCharts({
  name,
  cpuTotal,
  memoryTotal,
}: {
  name: string;
  cpuTotal: number;
  memoryTotal: number;
}) {
  const { samples, error } = useSamples(NodeUsageDocument, { name }, (r) => r.nodeMetrics[0]);
  return (
    <Charts
      error={error}
      cpu={samples.map((s) => s.usage.cpuNanoCores / 1e9)}
      memory={samples.map((s) => s.usage.memoryBytes)}
      cpuTotal={cpuTotal}
      memoryTotal={memoryTotal}
    />
  );
}

function Charts(props: {
  cpu: number[];
  memory: number[];
  cpuTotal?: number;
  memoryTotal?: number;
  error?: string;
}) {
  return (
    <div className="charts">
      <Sparkline
        label="CPU"
        values={props.cpu}
        max={props.cpuTotal}
        format={(v) => (props.cpuTotal ? `${cpu(v)} of ${cpu(props.cpuTotal)}` : cpu(v))}
      />
      <Sparkline
        label="Memory"
        values={props.memory}
        max={props.memoryTotal}
        format={(v) => (props.memoryTotal ? `${bytes(v)} of ${bytes(props.memoryTotal)}` : bytes(v))}
      />
      {props.error && <p className="muted">Usage: {props.error}</p>}
    </div>
  );
}
