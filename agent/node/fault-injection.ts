import type { ContainerRuntime, RuntimePod } from './runtime/runtime.ts';

/**
 * The node agent's test-only hooks, for tests of node loss and of container failures:
 * `silence()` makes the agent behave as a node cut off from the API server (no lease,
 * no status, no writes at all) until `resume()`; `failContainers` makes containers of
 * the simulated runtime exit. Every part of the agent that writes to the API reads
 * `isSilent` first.
 */
export class FaultInjection {
  private silent = false;

  constructor(private readonly runtime: ContainerRuntime) {}

  get isSilent(): boolean {
    return this.silent;
  }

  /** Stops every write to the API (lease, node and pod status, deletions), as if cut off. */
  silence(): void {
    this.silent = true;
  }

  /** Back in touch; returns whether the agent was silent (and so has catching up to do). */
  resume(): boolean {
    if (!this.silent) return false;
    this.silent = false;
    return true;
  }

  /** The running containers of the pods selected exit with `exitCode` (runtimes that can: the simulated one). */
  failContainers(filter?: (pod: RuntimePod) => boolean, exitCode = 1): number {
    if (!this.runtime.failContainers) throw new Error(`runtime ${this.runtime.name} cannot fail containers`);
    return this.runtime.failContainers(filter, exitCode);
  }
}
