import { afterAll, beforeAll } from 'vitest';
import type { ServerOptions } from '../../server/server.ts';
import { startCluster, type GraphQLResponse, type TestCluster } from './harness.ts';

/**
 * For a test file against one API server: registers a beforeAll that starts it (see
 * startCluster) and an afterAll that stops it, and returns a handle that stands for it
 * once the tests run. Call it at the top of the file, so every describe block's own
 * hooks run after the start and before the stop.
 */
export function clusterPerFile(options: Partial<ServerOptions> = {}): TestCluster {
  let started: TestCluster | undefined;
  const get = (): TestCluster => {
    if (!started) throw new Error('the cluster is not started (used outside a test or hook?)');
    return started;
  };
  beforeAll(async () => {
    started = await startCluster(options);
  });
  afterAll(async () => {
    await started?.stop();
  });
  return {
    get server() {
      return get().server;
    },
    set server(server) {
      get().server = server;
    },
    get url() {
      return get().url;
    },
    get wsUrl() {
      return get().wsUrl;
    },
    get token() {
      return get().token;
    },
    get dataDir() {
      return get().dataDir;
    },
    gql<T>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> {
      return get().gql<T>(query, variables);
    },
    ok<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
      return get().ok<T>(query, variables);
    },
    wsClient(wsOptions) {
      return get().wsClient(wsOptions);
    },
    stop() {
      return get().stop();
    },
    restart() {
      return get().restart();
    },
  };
}
