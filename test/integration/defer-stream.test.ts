import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { Defer20220824Handler } from '@apollo/client/incremental';
import type { FormattedExecutionResult as ExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { possibleTypes } from '../../client/index.ts';
import { startCluster, type TestCluster } from '../support/harness.ts';

// `@defer` and `@stream` (the incremental delivery of graphql-js 17's drafts, as yoga
// serves it) through Apollo Client over HTTP multipart and graphql-ws over WebSocket.

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster();
  for (let i = 0; i < 5; i++)
    await cluster.ok(
      `mutation($n: String!) { createConfigMap(configMap: { metadata: { name: $n } }) { kind } }`,
      {
        n: `streamed-${i}`,
      },
    );
});

afterAll(async () => {
  await cluster?.stop();
});

describe('@defer through Apollo Client (HTTP, multipart/mixed)', () => {
  it('shows the first part, then the deferred one', async () => {
    const client = new ApolloClient({
      cache: new InMemoryCache({ possibleTypes }),
      link: new HttpLink({ uri: cluster.url, headers: { authorization: `Bearer ${cluster.token}` } }),
      incrementalHandler: new Defer20220824Handler(),
    });
    const seen: Array<{ namespaces: number; configMaps?: number }> = [];
    const query = gql`
      query Deferred {
        namespaces {
          items {
            id
            metadata {
              name
            }
          }
        }
        ... @defer {
          configMaps(namespace: "default") {
            items {
              id
              metadata {
                name
              }
            }
          }
        }
      }
    `;
    await new Promise<void>((resolve, reject) => {
      const subscription = client.watchQuery({ query, fetchPolicy: 'network-only' }).subscribe({
        next: (result) => {
          const data = result.data as
            { namespaces?: { items: unknown[] }; configMaps?: { items: unknown[] } } | undefined;
          if (data?.namespaces)
            seen.push({
              namespaces: data.namespaces.items.length,
              configMaps: data.configMaps?.items.length,
            });
          if (data?.configMaps) {
            subscription.unsubscribe();
            resolve();
          }
        },
        error: reject,
      });
    });
    expect(seen[0]).toEqual({ namespaces: 4, configMaps: undefined });
    expect(seen.at(-1)).toEqual({ namespaces: 4, configMaps: 5 });
    client.stop();
  });
});

describe('@stream over WebSocket (graphql-ws)', () => {
  let ws: Client;
  beforeAll(() => {
    ws = createClient({
      url: cluster.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${cluster.token}` },
    });
  });
  afterAll(() => ws?.dispose());

  it('sends the first items, then the rest as incremental payloads', async () => {
    const payloads: unknown[] = [];
    await new Promise<void>((resolve, reject) =>
      ws.subscribe(
        {
          query: `{ configMaps(namespace: "default") { items @stream(initialCount: 2) { metadata { name } } } }`,
        },
        { next: (value) => payloads.push(value), error: reject, complete: resolve },
      ),
    );
    const first = payloads[0] as { data: { configMaps: { items: unknown[] } }; hasNext: boolean };
    expect(first.data.configMaps.items).toHaveLength(2);
    expect(first.hasNext).toBe(true);
    const streamed = payloads
      .slice(1)
      .flatMap((payload) => (payload as { incremental?: Array<{ items: unknown[] }> }).incremental ?? [])
      .flatMap((part) => part.items);
    expect(streamed).toHaveLength(3);
  });

  it('refuses @stream on a field that is not a list, as the draft specification says', async () => {
    const result = await new Promise<ExecutionResult>((resolve) =>
      ws.subscribe(
        { query: `{ namespace(name: "default") @stream { metadata { name } } }` },
        { next: resolve, error: (errors) => resolve({ errors } as never), complete: () => {} },
      ),
    );
    expect(JSON.stringify(result.errors)).toMatch(/stream/i);
  });
});
