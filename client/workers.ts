// Workers extends AsyncDisposable, which ES2022's lib lacks: the directive stays in the
// emitted workers.d.ts so that a consumer's tsc loads it without a `lib` setting of its own.
/// <reference lib="esnext.disposable" preserve="true" />
import { messageOf } from './errors.ts';
import type { WorkQueue } from './work-queue.ts';

/**
 * Reconciles one key. It is called with the key only, never the object: read the
 * current state (from an informer's cache) and converge on it, so it does not matter
 * how many changes the key stands for. It is never called for one key by two workers
 * at once, but is called concurrently for different keys. Throwing (or rejecting)
 * retries the key with back-off; returning normally resets its back-off.
 */
export type Reconcile<K> = (key: K) => Promise<void> | void;

export interface RunWorkersOptions<K> {
  /** Told about each failed attempt (the retry is already scheduled). Default: logs to stderr. */
  onError?: (error: unknown, key: K) => void;
}

export interface Workers extends AsyncDisposable {
  /** Shuts the queue down, lets in-flight handlers finish, and resolves when every worker has returned. */
  stop(): Promise<void>;
  /** Resolves when every worker has returned (after the queue was shut down, by `stop` or otherwise). */
  readonly finished: Promise<void>;
}

/** Runs `n` workers that take keys from the queue and hand them to `handler` until the queue shuts down. */
export function runWorkers<K>(
  queue: WorkQueue<K>,
  n: number,
  handler: Reconcile<K>,
  options: RunWorkersOptions<K> = {},
): Workers {
  const onError =
    options.onError ??
    ((error: unknown, key: K) => console.error(`reconcile ${String(key)}: ${messageOf(error)}`));

  // A throwing onError must not end the worker: the queue would silently lose a consumer.
  const report = (error: unknown, key: K) => {
    try {
      onError(error, key);
    } catch {
      // nothing sensible left to do with it
    }
  };

  const work = async (): Promise<void> => {
    for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
      try {
        await yieldIfBusy();
        await handler(key);
        queue.forget(key);
      } catch (error) {
        queue.addRateLimited(key);
        report(error, key);
      } finally {
        queue.done(key);
      }
    }
  };

  const finished = Promise.all(Array.from({ length: n }, work)).then(() => undefined);
  const stop = async () => {
    await queue.shutDownWithDrain();
    await finished;
  };
  return { stop, finished, [Symbol.asyncDispose]: stop };
}

/**
 * Keys, in-process API calls and commits can all resolve without waiting on I/O, so busy
 * workers could chain promise callbacks for minutes while no timer fires (leases not
 * renewed, deadlines missed). After ~10 ms of holding the thread, a worker lets the
 * event loop run a turn.
 */
let sliceStart = performance.now();
// Browsers have no setImmediate; a zero timeout is their next turn.
const nextTurn: (run: () => void) => void = globalThis.setImmediate ?? ((run) => setTimeout(run, 0));
async function yieldIfBusy(): Promise<void> {
  if (performance.now() - sliceStart < 10) return;
  await new Promise<void>((resolve) => nextTurn(resolve));
  sliceStart = performance.now();
}
