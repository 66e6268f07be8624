export interface Backoff {
  baseMs: number;
  factor: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 100, factor: 2, capMs: 10_000 };

/**
 * The wait before retry number `attempt` (0 first): "full jitter", a uniform draw below
 * the capped exponential, so that the many watches a server restart drops all at once
 * do not come back all at once.
 */
export function backoffDelay(attempt: number, { baseMs, factor, capMs }: Backoff = DEFAULT_BACKOFF): number {
  return Math.random() * Math.min(capMs, baseMs * factor ** attempt);
}
