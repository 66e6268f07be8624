/**
 * Bounds on what connections may hold, so that no client (or crowd of them) can
 * exhaust the server by opening, idling or stalling. A client is a remote address:
 * everything on the server's own machine is one client, so the per-client caps leave
 * room for a whole cluster there (controllers, the scheduler, node agents, dashboards,
 * each holding one WebSocket with its watches) and for `npm run bench`'s thousand
 * subscribers. Behind a proxy every client shares its address unless the proxy is trusted.
 */
export interface ConnectionLimits {
  /** WebSocket connections open at once, from everyone (beyond: closed with 1013). */
  maxConnections: number;
  /** ... from one remote address (beyond: closed with 1008). */
  maxConnectionsPerClient: number;
  /** Operations (watches, mostly) open at once over WebSocket, on every connection. */
  maxSubscriptions: number;
  /** ... on all the connections of one remote address. */
  maxSubscriptionsPerClient: number;
  /** An HTTP request (or WebSocket upgrade) must have sent all its headers by then; a connection that sends nothing is closed then too. */
  headersTimeoutMs: number;
  /** ... and its whole body by then: a body trickled in is cut off (408). */
  requestTimeoutMs: number;
  /** An idle keep-alive HTTP connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** The server pings every WebSocket this often and drops one that has not answered the previous ping. */
  webSocketKeepAliveMs: number;
  /** A WebSocket with more than this many bytes waiting to be sent ... */
  maxBufferedBytes: number;
  /** ... for this long, without a moment below, is a slow consumer: closed with 4001. */
  slowConsumerMs: number;
  /** Addresses of proxies whose X-Forwarded-For names the client (clients.ts); none by default. */
  trustedProxies: readonly string[];
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 10_000,
  maxConnectionsPerClient: 1_500,
  maxSubscriptions: 20_000,
  maxSubscriptionsPerClient: 5_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  webSocketKeepAliveMs: 12_000,
  maxBufferedBytes: 16 * 1024 * 1024,
  slowConsumerMs: 15_000,
  trustedProxies: [],
};

/** Which cap a refused acquire ran into. */
export type Refusal = 'total' | 'client';

/** Counts what clients hold (connections, subscriptions) against a total and a per-client cap. */
export class Quota {
  private readonly byClient = new Map<string, number>();
  private held = 0;

  constructor(
    private readonly total: number,
    private readonly perClient: number,
  ) {}

  /** Takes one for `client`, or says which cap refuses it (and takes nothing). */
  acquire(client: string): Refusal | undefined {
    const mine = this.byClient.get(client) ?? 0;
    if (this.held >= this.total) return 'total';
    if (mine >= this.perClient) return 'client';
    this.held++;
    this.byClient.set(client, mine + 1);
    return undefined;
  }

  release(client: string, count = 1): void {
    const mine = this.byClient.get(client) ?? 0;
    const freed = Math.min(mine, count);
    this.held -= freed;
    if (mine - freed > 0) this.byClient.set(client, mine - freed);
    else this.byClient.delete(client);
  }

  get size(): number {
    return this.held;
  }
}
