import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExponentialBackoffRateLimiter, TokenBucketRateLimiter } from '../../client/rate-limiter.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers } from '../../client/workers.ts';

afterEach(() => {
  vi.useRealTimers();
});

/** Whether a promise has settled, without waiting for it. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

describe('WorkQueue', () => {
  it('queues a waiting key once, in first-added order', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    queue.add('b');
    queue.add('a');
    expect(queue.len).toBe(2);
    expect(await queue.get()).toBe('a');
    expect(await queue.get()).toBe('b');
    expect(queue.len).toBe(0);
  });

  it('re-queues a key added while it is processed only once it is done', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    const key = await queue.get();
    queue.add('a');
    queue.add('a');
    expect(queue.len).toBe(0); // not handed to a second worker meanwhile
    const next = queue.get();
    expect(await settled(next)).toBe(false);
    queue.done(key!);
    expect(await next).toBe('a');
    queue.done('a');
    expect(queue.len).toBe(0); // the two adds collapsed into one pass
  });

  it('hands a key added later to a waiting get', async () => {
    const queue = new WorkQueue();
    const next = queue.get();
    queue.add('x');
    expect(await next).toBe('x');
  });

  it('adds after a delay; of two delays for one key the earlier wins', async () => {
    vi.useFakeTimers();
    const queue = new WorkQueue();
    queue.addAfter('a', 100);
    queue.addAfter('a', 50);
    queue.addAfter('a', 200);
    vi.advanceTimersByTime(49);
    expect(queue.len).toBe(0);
    vi.advanceTimersByTime(1);
    expect(queue.len).toBe(1);
    vi.advanceTimersByTime(500);
    expect(queue.len).toBe(1);
    queue.shutDown();
  });

  it('backs a failing key off exponentially and forget resets it', async () => {
    vi.useFakeTimers();
    const queue = new WorkQueue({ qps: 1000, burst: 1000 });
    const waits: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      queue.addRateLimited('k');
      const started = Date.now();
      const next = queue.get();
      while (!(await settled(next))) vi.advanceTimersByTime(1);
      waits.push(Date.now() - started);
      queue.done((await next)!);
    }
    expect(waits).toEqual([5, 10, 20, 40, 80]);
    expect(queue.numRequeues('k')).toBe(5);
    queue.forget('k');
    expect(queue.numRequeues('k')).toBe(0);
    queue.addRateLimited('k');
    vi.advanceTimersByTime(5);
    expect(queue.len).toBe(1);
    queue.shutDown();
  });

  it('caps the per-key back-off', () => {
    const limiter = new ExponentialBackoffRateLimiter<string>(5, 1_000_000);
    const delays = Array.from({ length: 2000 }, () => limiter.when('k'));
    expect(delays.slice(0, 3)).toEqual([5, 10, 20]);
    expect(delays.at(-1)).toBe(1_000_000);
    expect(Math.max(...delays)).toBe(1_000_000);
    expect(limiter.when('other')).toBe(5); // keys back off independently
  });

  it('limits the overall retry rate with a token bucket after a burst', () => {
    let now = 0;
    const bucket = new TokenBucketRateLimiter<string>(10, 3, () => now);
    expect([bucket.when('a'), bucket.when('b'), bucket.when('c')]).toEqual([0, 0, 0]);
    expect(bucket.when('d')).toBe(100);
    expect(bucket.when('e')).toBe(200);
    now = 1000; // 10 tokens accrue, minus the 2 owed, capped at the burst
    expect([bucket.when('f'), bucket.when('g'), bucket.when('h')]).toEqual([0, 0, 0]);
    expect(bucket.when('i')).toBe(100);
  });

  it('applies the bucket to many distinct failing keys (default 10 qps, burst 100)', () => {
    vi.useFakeTimers();
    const queue = new WorkQueue<number>();
    for (let key = 0; key < 110; key++) queue.addRateLimited(key);
    vi.advanceTimersByTime(5); // every key's back-off is 5 ms, but only the burst gets through
    expect(queue.len).toBe(100);
    vi.advanceTimersByTime(500);
    expect(queue.len).toBe(105);
    vi.advanceTimersByTime(500);
    expect(queue.len).toBe(110);
    queue.shutDown();
  });

  it('shuts down: gets resolve undefined, adds are ignored, drain waits for keys in flight', async () => {
    vi.useFakeTimers();
    const queue = new WorkQueue();
    queue.add('a');
    queue.add('b');
    queue.addAfter('later', 10);
    const key = await queue.get();
    const drained = queue.shutDownWithDrain();
    expect(await queue.get()).toBeUndefined();
    queue.add('c');
    vi.advanceTimersByTime(20);
    expect(queue.len).toBe(0);
    expect(await settled(drained)).toBe(false);
    queue.add(key!); // dirty after shutdown: not handed out again
    queue.done(key!);
    await drained;
    expect(queue.len).toBe(0);
  });

  it('resolves gets that were waiting when it shuts down', async () => {
    const queue = new WorkQueue();
    const waiting = [queue.get(), queue.get()];
    queue.shutDown();
    expect(await Promise.all(waiting)).toEqual([undefined, undefined]);
    await queue.shutDownWithDrain();
  });
});

describe('runWorkers', () => {
  it('never gives one key to two workers at once', async () => {
    const queue = new WorkQueue<string>();
    const active = new Set<string>();
    const overlaps: string[] = [];
    let passes = 0;
    const workers = runWorkers(queue, 4, async (key) => {
      if (active.has(key)) overlaps.push(key);
      active.add(key);
      passes++;
      // Re-adding while processing is the case that must wait for `done`.
      queue.add(key);
      await new Promise((resolve) => setTimeout(resolve, 1));
      active.delete(key);
      if (passes > 60) queue.shutDown();
    });
    for (const key of ['a', 'b', 'a', 'a', 'b', 'c']) queue.add(key);
    await workers.finished;
    expect(passes).toBeGreaterThan(60);
    expect(overlaps).toEqual([]);
  });

  it('retries a failing key with back-off and forgets it once it succeeds', async () => {
    vi.useFakeTimers();
    const queue = new WorkQueue<string>();
    const errors: string[] = [];
    let calls = 0;
    const workers = runWorkers(
      queue,
      2,
      (key) => {
        calls++;
        if (calls <= 3) throw new Error(`fail ${calls}`);
        expect(queue.numRequeues(key)).toBe(3);
      },
      { onError: (error, key) => errors.push(`${key}: ${(error as Error).message}`) },
    );
    queue.add('k');
    await vi.advanceTimersByTimeAsync(4);
    expect(calls).toBe(1); // the first retry waits 5 ms
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(2); // the next 10 ms, then 20 ms
    await vi.advanceTimersByTimeAsync(29);
    expect(calls).toBe(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toBe(4);
    expect(errors).toEqual(['k: fail 1', 'k: fail 2', 'k: fail 3']);
    expect(queue.numRequeues('k')).toBe(0);
    await workers.stop();
  });

  it('stop lets a handler in flight finish', async () => {
    const queue = new WorkQueue<string>();
    let release!: () => void;
    const finished: string[] = [];
    const workers = runWorkers(queue, 1, async (key) => {
      await new Promise<void>((resolve) => (release = resolve));
      finished.push(key);
    });
    queue.add('a');
    queue.add('b');
    await vi.waitFor(() => expect(release).toBeDefined());
    const stopped = workers.stop();
    expect(await settled(stopped)).toBe(false);
    release();
    await stopped;
    expect(finished).toEqual(['a']); // 'b' was still queued: dropped
  });
});
