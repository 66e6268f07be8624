import { Channel } from '../lib/channel.ts';
import { fromGraphQLErrors, toKubeqlError } from './errors.ts';
import type { Transport } from './types.ts';

/** An iterator whose `return()` is always there (AsyncIterableIterator's is optional). */
export interface Subscription<T> extends AsyncIterableIterator<T> {
  return(): Promise<IteratorResult<T>>;
}

/**
 * One subscription's data as an iterator. A result with errors ends it with a
 * KubeqlError (the API sends errors on a subscription only as its last word); `return()`
 * unsubscribes at once, even while a `next()` waits.
 */
export function subscription<T>(
  transport: Transport,
  query: string,
  variables: Record<string, unknown> | undefined,
  onEnd: () => void = () => {},
): Subscription<T> {
  let unsubscribe: (() => void) | undefined;
  let ended = false;
  const finish = () => {
    ended = true;
    unsubscribe?.();
    onEnd();
  };
  const channel = new Channel<T>(finish);
  const stop = transport.subscribe<T>(query, variables, {
    next: (result) => {
      if (channel.closed) return;
      if (result.errors?.length) {
        channel.fail(fromGraphQLErrors(result.errors));
        finish();
      } else {
        channel.push(result.data as T);
      }
    },
    error: (error) => {
      if (channel.closed) return;
      channel.fail(toKubeqlError(error));
      onEnd();
    },
    complete: () => {
      if (channel.closed) return;
      channel.end();
      onEnd();
    },
  });
  // A transport may report synchronously, before `stop` is known.
  if (ended) stop();
  else unsubscribe = stop;
  return channel;
}
