import type { Client } from 'graphql-ws/client';
import { fromGraphQLErrors, KubeqlError, messageOf, type GraphQLErrorLike } from './errors.ts';
import type { GraphQLResult, Sink } from './types.ts';
import { untrustedServer } from './untrusted-server.ts';

export interface SocketOptions {
  /** ws:// or wss:// */
  url: string;
  authorization: string;
  /** The certificate authority (PEM) to trust for wss:// in Node (see RemoteTransportOptions.ca). */
  ca?: string;
  webSocketImpl?: unknown;
  keepAliveMs: number;
  pongTimeoutMs: number;
  /** From opening a connection to the server's connection_ack. */
  connectTimeoutMs: number;
}

interface Entry {
  fail(error: KubeqlError): void;
  /** The connection the subscription was sent on; undefined while it waits for one. */
  connection?: number;
}

const CONNECTING = 0;
const OPEN = 1;

/** What we use of a WebSocket: the browser's and `ws`'s (which alone has terminate). */
type RawSocket = { readyState: number; close(): void; terminate?: () => void };

/**
 * Subscriptions over one lazily opened graphql-ws connection that never resubscribes
 * by itself. graphql-ws would re-send a subscription after a drop with the variables it
 * started with, where a watch must resume from the last resourceVersion it received:
 * `retryAttempts: 0` stops that for most drops, and for the rest (a close with 1000 while
 * subscriptions are open, which graphql-ws always retries) every subscription sent on
 * the dropped connection is ended here with UNAVAILABLE first. The next subscribe opens a
 * fresh connection.
 */
export class SubscriptionSocket {
  private client?: Promise<Client>;
  private readonly entries = new Set<Entry>();
  private connections = 0;
  private current?: RawSocket;
  private pongTimer?: ReturnType<typeof setTimeout>;
  /** The connection being opened, until the server acknowledges it. */
  private opening?: { socket: RawSocket; timer: ReturnType<typeof setTimeout> };

  constructor(private readonly options: SocketOptions) {}

  subscribe<T>(query: string, variables: Record<string, unknown> | undefined, sink: Sink<T>): () => void {
    let ended = false;
    let dispose: (() => void) | undefined;
    const end = () => {
      ended = true;
      this.entries.delete(entry);
      dispose?.();
    };
    const entry: Entry = {
      fail: (error) => {
        if (ended) return;
        end();
        sink.error(error);
      },
    };
    this.entries.add(entry);
    this.connect().then(
      (client) => {
        if (ended) return;
        // Sent on the open connection at once; otherwise on the next one (see onConnected).
        if (this.current?.readyState === OPEN) entry.connection = this.connections;
        dispose = client.subscribe<T>(
          { query, variables },
          {
            next: (result) => {
              if (!ended) sink.next(result as GraphQLResult<T>);
            },
            error: (error) =>
              entry.fail(untrustedServer(error, this.options.url) ?? subscriptionError(error)),
            complete: () => {
              if (ended) return;
              end();
              sink.complete();
            },
          },
        );
      },
      (error) => entry.fail(new KubeqlError('UNAVAILABLE', messageOf(error), { cause: error })),
    );
    return end;
  }

  /** Ends every subscription with `error`, then closes the connection. */
  async close(error: KubeqlError): Promise<void> {
    for (const entry of [...this.entries]) entry.fail(error);
    const client = await this.client?.catch(() => undefined);
    clearTimeout(this.pongTimer);
    // dispose() waits for a connection being opened: give it up rather than wait for it.
    const opening = this.opening;
    this.opening = undefined;
    if (opening) {
      clearTimeout(opening.timer);
      if (client) abandon(client, opening.socket);
    }
    // A connection that failed as it was given up fails dispose(): it is closed all the same.
    await Promise.resolve(client?.dispose()).catch(() => {});
  }

  // graphql-ws is loaded with the first subscription: a CLI's one-shot query never pays for it.
  private connect(): Promise<Client> {
    return (this.client ??= Promise.all([
      import('graphql-ws/client'),
      webSocketImpl(this.options.webSocketImpl, this.options.ca),
    ]).then(([{ createClient }, impl]) => this.open(createClient, impl)));
  }

  private open(createClient: typeof import('graphql-ws/client').createClient, impl: unknown): Client {
    const client: Client = createClient({
      url: this.options.url,
      webSocketImpl: watched(impl, (socket) => this.onOpening(client, socket)),
      connectionParams: { authorization: this.options.authorization },
      lazy: true,
      keepAlive: this.options.keepAliveMs,
      retryAttempts: 0,
      shouldRetry: () => false,
      on: {
        connected: (socket) => this.onConnected(socket as RawSocket),
        // graphql-ws pings but never notices a silent peer; no pong in time means a dead link.
        ping: (received) => {
          if (received) return;
          clearTimeout(this.pongTimer);
          this.pongTimer = setTimeout(() => {
            const socket = this.current;
            if (socket) abandon(client, socket);
          }, this.options.pongTimeoutMs);
        },
        pong: (received) => {
          if (received) clearTimeout(this.pongTimer);
        },
        closed: (event) => this.onClosed(event),
      },
    });
    return client;
  }

