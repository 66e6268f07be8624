import fs from 'node:fs';
import { ApolloClient, ApolloLink, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { possibleTypes } from '../../client/generated/possible-types.ts';
import { generatePossibleTypes, POSSIBLE_TYPES_FILE } from '../../scripts/codegen.ts';
import {
  DEPLOYMENT_MANIFEST,
  IDENTITY_FRAGMENT,
  SCALE_MUTATION,
  WATCH_SUBSCRIPTION,
} from '../support/cache-documents.ts';
import { clusterPerFile } from '../support/cluster-per-file.ts';
import type { Untyped } from '../support/harness.ts';

/**
 * kubeql as an Apollo Client 4 app meets it: HTTP for queries and mutations, graphql-ws for
 * subscriptions, and a normalized cache that keys objects by their `id` and knows, from
 * the shipped possibleTypes, which types are Resources.
 */
const cluster = clusterPerFile();

describe('possibleTypes', () => {
  it('are up to date with schema/schema.graphql (run `npm run codegen`)', () => {
    expect(fs.readFileSync(POSSIBLE_TYPES_FILE, 'utf8')).toBe(generatePossibleTypes());
  });
});

const IDENTITY = gql(IDENTITY_FRAGMENT);

const APPLY = gql`
  mutation Apply($manifests: String!) {
    apply(manifests: $manifests) {
      ...Identity
    }
  }
  ${IDENTITY}
`;

/** Graph edges and a fragment on the interface: Service → Pods, beside the Deployment. */
const WEB = gql`
  query Web {
    deployment(name: "web") {
      ...Identity
      spec {
        replicas
      }
    }
    service(name: "web") {
      ...Identity
      pods {
        ...Identity
      }
    }
  }
  ${IDENTITY}
`;

const SCALE = gql(SCALE_MUTATION);

const WATCH = gql(WATCH_SUBSCRIPTION);

const MANIFESTS = `
${DEPLOYMENT_MANIFEST}
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec: { selector: { app: web }, ports: [{ port: 8000 }] }
${['web-a', 'web-b']
  .map(
    (name) => `---
apiVersion: v1
kind: Pod
metadata: { name: ${name}, labels: { app: web } }
spec: { containers: [{ name: web, image: kubeql/demo-web:v1 }] }`,
  )
  .join('\n')}
`;

describe('Apollo Client with the shipped possibleTypes', () => {
  let ws: Client;
  let client: ApolloClient;
  let cache: InMemoryCache;
  /** The HTTP requests Apollo made: a cache update must not cost one. */
  let requests = 0;

  beforeAll(async () => {
    const authorization = `Bearer ${cluster.token}`;
    ws = createClient({ url: cluster.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization } });
    const http = new HttpLink({
      uri: cluster.url,
      headers: { authorization },
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
    });
    cache = new InMemoryCache({ possibleTypes });
    client = new ApolloClient({
      link: ApolloLink.split((op) => op.operationType === 'subscription', new GraphQLWsLink(ws), http),
      cache,
    });
    await client.mutate({ mutation: APPLY, variables: { manifests: MANIFESTS } });
  });
  afterAll(async () => {
    client?.stop();
    await ws?.dispose();
  });

  const cached = () => client.readQuery<Untyped>({ query: WEB });

  it('normalizes every object by its id and reads fragments on Resource through the edges', async () => {
    const { data } = await client.query<Untyped>({ query: WEB });
    expect(data.deployment).toMatchObject({ __typename: 'Deployment', metadata: { name: 'web' } });
    expect(data.service.pods.map((pod: Untyped) => pod.metadata.name).sort()).toEqual(['web-a', 'web-b']);
    expect(cache.identify(data.deployment)).toBe(`Deployment:${data.deployment.id}`);
    // The pods the apply wrote are the ones the edge returned: one entry each, not copies.
    const pods = Object.keys(cache.extract()).filter((key) => key.startsWith('Pod:'));
    expect(pods).toHaveLength(2);
  });

  it('takes a mutation into the cached query, with no refetch', async () => {
    await client.query({ query: WEB });
    const before = requests;
    await client.mutate({ mutation: SCALE, variables: { replicas: 3 } });
    expect(requests).toBe(before + 1);
    expect(cached()?.deployment.spec.replicas).toBe(3);
  });

  it('takes watch events into the cached query; a bookmark leaves the object alone', async () => {
    await client.mutate({ mutation: SCALE, variables: { replicas: 3 } });
    await client.query({ query: WEB, fetchPolicy: 'network-only' });
    const events: Untyped[] = [];
    const subscription = client.subscribe<Untyped>({ query: WATCH }).subscribe({
      next: (result) => events.push(result.data?.watchDeployments),
    });
    try {
      await expect.poll(() => events.map((event) => event.type)).toContain('BOOKMARK');
      expect(events[0]).toMatchObject({ type: 'ADDED', object: { spec: { replicas: 3 } } });
      expect(cached()?.deployment).toMatchObject({ metadata: { name: 'web' }, spec: { replicas: 3 } });

      // Written by someone else: only the watch tells this client.
      await cluster.ok(`mutation { scaleDeployment(name: "web", replicas: 5) { id } }`);
      await expect.poll(() => events.at(-1).type).toBe('MODIFIED');
      expect(cached()?.deployment).toMatchObject({ metadata: { name: 'web' }, spec: { replicas: 5 } });
    } finally {
      subscription.unsubscribe();
    }
  });
});
