import type { WebSocket } from 'ws';
import type { ConnectionLimits } from '../limits/connection-limits.ts';

/** What a connection's check found: a peer that stopped answering, or one that reads too slowly. */
export type Verdict = 'dead' | 'slow' | undefined;

/**
 * Tells a live WebSocket peer from one that has gone away or cannot keep up, checked on
 * a clock the transport ticks. Every `webSocketKeepAliveMs` a ping goes out; a peer that
 * has not answered the previous one by then is dead (a silent peer's TCP connection
 * would otherwise stay open for as long as the kernel keeps retrying). A peer with more
 * than `maxBufferedBytes` unsent for `slowConsumerMs` is slow: its backlog would
 * otherwise grow in the server's memory for as long as it keeps answering pings.
 */
export class Liveness {
  private pingedAt: number;
  private answered = true;
  private overSince?: number;
  private closingSince?: number;

  constructor(
    private readonly socket: WebSocket,
    private readonly limits: Pick<
      ConnectionLimits,
      'webSocketKeepAliveMs' | 'maxBufferedBytes' | 'slowConsumerMs'
    >,
    now: number,
  ) {
    this.pingedAt = now;
    socket.on('pong', () => (this.answered = true));
  }

  check(now: number): Verdict {
    const { socket, limits } = this;
    if (socket.readyState === socket.CLOSING) {
      // A close frame waits behind whatever is unsent: a peer that never reads it is dropped.
      this.closingSince ??= now;
      return now - this.closingSince >= limits.webSocketKeepAliveMs ? 'dead' : undefined;
    }
    if (socket.readyState !== socket.OPEN) return undefined;
    if (socket.bufferedAmount > limits.maxBufferedBytes) {
      this.overSince ??= now;
      if (now - this.overSince >= limits.slowConsumerMs) return 'slow';
    } else {
      this.overSince = undefined;
    }
    if (now - this.pingedAt >= limits.webSocketKeepAliveMs) {
      if (!this.answered) return 'dead';
      this.answered = false;
      this.pingedAt = now;
      socket.ping();
    }
    return undefined;
  }
}
