import { messageOf } from '../../client/index.ts';
import type { PodObject } from '../objects.ts';
import type { NodeSource } from './node-sources.ts';
import type { PodEnvironment } from './pod-environment.ts';
import type { PodUids } from './pod-uids.ts';
import type { ContainerRuntime, RuntimePod } from './runtime/runtime.ts';

export interface PodSweepOptions {
  nodeName: string;
  runtime: Pick<ContainerRuntime, 'listPods'>;
  /** The pods bound to the node. */
  pods: NodeSource<PodObject>;
  uids: PodUids;
  environment?: PodEnvironment;
  /** How often leftovers are looked for (1 min). */
  intervalMs: number;
  /** Wakes the pod worker of a key. */
  update: (key: string) => void;
  /** While true nothing is swept (a node cut off from the API server). */
  isSilent: () => boolean;
  log: (line: string) => void;
}

/**
 * The node-level sweep: what the runtime has (or the environment kept on disk) for pods
 * no longer bound here — deleted while the agent was away, or missed — is stopped and
 * removed by those pods' workers.
 */
export class PodSweep {
  private timer?: ReturnType<typeof setInterval>;
  private stopped = false;

  constructor(private readonly options: PodSweepOptions) {}

  /** Sweeps every interval from now on, until `stop()`. */
  start(): void {
    if (this.stopped) return;
    const { runtime, nodeName, log } = this.options;
    this.timer = setInterval(() => {
      void runtime
        .listPods()
        .then((pods) => this.sweep(pods))
        .catch((error: unknown) => log(`node ${nodeName}: sweep: ${messageOf(error)}`));
    }, this.options.intervalMs);
    this.timer.unref?.();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** One sweep, against what the runtime has now. */
  sweep(runtimePods: RuntimePod[]): void {
    const { pods, uids, environment, nodeName, log } = this.options;
    if (this.options.isSilent() || this.stopped) return;
    for (const pod of runtimePods) {
      const key = `${pod.namespace}/${pod.name}`;
      if (pods.get(key)?.metadata.uid === pod.uid) continue;
      uids.remember(key, pod.uid);
      this.options.update(key);
    }
    // Volumes go once the pod's containers are gone too (a pod being deleted still runs).
    const bound = new Set([...pods.list().map((pod) => pod.metadata.uid!), ...runtimePods.map((p) => p.uid)]);
    void environment
      ?.sweep(bound)
      .catch((error: unknown) => log(`node ${nodeName}: sweep: ${messageOf(error)}`));
  }
}
