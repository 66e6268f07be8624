import { cacheExchange } from '@urql/exchange-graphcache';
import { Client, fetchExchange, gql, subscriptionExchange, type OperationResult } from '@urql/core';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { embeddedTypes, possibleTypes } from '../../client/generated/possible-types.ts';
import {
  DEPLOYMENT_MANIFEST,
  DEPLOYMENT_QUERY,
  SCALE_MUTATION,
  WATCH_SUBSCRIPTION,
} from '../support/cache-documents.ts';
import { clusterPerFile } from '../support/cluster-per-file.ts';
import type { Untyped } from '../support/harness.ts';

/**
 * kubeql as an urql app with Graphcache meets it: the default keys (`id`) and the shipped
 * possibleTypes are all the configuration a normalized cache needs; the shipped
 * embeddedTypes tell it, without a warning each, which types have no id by design.
 */
const cluster = clusterPerFile();

const DEPLOYMENT = gql(DEPLOYMENT_QUERY);

const SCALE = gql(SCALE_MUTATION);

const WATCH = gql(WATCH_SUBSCRIPTION);

describe('urql with Graphcache and the shipped possibleTypes', () => {
  let ws: WsClient;
  let client: Client;
  /** The HTTP requests urql made: a cache update must not cost one. */
  let requests = 0;

  beforeAll(async () => {
    const authorization = `Bearer ${cluster.token}`;
    await cluster.ok(`mutation($m: String!) { apply(manifests: $m) { id } }`, { m: DEPLOYMENT_MANIFEST });
    ws = createClient({ url: cluster.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization } });
    client = new Client({
      url: cluster.url,
      fetchOptions: { headers: { authorization } },
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
      exchanges: [
        cacheExchange({
          possibleTypes,
          keys: Object.fromEntries(embeddedTypes.map((type) => [type, () => null])),
        }),
        fetchExchange,
        subscriptionExchange({
          forwardSubscription: (request) => ({
            subscribe: (sink) => ({
              unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink),
            }),
          }),
        }),
      ],
    });
  });
  afterAll(async () => {
    await ws?.dispose();
  });

  const cached = () => client.readQuery<Untyped>(DEPLOYMENT, {})?.data?.deployment;

  it('takes a mutation into a live query and the cache, with no refetch', async () => {
    const results: OperationResult<Untyped>[] = [];
    const live = client.query(DEPLOYMENT, {}).subscribe((result) => results.push(result));
    try {
      await expect.poll(() => results.at(-1)?.data?.deployment?.metadata.name).toBe('web');
      const before = requests;
      const scaled = await client.mutation(SCALE, { replicas: 3 }).toPromise();
      expect(scaled.error).toBeUndefined();
      await expect.poll(() => results.at(-1)?.data?.deployment.spec.replicas).toBe(3);
      expect(cached()).toMatchObject({ metadata: { name: 'web' }, spec: { replicas: 3 } });
      expect(requests).toBe(before + 1);
    } finally {
      live.unsubscribe();
    }
  });

  it('takes watch events into the cache; a bookmark leaves the object alone', async () => {
    await cluster.ok(`mutation { scaleDeployment(name: "web", replicas: 3) { id } }`);
    await client.query(DEPLOYMENT, {}, { requestPolicy: 'network-only' }).toPromise();
    const events: Untyped[] = [];
    const watch = client
      .subscription(WATCH, {})
      .subscribe((result) => events.push(result.data?.watchDeployments));
    try {
      await expect.poll(() => events.map((event) => event?.type)).toContain('BOOKMARK');
      expect(events[0]).toMatchObject({ type: 'ADDED', object: { spec: { replicas: 3 } } });
      expect(cached()).toMatchObject({ metadata: { name: 'web' }, spec: { replicas: 3 } });

      // Written by someone else: only the watch tells this client.
      await cluster.ok(`mutation { scaleDeployment(name: "web", replicas: 5) { id } }`);
      await expect.poll(() => events.at(-1)?.type).toBe('MODIFIED');
      expect(cached()).toMatchObject({ metadata: { name: 'web' }, spec: { replicas: 5 } });
    } finally {
      watch.unsubscribe();
    }
  });
});
