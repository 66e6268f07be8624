import type { IncomingMessage } from 'node:http';
import { handleProtocols, MessageType, type Server } from 'graphql-ws';
import type { RawData, WebSocket, WebSocketServer } from 'ws';
import { CLOSE, closeReason } from './close-codes.ts';
import { coalesceWrites } from './coalesce-writes.ts';
import { clientOf } from '../limits/clients.ts';
import { Quota, type ConnectionLimits } from '../limits/connection-limits.ts';
import { Liveness } from './ws-liveness.ts';

/** What the graphql-ws hooks learn of a connection. */
export interface Extra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
  /** Its remote address, which per-client limits count by. */
  readonly client: string;
  /**
   * Sends a message without waiting for it to leave, as long as the connection holds
   * at most maxBufferedBytes unsent; beyond, the promise waits until this message has
   * left, so each operation holds back its next one and the backlog stays in the watch
   * (see Liveness for what ends a connection that stays over the bound).
   */
  readonly send: (text: string) => Promise<void> | void;
  /**
   * Sends a message, as its UTF-8 bytes, if `send` would not wait for it to leave; false,
   * and nothing sent, otherwise.
   */
  readonly trySend: (message: Buffer) => boolean;
}

interface Connection {
  liveness: Liveness;
  shut(code: number): void;
}

/** The messages a client may send; any other well-formed one is the client's mistake, not ours. */
const FROM_CLIENT = new Set<string>([
  MessageType.ConnectionInit,
  MessageType.Ping,
  MessageType.Pong,
  MessageType.Subscribe,
  MessageType.Complete,
]);

/**
 * Runs a graphql-ws server over a `ws` server, as graphql-ws' own `useServer` does, with
 * what a server facing hostile clients needs besides: connections capped in all and per
 * client, a fixed reason for every close code (close-codes.ts), failures in handling a
 * message logged here and never sent, dead and slow peers dropped (Liveness), and an
 * operation's resources released as soon as its connection is condemned.
 */
export function serveGraphQLWs(
  wss: WebSocketServer,
  server: Server<Extra>,
  limits: ConnectionLimits,
  log: (line: string) => void,
): { dispose(): Promise<void> } {
  wss.options.handleProtocols = handleProtocols;
  const quota = new Quota(limits.maxConnections, limits.maxConnectionsPerClient);
  const open = new Map<WebSocket, Connection>();

  const tick = Math.max(10, Math.min(1000, limits.slowConsumerMs / 4, limits.webSocketKeepAliveMs / 4));
  const clock = setInterval(() => {
    const now = Date.now();
    for (const [socket, connection] of open) {
      const verdict = connection.liveness.check(now);
      if (verdict === 'dead') socket.terminate();
      else if (verdict === 'slow') connection.shut(CLOSE.slowConsumer);
    }
  }, tick);
  clock.unref();

  // The HTTP server's own errors, re-emitted here; startServer handles them there.
  wss.on('error', () => {});

  wss.on('connection', (socket, request) => {
    // `ws` closes the connection itself after a protocol error (a bad frame, a message over maxPayload).
    socket.on('error', () => {});
    const client = clientOf(request, limits.trustedProxies);
    const refused = quota.acquire(client);
    if (refused) {
      const code = refused === 'total' ? CLOSE.serverConnectionLimit : CLOSE.clientConnectionLimit;
      socket.close(code, closeReason(code));
      return;
    }
    coalesceWrites(request.socket);

    let closed: ((code: number, reason: string) => Promise<void>) | undefined = undefined;
    let endedWith: number | undefined;
    const end = (run: (code: number, reason: string) => Promise<void>, code: number) =>
      run(code, closeReason(code)).catch((error: unknown) => log(`websocket: ${describe(error)}`));
    // Ends the operations once, on whichever comes first: the close decided here (a close
    // frame may wait long behind what a slow peer has not read) or the socket's close.
    const finish = (code: number) => {
      if (endedWith !== undefined) return;
      endedWith = code;
      if (closed) void end(closed, code);
    };
    const shut = (code: number) => {
      socket.close(code, closeReason(code));
      finish(code);
    };
    open.set(socket, { liveness: new Liveness(socket, limits, Date.now()), shut });
    socket.once('close', (code) => {
      open.delete(socket);
      quota.release(client);
      finish(code);
    });

    const send = (text: string): Promise<void> | void => {
      if (socket.readyState !== socket.OPEN) return;
      if (socket.bufferedAmount <= limits.maxBufferedBytes) return socket.send(text);
      // A failed write means the connection is going; its close ends the operations.
      return new Promise<void>((resolve) => socket.send(text, () => resolve()));
    };
    const trySend = (message: Buffer): boolean => {
      if (socket.readyState !== socket.OPEN || socket.bufferedAmount > limits.maxBufferedBytes) return false;
      // A text frame, though bytes: graphql-transport-ws messages are text.
      socket.send(message, { binary: false });
      return true;
    };
    closed = server.opened(
      {
        protocol: socket.protocol,
        send,
        close: (code = CLOSE.internal) => shut(code),
        onMessage: (handle) =>
          socket.on('message', (data) => {
            handle(String(data)).catch((error: unknown) => {
              if (isClientMessage(data)) {
                log(`websocket: ${describe(error)}`);
                shut(CLOSE.internal);
              } else {
                shut(CLOSE.badRequest);
              }
            });
          }),
      },
      { socket, request, client, send, trySend },
    );
    // graphql-ws may close while opening (a subprotocol it does not speak).
    if (endedWith !== undefined) void end(closed, endedWith);
  });

  return {
    /** Closes every connection with 1001; one whose peer has not completed the close by SHUTDOWN_GRACE_MS is dropped. */
    async dispose() {
      for (const connection of [...open.values()]) connection.shut(CLOSE.goingAway);
      const drop = setTimeout(() => wss.clients.forEach((socket) => socket.terminate()), SHUTDOWN_GRACE_MS);
      await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
      clearTimeout(drop);
      clearInterval(clock);
    },
  };
}

/** How long shutting down waits for peers to answer the close (`ws` alone would wait 30 s). */
const SHUTDOWN_GRACE_MS = 2000;

function isClientMessage(data: RawData): boolean {
  try {
    const message: unknown = JSON.parse(String(data));
    return (
      typeof message === 'object' &&
      message !== null &&
      FROM_CLIENT.has(String((message as { type?: unknown }).type))
    );
  } catch {
    return false;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
