import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startServer, type RunningServer, type ServerOptions } from '../../server/server.ts';

/**
 * What a test reads from the answer to an operation it wrote inline, unless it names a
 * type: its assertions check the shape, the compiler need not check it twice.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the one untyped seam of the tests, explained above
export type Untyped = any;

/** One GraphQL error as the server sends it. */
export interface GraphQLErrorBody {
  message: string;
  path?: string[];
  extensions?: { code?: string; causes?: Array<{ field: string; reason: string; message: string }> };
}

export interface GraphQLResponse<T = Untyped> {
  data?: T;
  errors?: GraphQLErrorBody[];
}

export interface TestCluster {
  server: RunningServer;
  url: string;
  wsUrl: string;
  token: string;
  dataDir: string;
  /** POSTs an operation to /graphql with the admin token. */
  gql<T = Untyped>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** Like gql, but fails the test on errors and returns data. */
  ok<T = Untyped>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** A graphql-ws client authenticated with the admin token. */
  wsClient(options?: { retryAttempts?: number }): Client;
  stop(): Promise<void>;
  /** Stops and starts the server on the same data directory. */
  restart(): Promise<void>;
}

/** Starts a real API server on a free port with its own data directory. */
export async function startCluster(options: Partial<ServerOptions> = {}): Promise<TestCluster> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-test-'));
  const open = () =>
    startServer({
      port: 0,
      address: '127.0.0.1',
      dataDir,
      log: process.env.KQ_TEST_LOG ? console.error : () => {},
      ...options,
    });
  let server = await open();
  const token = fs.readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim();
  const clients: Client[] = [];
  const cluster: TestCluster = {
    server,
    get url() {
      return server.url;
    },
    get wsUrl() {
      return server.url.replace(/^http/, 'ws');
    },
    token,
    dataDir,
    async gql(query, variables) {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GraphQLResponse;
    },
    async ok(query, variables) {
      const result = await cluster.gql(query, variables);
      if (result.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
      return result.data;
    },
    wsClient(opts = {}) {
      const client = createClient({
        url: server.url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: opts.retryAttempts ?? 0,
        lazy: true,
      });
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.splice(0).map((c) => c.dispose()));
      await server.close();
    },
    async restart() {
      await server.close();
      server = await open();
      cluster.server = server;
    },
  };
  return cluster;
}

/** Collects a subscription's results as they arrive, for assertions on order and content. */
export function collect<T = Untyped>(client: Client, query: string, variables?: Record<string, unknown>) {
  const items: T[] = [];
  /** GraphQL errors of the results, or what ended the subscription (a socket error, a close event). */
  const errors: unknown[] = [];
  let completed = false;
  const waiters: Array<() => void> = [];
  const notify = () => waiters.splice(0).forEach((w) => w());
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) errors.push(...result.errors);
        if (result.data) items.push(result.data as T);
        notify();
      },
      error: (error) => {
        errors.push(error);
        completed = true;
        notify();
      },
      complete: () => {
        completed = true;
        notify();
      },
    },
  );
  return {
    items,
    errors,
    get completed() {
      return completed;
    },
    unsubscribe,
    /** Resolves once `predicate` holds, or rejects after `ms`. */
    async until(predicate: () => boolean, ms = 5000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!predicate()) {
        const left = deadline - Date.now();
        if (left <= 0)
          throw new Error(`timed out; have ${items.length} items, errors ${JSON.stringify(errors)}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
  };
}

/** The `extensions.code` of a GraphQL error collected from a subscription, if it has one. */
export function codeOf(error: unknown): string | undefined {
  return (error as Partial<GraphQLErrorBody> | undefined)?.extensions?.code;
}
