import { exponentialDelay } from '../../../lib/backoff.ts';

/** Pod failures since the last success, and when the last one was seen: what the back-off is counted from. */
export interface FailureBackoff {
  failuresSinceSuccess: number;
  lastFailureAt: number;
}

export interface BackoffLimits {
  /** The first delay, doubled per failure since the last success. */
  baseMs: number;
  /** The longest. */
  maxMs: number;
}

/**
 * How long pods must still wait to be recreated after failures (Kubernetes' job
 * back-off): base × 2^(failures since the last success − 1), at most max, counted from
 * the last failure; 0 once that has passed, or without a failure.
 */
export function backoffRemaining(backoff: FailureBackoff, now: number, limits: BackoffLimits): number {
  if (backoff.failuresSinceSuccess <= 0) return 0;
  const delay = exponentialDelay(backoff.failuresSinceSuccess - 1, {
    baseMs: limits.baseMs,
    factor: 2,
    capMs: limits.maxMs,
  });
  return Math.max(0, backoff.lastFailureAt + delay - now);
}
