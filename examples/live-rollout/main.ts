/**
 * A Deployment rolling out, live, on urql with its normalized cache (Graphcache): one
 * query for the Deployment and its pods, marked `@live`. The server sends its result
 * again whenever the Deployment or one of its pods changes, or a pod joins or leaves it;
 * urql carries it over WebSocket like a subscription and Graphcache stores each result.
 *
 * Opened as index.html?api=http://127.0.0.1:8080/graphql&token=T&namespace=default&name=web
 * (the API server must allow this page's origin: `kq up --cors-origin <origin>`).
 */
import { Client, fetchExchange, subscriptionExchange, gql } from '@urql/core';
import { cacheExchange } from '@urql/exchange-graphcache';
import { createClient as createWsClient } from 'graphql-ws';
import { embeddedTypes, possibleTypes } from '../../client/generated/possible-types.ts';

const params = new URLSearchParams(location.search);
const api = params.get('api') ?? 'http://127.0.0.1:8080/graphql';
const token = params.get('token') ?? '';
const namespace = params.get('namespace') ?? 'default';
const name = params.get('name') ?? 'web';

const ws = createWsClient({
  url: api.replace(/^http/, 'ws'),
  connectionParams: { authorization: `Bearer ${token}` },
});
const client = new Client({
  url: api,
  fetchOptions: { headers: { authorization: `Bearer ${token}` } },
  exchanges: [
    // Types without an id (metadata, specs, statuses) are stored inside their object.
    cacheExchange({
      possibleTypes,
      keys: Object.fromEntries(embeddedTypes.map((type) => [type, () => null])),
    }),
    fetchExchange,
    // Live queries are held open over WebSocket, as subscriptions are.
    subscriptionExchange({
      isSubscriptionOperation: (operation) =>
        operation.kind === 'subscription' ||
        operation.query.definitions.some(
          (node) =>
            node.kind === 'OperationDefinition' && node.directives?.some((d) => d.name.value === 'live'),
        ),
      forwardSubscription: (request) => ({
        subscribe: (sink) => ({
          unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink),
        }),
      }),
    }),
  ],
});

// prettier-ignore
const DEPLOYMENT = gql`
  query Rollout($namespace: String!, $name: String!) @live {
    deployment(namespace: $namespace, name: $name) {
      id
      metadata { name }
      spec { replicas }
      status { updatedReplicas readyReplicas availableReplicas conditions { type status reason } }
      pods { id metadata { name } spec { containers { image } } status { phase } }
    }
  }`;

interface Rollout {
  deployment: {
    metadata: { name: string };
    spec: { replicas: number | null } | null;
    status: {
      updatedReplicas: number | null;
      readyReplicas: number | null;
      availableReplicas: number | null;
      conditions: Array<{ type: string; status: string; reason: string | null }> | null;
    } | null;
    pods: Array<{
      metadata: { name: string };
      spec: { containers: Array<{ image: string }> };
      status: { phase: string | null } | null;
    }>;
  } | null;
}

const byId = (id: string) => document.getElementById(id)!;

function render({ deployment }: Rollout): void {
  if (!deployment) {
    byId('summary').textContent = `no Deployment ${namespace}/${name}`;
    return;
  }
  const desired = deployment.spec?.replicas ?? 1;
  const status = deployment.status;
  byId('title').textContent = `Deployment ${namespace}/${deployment.metadata.name}`;
  const progress = byId('progress') as HTMLMeterElement;
  progress.max = desired;
  progress.value = status?.updatedReplicas ?? 0;
  byId('summary').textContent =
    `${status?.updatedReplicas ?? 0} updated, ${status?.readyReplicas ?? 0} ready, ` +
    `${status?.availableReplicas ?? 0} available of ${desired}`;
  byId('conditions').textContent = (status?.conditions ?? [])
    .map((c) => `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}`)
    .join(' · ');
  byId('pods').replaceChildren(
    ...[...deployment.pods]
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      .map((pod) => {
        const row = document.createElement('tr');
        const phase = pod.status?.phase ?? 'Unknown';
        for (const text of [pod.metadata.name, pod.spec.containers[0]?.image ?? '', phase]) {
          const cell = row.insertCell();
          cell.textContent = text;
        }
        row.lastElementChild!.className = phase;
        return row;
      }),
  );
}

client.query<Rollout>(DEPLOYMENT, { namespace, name }).subscribe((result) => {
  if (result.error) byId('summary').textContent = result.error.message;
  else if (result.data) render(result.data);
});
