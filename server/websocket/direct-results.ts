import type { ExecutionResult } from 'graphql';
import type { ResultTaker } from '../shared-execution.ts';
import { nextMessageBytes } from './next-message.ts';

/**
 * Shared results that some subscriber's stream delivered as they were executed: the
 * plugins' per-event hooks (the response size bound, the error contract, masking, the
 * audit) left them as they were. Those hooks are functions of the result alone, so a
 * result one subscriber's stream left unchanged, every other's would too.
 */
const unchanged = new WeakSet<ExecutionResult>();
/** Shared results on their way through one subscriber's stream, to learn whether they come out unchanged. */
const probing = new WeakSet<ExecutionResult>();

/** Notes a result as a subscriber's stream delivered it. */
export function delivered(result: ExecutionResult): void {
  unchanged.add(result);
}

/**
 * Sends the `next` message of operation `id` for each shared result its watch offers,
 * at once, without the stream's chain of promises per subscriber: the first subscriber
 * offered a new result refuses it and sends it through its stream, the rest ask again
 * after that has settled, and send it directly if it came out unchanged. Sending
 * follows the stream's rules: only while the operation is open, and only while the
 * connection has not too much unsent; otherwise the stream takes it and waits.
 */
export function directResults(
  id: string,
  isOpen: () => boolean,
  trySend: (message: Buffer) => boolean,
): ResultTaker {
  return (result) => {
    if (!unchanged.has(result)) {
      if (probing.has(result)) return 'later';
      probing.add(result);
      return 'refused';
    }
    return isOpen() && trySend(nextMessageBytes(id, result)) ? 'sent' : 'refused';
  };
}
