import type { PodObject } from '../../objects.ts';
import type { FailureBackoff } from './failure-backoff.ts';

/**
 * What the controller keeps about one Job between passes, as Kubernetes' job
 * controller keeps its back-off records and tracking finalizers: which ended pods are
 * already in the status, which it deleted itself, and the back-off. Lost on restart:
 * the first pass then seeds it from the cache (`seeded`).
 */
export class JobRecord {
  /** Whether a pass has written a status from this record (the first pass of this process seeds it). */
  seeded = false;
  /** Pods whose end is already in status.succeeded / status.failed. */
  readonly counted = new Set<string>();
  /** Pods this controller deleted on purpose (suspension, excess, a finished job): their end is no failure. */
  readonly removed = new Set<string>();
  backoff: FailureBackoff = { failuresSinceSuccess: 0, lastFailureAt: 0 };

  constructor(readonly uid: string) {}

  /**
   * After a status is written: the pods it `counted` are counted, `backoff` is the one it
   * was computed with, and pods `gone` for good are forgotten (they never come back).
   */
  commit(counted: PodObject[], backoff: FailureBackoff, gone: PodObject[]): void {
    for (const pod of counted) this.counted.add(pod.metadata.uid ?? '');
    this.backoff = { ...backoff };
    this.seeded = true;
    for (const pod of gone) {
      this.counted.delete(pod.metadata.uid ?? '');
      this.removed.delete(pod.metadata.uid ?? '');
    }
  }
}
