import type { Socket } from 'node:net';

/**
 * Lets every frame written to a connection within one turn of the event loop leave in
 * one write. A watch that has fallen behind drains its backlog in a burst of
 * microtasks; without this each event would cost its own system call, which is what
 * limits fan-out to a thousand subscribers. An idle connection's frame leaves at the
 * end of the turn, a fraction of a millisecond later.
 */
export function coalesceWrites(socket: Socket): void {
  const write = socket.write.bind(socket) as Socket['write'];
  let corked = false;
  socket.write = ((...args: Parameters<Socket['write']>) => {
    if (!corked && !socket.destroyed) {
      corked = true;
      socket.cork();
      setImmediate(() => {
        corked = false;
        socket.uncork();
      });
    }
    return write(...args);
  }) as Socket['write'];
}
