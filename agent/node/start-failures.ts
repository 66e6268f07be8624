import { exponentialDelay } from '../../lib/backoff.ts';
import { systemClock, type Clock } from '../../lib/clock.ts';
import { crashLoopDelays, type CrashLoopBackoff } from './pod-status.ts';

/** Failures other than image pulls: 1 s doubling to 8 s. */
const CONFIG_ERROR_BACKOFF = { baseMs: 1000, factor: 2, capMs: 8000 };

interface Failure {
  count: number;
  retryAt: number;
  reason: string;
  message: string;
}

/** A container's waiting state while it may not be started yet. */
export interface Waiting {
  reason: string;
  message: string;
  /** When the next attempt is due, in ms from now. */
  retryInMs: number;
}

/**
 * The containers a runtime could not start, per pod and container (keyed as the
 * crash-loop back-off is), with the kubelet's timing: a failed image pull waits 10 s
 * doubling to 5 min (the crash-loop settings) and shows ImagePullBackOff meanwhile;
 * other failures (CreateContainerConfigError, a volume that cannot be set up) are tried
 * again after 1 s doubling to 8 s, as the object they wait for may appear any moment.
 */
export class StartFailures {
  private readonly failures = new Map<string, Failure>();

  constructor(
    private readonly backoff: CrashLoopBackoff,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Records a failed start; returns when to try again, in ms from now. */
  record(uid: string, container: string, reason: string, message: string): number {
    const count = (this.failures.get(`${uid}/${container}`)?.count ?? 0) + 1;
    const retryInMs = exponentialDelay(
      count - 1,
      reason === 'ErrImagePull' ? crashLoopDelays(this.backoff) : CONFIG_ERROR_BACKOFF,
    );
    this.failures.set(`${uid}/${container}`, {
      count,
      retryAt: this.clock.now() + retryInMs,
      reason,
      message,
    });
    return retryInMs;
  }

  /** The waiting state of a container still backing off from a failed start, or undefined when it may start. */
  waiting(uid: string, container: string, image: string | undefined): Waiting | undefined {
    const failure = this.failures.get(`${uid}/${container}`);
    const retryInMs = failure ? failure.retryAt - this.clock.now() : 0;
    if (!failure || retryInMs <= 0) return undefined;
    return failure.reason === 'ErrImagePull'
      ? { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"`, retryInMs }
      : { reason: failure.reason, message: failure.message, retryInMs };
  }

  /** The container started: its next failure starts the back-off afresh. */
  started(uid: string, container: string): void {
    this.failures.delete(`${uid}/${container}`);
  }

  /** The pod is gone. */
  forget(uid: string): void {
    for (const key of this.failures.keys()) if (key.startsWith(`${uid}/`)) this.failures.delete(key);
  }
}
