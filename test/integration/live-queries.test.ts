import { createClient as createSseClient } from 'graphql-sse';
import type { FormattedExecutionResult as ExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient as createKubeqlClient } from '../../client/index.ts';
import { startHollowCluster, type HollowCluster } from '../support/hollow.ts';
import { waitFor } from '../support/wait.ts';

// `@live` through other people's clients: graphql-ws over WebSocket and graphql-sse over
// server-sent events, against a hollow cluster whose controllers, scheduler and nodes
// change the objects the query reads.

let cluster: HollowCluster;
let ws: Client;

beforeAll(async () => {
  cluster = await startHollowCluster({ nodes: 2 });
  ws = createClient({
    url: cluster.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${cluster.token}` },
  });
  await apply('web', 2);
}, 60_000);

afterAll(async () => {
  await ws?.dispose();
  await cluster?.stop();
});

async function gql(query: string, variables?: Record<string, unknown>): Promise<Record<string, unknown>> {
  const response = await fetch(cluster.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${cluster.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as ExecutionResult<Record<string, unknown>>;
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!;
}

function apply(name: string, replicas: number, namespace = 'default') {
  return gql(`mutation($m: String!, $ns: String) { apply(manifests: $m, namespace: $ns) { kind } }`, {
    ns: namespace,
    m: `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name} }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec: { containers: [{ name: c, image: busybox }] }`,
  });
}

async function metric(name: string): Promise<number> {
  const text = await (
    await fetch(cluster.url.replace(/\/graphql$/, '/metrics'), {
      headers: { authorization: `Bearer ${cluster.token}` },
    })
  ).text();
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
}

async function podPhases(namespace: string): Promise<string[]> {
  const data = await gql(`query($ns: String) { pods(namespace: $ns) { items { status { phase } } } }`, {
    ns: namespace,
  });
  return (data.pods as { items: { status: { phase: string } }[] }).items.map((pod) => pod.status.phase);
}

/** Every result a live operation sends, as it arrives; `stop` ends the operation. */
function collect(
  subscribe: (sink: {
    next(value: ExecutionResult): void;
    error(e: unknown): void;
    complete(): void;
  }) => () => void,
) {
  const results: ExecutionResult[] = [];
  let completed = false;
  const stop = subscribe({
    next: (value) => results.push(value),
    error: (error) => results.push({ errors: [{ message: String(error) }] } as never),
    complete: () => (completed = true),
  });
  return { results, stop, completed: () => completed };
}

const DASHBOARD = `query Dashboard($name: String!) @live {
  deployment(name: $name) {
    spec { replicas }
    replicaSets { pods { metadata { name labels } status { phase } node { metadata { name } } } }
  }
}`;

type Dashboard = {
  deployment: {
    spec: { replicas: number };
    replicaSets: {
      pods: { metadata: { name: string; labels: Record<string, string> }; status: { phase: string } }[];
    }[];
  } | null;
};

type ConfigMaps = { configMaps: { items: { metadata: { name: string } }[] } };

const podsOf = (result: ExecutionResult | undefined) =>
  ((result?.data as Dashboard | undefined)?.deployment?.replicaSets ?? []).flatMap((rs) => rs.pods);

describe('@live over WebSocket (graphql-ws)', () => {
  it('sends the Deployment, its ReplicaSets, pods and nodes again when a pod of it changes', async () => {
    const live = collect((sink) => ws.subscribe({ query: DASHBOARD, variables: { name: 'web' } }, sink));
    try {
      await waitFor(
        () => podsOf(live.results.at(-1)).filter((pod) => pod.status.phase === 'Running').length === 2,
      );
      const pod = podsOf(live.results.at(-1))[0];

      // A label on one of its pods: sent again, with the label.
      await gql(
        `mutation($name: String!) { patchPod(name: $name, patch: { metadata: { labels: { seen: "yes" } } }) { kind } }`,
        { name: pod.metadata.name },
      );
      await waitFor(() =>
        podsOf(live.results.at(-1)).some(
          (p) => p.metadata.name === pod.metadata.name && p.metadata.labels.seen === 'yes',
        ),
      );

      // Scaled from elsewhere: the new pods arrive through the edges the query follows.
      await apply('web', 3);
      await waitFor(() => podsOf(live.results.at(-1)).length === 3);
      expect((live.results.at(-1)!.data as Dashboard).deployment!.spec.replicas).toBe(3);
      expect(live.results.every((result) => !result.errors)).toBe(true);
    } finally {
      live.stop();
    }
  }, 60_000);

  it('runs again only for the writes it read, once for every client holding it', async () => {
    const query = `query Pods($name: String!) @live { deployment(name: $name) { replicaSets { pods { metadata { name } } } } }`;
    const clients = [1, 2, 3].map(() =>
      collect((sink) => ws.subscribe({ query, variables: { name: 'web' } }, sink)),
    );
    try {
      await waitFor(() => clients.every((client) => client.results.length > 0));
      expect(await metric('kubeql_live_queries')).toBe(1);
      // What earlier tests set going (pods of `web` still starting) settles first: the count stands still.
      let runs = await metric('kubeql_live_query_runs_total');
      await waitFor(
        async () => {
          await new Promise((resolve) => setTimeout(resolve, 500));
          const now = await metric('kubeql_live_query_runs_total');
          const still = now === runs;
          runs = now;
          return still;
        },
        { ms: 15_000 },
      );
      // Writes it does not read: another namespace's Deployment (its ReplicaSet and pods too), a ConfigMap.
      await apply('other', 1, 'kube-system');
      await gql(`mutation { createConfigMap(configMap: { metadata: { name: "unrelated" } }) { kind } }`);
      await waitFor(async () => (await podPhases('kube-system')).includes('Running'));
      expect(await metric('kubeql_live_query_runs_total')).toBe(runs);
      // A write it does read: one run for the three clients.
      await apply('web', 4);
      await waitFor(() => clients.every((client) => podsOf(client.results.at(-1)).length === 4));
      expect(await metric('kubeql_live_query_runs_total')).toBeGreaterThan(runs);
    } finally {
      for (const client of clients) client.stop();
    }
    await waitFor(async () => (await metric('kubeql_live_queries')) === 0);
  }, 30_000);

  it('answers null for a missing object and sends it once it is created', async () => {
    const live = collect((sink) => ws.subscribe({ query: DASHBOARD, variables: { name: 'later' } }, sink));
    try {
      await waitFor(() => live.results.length === 1);
      expect(live.results[0].data).toEqual({ deployment: null });
      await apply('later', 1);
      await waitFor(() => podsOf(live.results.at(-1)).length === 1);
    } finally {
      live.stop();
    }
  }, 30_000);

  it('runs once and completes when `if` is false, as any query', async () => {
    const once = collect((sink) =>
      ws.subscribe(
        { query: `query @live(if: false) { namespace(name: "default") { metadata { name } } }` },
        sink,
      ),
    );
    await waitFor(() => once.completed());
    expect(once.results).toEqual([{ data: { namespace: { metadata: { name: 'default' } } } }]);
  });

  it('waits its throttle between two results', async () => {
    const live = collect((sink) =>
      ws.subscribe(
        { query: `query @live(throttle: 600) { configMaps { items { metadata { name } } } }` },
        sink,
      ),
    );
    try {
      await waitFor(() => live.results.length === 1);
      const started = Date.now();
      for (let i = 0; i < 5; i++)
        await gql(
          `mutation($n: String!) { createConfigMap(configMap: { metadata: { name: $n } }) { kind } }`,
          {
            n: `throttled-${i}`,
          },
        );
      await waitFor(() =>
        (live.results.at(-1)!.data as ConfigMaps).configMaps.items.some(
          (cm) => cm.metadata.name === 'throttled-4',
        ),
      );
      // Five writes, at most two results after the first: one at once, one after the throttle.
      expect(live.results.length).toBeLessThanOrEqual(3);
      if (live.results.length === 3) expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    } finally {
      live.stop();
    }
  });
});

describe('@live through the SDK', () => {
  it('client.subscribe yields the result, then each changed one', async () => {
    await apply('sdk', 1);
    const client = createKubeqlClient({ url: cluster.url, token: cluster.token });
    const live = client.subscribe<{ deployment: { spec: { replicas: number } } | null }>(
      `query @live { deployment(name: "sdk") { spec { replicas } } }`,
    );
    try {
      expect((await live.next()).value).toEqual({ deployment: { spec: { replicas: 1 } } });
      await apply('sdk', 2);
      expect((await live.next()).value).toEqual({ deployment: { spec: { replicas: 2 } } });
    } finally {
      await live.return();
      await client.close();
    }
  });
});

describe('@live over server-sent events (graphql-sse)', () => {
  it('sends the changed result on the stream', async () => {
    await apply('web', 4);
    const sse = createSseClient({ url: cluster.url, headers: { authorization: `Bearer ${cluster.token}` } });
    const live = collect((sink) => sse.subscribe({ query: DASHBOARD, variables: { name: 'web' } }, sink));
    try {
      await waitFor(() => podsOf(live.results.at(-1)).length === 4, { ms: 15_000 });
      await apply('web', 1);
      await waitFor(() => podsOf(live.results.at(-1)).length === 1);
      expect(live.results.every((result) => !result.errors)).toBe(true);
    } finally {
      live.stop();
      sse.dispose();
    }
  }, 30_000);
});
