export interface Backoff {
  baseMs: number;
  factor: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 100, factor: 2, capMs: 10_000 };

/** The capped exponential wait before retry number `attempt` (0 first), without jitter. */
export function exponentialDelay(
  attempt: number,
  { baseMs, factor, capMs }: Backoff = DEFAULT_BACKOFF,
): number {
  return Math.min(capMs, baseMs * factor ** attempt);
}

/**
 * The wait before retry number `attempt` (0 first): "full jitter", a uniform draw below
 * the capped exponential, so that the many watches a server restart drops all at once
 * do not come back all at once.
 */
export function backoffDelay(attempt: number, backoff: Backoff = DEFAULT_BACKOFF): number {
  return Math.random() * exponentialDelay(attempt, backoff);
}