  /**
   * A connection starts: it must be acknowledged within connectTimeoutMs. Otherwise the
   * subscriptions waiting for it would wait as long as the peer holds the TCP connection
   * open without answering (a stopped or hung server accepts connections in its kernel
   * backlog and never upgrades them), and every later subscribe would join them.
   */
  private onOpening(client: Client, socket: RawSocket): void {
    clearTimeout(this.opening?.timer);
    const timer = setTimeout(() => {
      if (this.opening?.socket === socket) this.opening = undefined;
      abandon(client, socket);
    }, this.options.connectTimeoutMs);
    this.opening = { socket, timer };
  }

  private onConnected(socket: RawSocket): void {
    if (this.opening?.socket === socket) {
      clearTimeout(this.opening.timer);
      this.opening = undefined;
    }
    this.connections++;
    this.current = socket;
    for (const entry of this.entries) entry.connection ??= this.connections;
  }

  private onClosed(event: unknown): void {
    clearTimeout(this.pongTimer);
    if (this.opening && this.opening.socket.readyState > OPEN) {
      clearTimeout(this.opening.timer);
      this.opening = undefined;
    }
    const wasOpen = this.current !== undefined;
    this.current = undefined;
    // A connection that never opened fails its waiting subscriptions through graphql-ws.
    if (!wasOpen) return;
    const error = closeError(event);
    for (const entry of [...this.entries]) if (entry.connection === this.connections) entry.fail(error);
  }
}

/**
 * Drops a connection at once. graphql-ws's terminate() fails what waits on it without
 * waiting for the close handshake a dead peer never answers (`ws` would hold the socket
 * for its 30 s close timeout; a browser for as long as it likes); `ws`'s terminate()
 * then frees the socket. Before the socket is open only the socket's own close or
 * terminate will do: graphql-ws's terminate() would detach its listeners first, and `ws`
 * throws the error it emits on aborting a handshake nobody listens to.
 */
function abandon(client: Client, socket: RawSocket): void {
  if (socket.readyState === CONNECTING) {
    if (socket.terminate) socket.terminate();
    else socket.close();
    return;
  }
  if (socket.readyState !== OPEN) return;
  client.terminate();
  socket.terminate?.();
}

/** The WebSocket constructor, telling `onCreate` of every socket it makes (a Proxy: it keeps the statics graphql-ws checks). */
function watched(impl: unknown, onCreate: (socket: RawSocket) => void): unknown {
  return new Proxy(impl as new (...args: unknown[]) => RawSocket, {
    construct(target, args, newTarget) {
      const socket = Reflect.construct(target, args, newTarget) as RawSocket;
      onCreate(socket);
      return socket;
    },
  });
}

async function webSocketImpl(given: unknown, ca: string | undefined): Promise<unknown> {
  if (given) return given;
  // A global WebSocket (a browser's, Node 22's) takes no CA: `ws` does.
  if (ca) return (await import('./node-tls.ts')).trustingWebSocket(ca);
  if (typeof globalThis.WebSocket === 'function') return globalThis.WebSocket;
  // Node 20 has no global WebSocket; import `ws` only then, so that browsers never load it.
  return (await import('ws')).default;
}

/** What graphql-ws reports: the server's errors for the operation (an array), a CloseEvent, or a socket error. */
function subscriptionError(error: unknown): KubeqlError {
  if (Array.isArray(error)) return fromGraphQLErrors(error as GraphQLErrorLike[]);
  return closeError(error);
}

/** The server closes with 4403 for a missing or wrong token; any other close is worth a retry. */
function closeError(event: unknown): KubeqlError {
  const { code, reason } = (typeof event === 'object' && event !== null ? event : {}) as {
    code?: unknown;
    reason?: unknown;
  };
  if (code === 4401 || code === 4403) {
    const why = typeof reason === 'string' && reason ? reason : String(code);
    return new KubeqlError('UNAUTHENTICATED', `the server refused the token (${why})`, { cause: event });
  }
  const detail =
    typeof code === 'number' ? `closed with ${code}${reason ? ` ${String(reason)}` : ''}` : messageOf(event);
  return new KubeqlError('UNAVAILABLE', `the connection to the server dropped: ${detail}`, { cause: event });
}
