import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/** One subscribe the fake received. */
export interface FakeSubscription {
  /** Which connection it came on: 1 for the first the fake accepted. */
  connection: number;
  id: string;
  variables: Record<string, unknown>;
  at: number;
  /** Whether the client completed it (unsubscribed). */
  completed: boolean;
  /** Sends one `next` with this data. */
  next(data: unknown): void;
}

export interface FakeConnection {
  number: number;
  socket: WebSocket;
  /** When the client closed it (or the fake did), ms since the epoch. */
  closedAt?: number;
}

/**
 * What the fake does, decided per connection: whether it acknowledges connection_init
 * and answers pings. A server whose process is stopped does neither; one whose
 * subscription is lost does both and sends nothing more.
 */
export interface FakeBehaviour {
  ack: boolean;
  pong: boolean;
}

/**
 * A graphql-ws (graphql-transport-ws) server that speaks the protocol and nothing else:
 * the test decides what each subscription receives, and when it falls silent.
 */
export class FakeGraphQLWs {
  readonly subscriptions: FakeSubscription[] = [];
  readonly connections: FakeConnection[] = [];
  /** Called on each subscribe, e.g. to answer it. */
  onSubscribe: (subscription: FakeSubscription) => void = () => {};
  behaviour: (connection: number) => FakeBehaviour = () => ({ ack: true, pong: true });
  private readonly wss: WebSocketServer;
  private readonly waiters = new Set<() => void>();

  private constructor(wss: WebSocketServer) {
    this.wss = wss;
    wss.on('connection', (socket) => this.accept(socket));
  }

  static async start(): Promise<FakeGraphQLWs> {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    return new FakeGraphQLWs(wss);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.wss.address() as AddressInfo).port}/graphql`;
  }

  /** Resolves once `probe` holds (checked after every message and close), or fails after `ms`. */
  async until(probe: () => boolean, ms: number, what: string): Promise<void> {
    if (probe()) return;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!probe()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      this.waiters.add(check);
    });
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    const connection: FakeConnection = { number: this.connections.length + 1, socket };
    this.connections.push(connection);
    const behaviour = this.behaviour(connection.number);
    const send = (message: unknown) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    };
    socket.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as {
        type: string;
        id?: string;
        payload?: { variables?: Record<string, unknown> };
      };
      if (message.type === 'connection_init' && behaviour.ack) send({ type: 'connection_ack' });
      if (message.type === 'ping' && behaviour.pong) send({ type: 'pong' });
      if (message.type === 'subscribe') {
        const id = message.id!;
        const subscription: FakeSubscription = {
          connection: connection.number,
          id,
          variables: message.payload?.variables ?? {},
          at: Date.now(),
          completed: false,
          next: (data) => send({ id, type: 'next', payload: { data } }),
        };
        this.subscriptions.push(subscription);
        this.onSubscribe(subscription);
      }
      if (message.type === 'complete') {
        const subscription = this.subscriptions.find((s) => s.id === message.id);
        if (subscription) subscription.completed = true;
      }
      this.notify();
    });
    socket.on('close', () => {
      connection.closedAt = Date.now();
      this.notify();
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** A ConfigMap watch event as the API sends it to the SDK's watch. */
export function configMapEvent(
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK',
  name: string,
  resourceVersion: number,
  annotations?: Record<string, string>,
) {
  const metadata = { name, namespace: 'default', resourceVersion: String(resourceVersion), annotations };
  return {
    watchConfigMaps: {
      type,
      object: {
        manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata },
        metadata: { resourceVersion: String(resourceVersion) },
      },
    },
  };
}
