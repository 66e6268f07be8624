export interface RateLimit {
  /** Requests a client may make at once, after being idle. */
  burst: number;
  /** Requests per second it may keep up. */
  perSecond: number;
  /** Clients tracked at once; past that, the new ones share one bucket. */
  maxClients?: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** The key that clients beyond maxClients share: a flood from many addresses is still one flood. */
const OVERFLOW = '*';

/**
 * A token bucket per client: each request takes a token, tokens come back at perSecond
 * up to burst. Memory is bounded: a bucket that has filled up again is the same as none,
 * so those are swept (at most once a second) when the table is full.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private sweptAt = -Infinity;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** 0 when `key` may go ahead (its token is taken), else the seconds until it may. */
  take(key: string): number {
    const now = this.now();
    const bucket = this.bucket(key, now);
    bucket.tokens = Math.min(
      this.limit.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond,
    );
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.limit.perSecond));
  }

  private bucket(key: string, now: number): Bucket {
    const found = this.buckets.get(key);
    if (found) return found;
    if (this.buckets.size >= (this.limit.maxClients ?? 10_000)) {
      if (now - this.sweptAt >= 1000) this.sweep(now);
      if (this.buckets.size >= (this.limit.maxClients ?? 10_000)) key = OVERFLOW;
    }
    const existing = this.buckets.get(key);
    if (existing) return existing;
    const bucket = { tokens: this.limit.burst, at: now };
    this.buckets.set(key, bucket);
    return bucket;
  }

  private sweep(now: number): void {
    this.sweptAt = now;
    const refill = (this.limit.burst * 1000) / this.limit.perSecond;
    for (const [key, bucket] of this.buckets) if (now - bucket.at >= refill) this.buckets.delete(key);
  }
}
