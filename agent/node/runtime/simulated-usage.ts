import { parseQuantity } from '../../../schema/quantity.ts';
import type { PodObject } from '../../objects.ts';
import type { PodStats, RuntimePod } from './runtime.ts';

/**
 * Pod annotations that script the resource usage of a simulated pod: the CPU every
 * running container of the pod uses, in millicores ("250") or as a CPU quantity with a
 * unit ("250m", "1500m")...
 */
export const SIMULATE_CPU = 'kubeql.io/simulate-cpu';
/** ...and each one's memory working set, a quantity ("64Mi"). Changing either takes effect at once. */
export const SIMULATE_MEMORY = 'kubeql.io/simulate-memory';

/** What an idle container uses when the pod does not say. */
export const DEFAULT_SIMULATED_CPU_MILLICORES = 1;
export const DEFAULT_SIMULATED_MEMORY_BYTES = 4 * 2 ** 20;

/** The usage a pod's annotations script for each of its containers. */
export function simulatedUsage(annotations: Record<string, string> | undefined): {
  millicores: number;
  memoryBytes: number;
} {
  const cpuText = annotations?.[SIMULATE_CPU]?.trim();
  // A bare number is millicores; anything with a unit is a CPU quantity in cores.
  const cores =
    cpuText === undefined || cpuText === ''
      ? undefined
      : /^\d+(\.\d+)?$/.test(cpuText)
        ? Number(cpuText) / 1000
        : parseQuantity(cpuText);
  const memoryText = annotations?.[SIMULATE_MEMORY]?.trim();
  const memory = memoryText ? parseQuantity(memoryText) : undefined;
  return {
    millicores: cores !== undefined && cores >= 0 ? cores * 1000 : DEFAULT_SIMULATED_CPU_MILLICORES,
    memoryBytes: memory !== undefined && memory >= 0 ? Math.round(memory) : DEFAULT_SIMULATED_MEMORY_BYTES,
  };
}

/** A running container's CPU clock: the time it has used up to `at`, and the rate it uses from then on. */
interface Meter {
  cpuNanoSeconds: number;
  at: number;
  millicores: number;
}

/**
 * The simulated runtime's stand-in for cgroup accounting. CPU time accumulates at the
 * rate the pod's annotations give while a container runs, counted from when it started;
 * a changed rate applies from the sample after which it is seen, as a load change would
 * show up in real counters. The annotations come from the pod as the node agent has it
 * now (`setPodSource`), falling back to the pod the runtime was last handed.
 */
export class SimulatedUsage {
  private readonly seen = new Map<string, Record<string, string> | undefined>();
  private readonly meters = new Map<string, Meter>();
  private source?: (namespace: string, name: string) => PodObject | undefined;

  /** Remembers the annotations of a pod the runtime is handed. */
  observe(pod: PodObject): void {
    this.seen.set(pod.metadata.uid!, pod.metadata.annotations);
  }

  setPodSource(source: (namespace: string, name: string) => PodObject | undefined): void {
    this.source = source;
  }

  /** Cumulative CPU and current memory of every running container of `pods`, at `now`. */
  sample(pods: Iterable<RuntimePod>, now: number): PodStats[] {
    const out: PodStats[] = [];
    const running = new Set<string>();
    const uids = new Set<string>();
    for (const pod of pods) {
      uids.add(pod.uid);
      const live = this.source?.(pod.namespace, pod.name);
      const annotations = live?.metadata.uid === pod.uid ? live.metadata.annotations : this.seen.get(pod.uid);
      const { millicores, memoryBytes } = simulatedUsage(annotations);
      const containers: PodStats['containers'] = [];
      for (const container of pod.containers) {
        if (container.state !== 'running') continue;
        running.add(container.id);
        let meter = this.meters.get(container.id);
        if (!meter) {
          const started = Date.parse(container.startedAt ?? '') || now;
          meter = { cpuNanoSeconds: 0, at: Math.min(started, now), millicores };
          this.meters.set(container.id, meter);
        }
        // 1 millicore for 1 ms is 1000 ns of CPU time.
        meter.cpuNanoSeconds += meter.millicores * (now - meter.at) * 1000;
        meter.at = now;
        meter.millicores = millicores;
        containers.push({
          name: container.name,
          cpuUsageNanoSeconds: Math.round(meter.cpuNanoSeconds),
          memoryWorkingSetBytes: memoryBytes,
        });
      }
      if (containers.length)
        out.push({ uid: pod.uid, namespace: pod.namespace, name: pod.name, timestamp: now, containers });
    }
    for (const id of this.meters.keys()) if (!running.has(id)) this.meters.delete(id);
    for (const uid of this.seen.keys()) if (!uids.has(uid)) this.seen.delete(uid);
    return out;
  }
}
