import { isDeepStrictEqual } from 'node:util';
import { kindByName } from '../../schema/kinds/index.ts';
import { ApiError, notFound } from '../errors.ts';
import type { WatchItem } from '../watch/hub.ts';
import { deploymentRolloutStatus, type RolloutStatus } from './rollout-status.ts';
import type { ResourceService } from './service.ts';

/** What the stream yields: a status, or last of all the error that ended it (see WatchItem). */
export type RolloutStatusItem = RolloutStatus | { error: ApiError };

/**
 * `kubectl rollout status deployment/<name>`: the rollout's status now, then again each
 * time the Deployment changes it, ending after the status that is done or failed. With
 * `timeoutSeconds` (0: none) an unfinished rollout ends with a TIMEOUT error; a
 * Deployment deleted meanwhile ends it with NOT_FOUND. A change that leaves the status
 * as it was (a label, an annotation) yields nothing.
 */
export function watchRolloutStatus(
  resources: ResourceService,
  namespace: string,
  name: string,
  timeoutSeconds = 0,
): AsyncIterableIterator<RolloutStatusItem> {
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0) {
    throw new ApiError('BAD_REQUEST', `timeoutSeconds must not be negative: ${timeoutSeconds}`);
  }
  const def = kindByName('Deployment')!;
  // Both in one synchronous step: the watch's first event is the Deployment just found.
  if (!resources.get(def, namespace, name)) throw notFound(def.plural, name);
  const watch = resources.watch(def, { namespace, fieldSelector: `metadata.name=${name}` });
  return new RolloutStatusStream(watch, name, timeoutSeconds);
}

/**
 * A plain iterator rather than an async generator, so that `return` (the client
 * unsubscribing) ends the watch at once, even while a `next` waits for a change.
 */
class RolloutStatusStream implements AsyncIterableIterator<RolloutStatusItem> {
  private last?: RolloutStatus;
  private finished = false;
  private timedOut = false;
  private readonly timer?: NodeJS.Timeout;

  constructor(
    private readonly watch: AsyncIterableIterator<WatchItem>,
    private readonly name: string,
    private readonly timeoutSeconds: number,
  ) {
    if (timeoutSeconds > 0) {
      this.timer = setTimeout(() => {
        this.timedOut = true;
        void this.watch.return?.();
      }, timeoutSeconds * 1000);
    }
  }

  async next(): Promise<IteratorResult<RolloutStatusItem>> {
    while (!this.finished) {
      const { value: item, done } = await this.watch.next();
      if (done) {
        if (!this.timedOut) return this.end();
        const message = `timed out after ${this.timeoutSeconds}s waiting for deployment "${this.name}" rollout to finish`;
        return this.final({ error: new ApiError('TIMEOUT', message) });
      }
      if (item.type === 'ERROR') return this.final({ error: item.error });
      if (item.type === 'BOOKMARK') continue;
      if (item.type === 'DELETED') {
        return this.final({
          error: new ApiError('NOT_FOUND', `deployment "${this.name}" was deleted during its rollout`),
        });
      }
      const status = deploymentRolloutStatus(item.object);
      if (isDeepStrictEqual(status, this.last)) continue;
      this.last = status;
      return status.done || status.failed ? this.final(status) : { value: status, done: false };
    }
    return { value: undefined, done: true };
  }

  return(): Promise<IteratorResult<RolloutStatusItem>> {
    return Promise.resolve(this.end());
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<RolloutStatusItem> {
    return this;
  }

  /** Yields `value` as the last item: the next call ends the stream. */
  private final(value: RolloutStatusItem): IteratorResult<RolloutStatusItem> {
    this.end();
    return { value, done: false };
  }

  private end(): IteratorResult<RolloutStatusItem> {
    if (!this.finished) {
      this.finished = true;
      clearTimeout(this.timer);
      void this.watch.return?.();
    }
    return { value: undefined, done: true };
  }
}
