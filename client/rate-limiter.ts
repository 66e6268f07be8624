/**
 * Rate limiters for the work queue, after client-go's workqueue package: each answers
 * "how long should this key wait before its next attempt?" and keeps whatever per-key
 * state it needs until `forget`.
 */
export interface RateLimiter<K> {
  /** The delay (ms) before `key` may be processed again; counts one more requeue. */
  when(key: K): number;
  /** Clears the key's history: the next failure starts from the base delay again. */
  forget(key: K): void;
  /** How many times `when` was called for the key since it was last forgotten. */
  numRequeues(key: K): number;
}

/** base · 2^failures, capped: client-go's ItemExponentialFailureRateLimiter. */
export class ExponentialBackoffRateLimiter<K> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();

  constructor(
    readonly baseDelayMs = 5,
    readonly maxDelayMs = 1_000_000,
  ) {}

  when(key: K): number {
    const exp = this.failures.get(key) ?? 0;
    this.failures.set(key, exp + 1);
    // 2 ** exp overflows to Infinity for a key that keeps failing; the cap still applies.
    return Math.min(this.baseDelayMs * 2 ** exp, this.maxDelayMs);
  }

  forget(key: K): void {
    this.failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }
}

/**
 * One token bucket shared by every key (client-go's BucketRateLimiter): it bounds the
 * overall retry rate so a storm of failing keys cannot hammer the API server. Like
 * golang.org/x/time/rate's Reserve, a call always takes a token, going into debt when
 * the bucket is empty, and returns how long until that token would have accrued.
 */
export class TokenBucketRateLimiter<K> implements RateLimiter<K> {
  private tokens: number;
  private last: number;

  constructor(
    readonly qps = 10,
    readonly burst = 100,
    // Looked up per call so fake clocks installed after construction still apply.
    private readonly now: () => number = () => Date.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  when(_key: K): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.qps) / 1000);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.qps;
  }

  forget(_key: K): void {}

  numRequeues(_key: K): number {
    return 0;
  }
}

/** The longest delay any of its limiters asks for (client-go's MaxOfRateLimiter). */
export class MaxOfRateLimiter<K> implements RateLimiter<K> {
  private readonly limiters: RateLimiter<K>[];

  constructor(...limiters: RateLimiter<K>[]) {
    this.limiters = limiters;
  }

  when(key: K): number {
    // Every limiter must see the call (each counts it), so no short-circuiting.
    return Math.max(0, ...this.limiters.map((limiter) => limiter.when(key)));
  }

  forget(key: K): void {
    for (const limiter of this.limiters) limiter.forget(key);
  }

  numRequeues(key: K): number {
    return Math.max(0, ...this.limiters.map((limiter) => limiter.numRequeues(key)));
  }
}

export interface RateLimitOptions {
  /** First retry delay; doubles per consecutive failure of a key. Default 5 ms. */
  baseDelayMs?: number;
  /** Cap on a key's retry delay. Default 1000 s. */
  maxDelayMs?: number;
  /** Overall retry rate across keys. Default 10 per second. */
  qps?: number;
  /** Retries allowed at once before `qps` applies. Default 100. */
  burst?: number;
}

/** Per-key exponential back-off and a global token bucket, as client-go's DefaultControllerRateLimiter. */
export function defaultControllerRateLimiter<K>(options: RateLimitOptions = {}): RateLimiter<K> {
  return new MaxOfRateLimiter<K>(
    new ExponentialBackoffRateLimiter<K>(options.baseDelayMs ?? 5, options.maxDelayMs ?? 1_000_000),
    new TokenBucketRateLimiter<K>(options.qps ?? 10, options.burst ?? 100),
  );
}
