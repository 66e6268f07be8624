import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/** The longest a frame waits for its connection's next write, however loaded the server. */
const MAX_WAIT_MS = 20;

/** Connections holding frames for the next flush. */
const corked = new Set<Socket>();
let scheduled = false;
let lastFlushEnd = 0;
let lastFlushMs = 0;

/**
 * Lets the frames written to a connection leave together, in one system call. Fan-out
 * costs a write per connection per flush, and a write is the dearest part of a frame's
 * journey (tens of microseconds; a frame's own work is a few), so flushes pace
 * themselves by their own cost: the next one starts no sooner than the last one took
 * after it ended (at most MAX_WAIT_MS), which keeps flushing to about half of the
 * loop however many subscribers there are. A quiet server flushes at the end of the
 * turn, a fraction of a millisecond later; a busy one sends each connection several
 * events per write instead of falling behind one write per event.
 */
export function coalesceWrites(socket: Socket): void {
  const write = socket.write.bind(socket) as Socket['write'];
  socket.write = ((...args: Parameters<Socket['write']>) => {
    if (!corked.has(socket) && !socket.destroyed) {
      corked.add(socket);
      socket.cork();
      schedule();
    }
    return write(...args);
  }) as Socket['write'];
  socket.once('close', () => corked.delete(socket));
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  const wait = Math.min(MAX_WAIT_MS, lastFlushEnd + lastFlushMs - performance.now());
  if (wait > 0) setTimeout(flush, wait);
  else setImmediate(flush);
}

function flush(): void {
  scheduled = false;
  const start = performance.now();
  const sockets = [...corked];
  corked.clear();
  for (const socket of sockets) socket.uncork();
  lastFlushEnd = performance.now();
  lastFlushMs = lastFlushEnd - start;
}
