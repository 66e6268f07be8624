import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'graphql';
import fs from 'node:fs';
import { kindByName } from '../../schema/kinds/index.ts';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from '../../schema/list-limits.ts';
import { buildSchema } from '../../server/graphql/schema.ts';
import { operationCost } from '../../server/limits/cost.ts';
import { DEFAULT_LIMITS } from '../../server/limits/hardening.ts';
import { collect, startCluster, type GraphQLResponse, type TestCluster } from '../support/harness.ts';

// What one operation may cost the server: the objects it may return (estimated before it
// runs), what its answer really holds, and how many expensive ones run at once. Each is
// refused with a coded error, never by exhausting memory, and the server goes on serving.

const PODS = 1200;
const MAX_COST = DEFAULT_LIMITS.maxCost;

let cluster: TestCluster;

/** POSTs an operation with the admin token and returns the status, headers and parsed body. */
async function post(c: TestCluster, query: string, variables?: Record<string, unknown>) {
  const res = await fetch(c.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      authorization: `Bearer ${c.token}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: JSON.parse(text) as GraphQLResponse };
}

/** `n` aliases of the same field: `{ a0: <field> a1: <field> ... }`. */
const aliases = (n: number, field: string) =>
  `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;

/** Pods of a few kilobytes each, written straight through the API server's service. */
async function createPods(c: TestCluster, count: number, nodeName?: string): Promise<void> {
  const pod = kindByName('Pod')!;
  for (let i = 0; i < count; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, count - i) }, (_, j) =>
        c.server.resources.create(pod, 'default', {
          metadata: { name: `p-${i + j}`, labels: { app: 'flood' }, annotations: { note: 'x'.repeat(1500) } },
          spec: {
            nodeName,
            containers: [{ name: 'c', image: 'kubeql/busybox', command: ['sleep', '3600'] }],
          },
        }),
      ),
    );
  }
}

beforeAll(async () => {
  cluster = await startCluster();
  await createPods(cluster, PODS);
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
});

describe('cost: a list costs its page size', () => {
  it('refuses 21 aliases of all pods before running them, two floods at once; memory stays put', async () => {
    const flood = aliases(21, 'pods { items { manifest } }');
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    try {
      const answers = await Promise.all([post(cluster, flood), post(cluster, flood)]);
      for (const { status, json } of answers) {
        expect(status).toBe(400);
        expect(json.data).toBeUndefined();
        expect(json.errors).toHaveLength(1);
        expect(json.errors![0].extensions?.code).toBe('BAD_REQUEST');
        expect(json.errors![0].message).toContain(`may return ${21 * DEFAULT_LIST_LIMIT} objects`);
      }
    } finally {
      clearInterval(sampler);
    }
    // Answered, the same flood was ~40 MB of JSON each and hundreds of MB of heap.
    expect(peak - before).toBeLessThan(60 * 1024 * 1024);
  });

  it(`accepts up to ${MAX_COST} objects: 20 default pages, or two of the largest`, async () => {
    const twenty = await post(cluster, aliases(20, 'pods { items { metadata { name } } }'));
    expect(twenty.json.errors).toBeUndefined();
    expect(twenty.json.data.a19.items).toHaveLength(Math.min(PODS, DEFAULT_LIST_LIMIT));

    const two = await post(
      cluster,
      aliases(2, `pods(limit: ${MAX_LIST_LIMIT}) { items { metadata { name } } }`),
    );
    expect(two.json.errors).toBeUndefined();
    expect(two.json.data.a1.items).toHaveLength(PODS);

    const three = await post(
      cluster,
      aliases(3, `pods(limit: ${MAX_LIST_LIMIT}) { items { metadata { name } } }`),
    );
    expect(three.status).toBe(400);
    expect(three.json.errors![0].extensions?.code).toBe('BAD_REQUEST');
  });

  it('reads the page size from variables and their defaults, and clamps it as the list does', async () => {
    const query = `query($n: Int) ${aliases(3, 'pods(limit: $n) { items { metadata { name } } }')}`;
    expect((await post(cluster, query, { n: 10 })).json.errors).toBeUndefined();
    expect((await post(cluster, query, { n: MAX_LIST_LIMIT })).status).toBe(400);
    // Beyond the largest page, a limit costs what the list will return: the largest page.
    const clamped = await post(cluster, aliases(3, 'pods(limit: 1000000) { items { metadata { name } } }'));
    expect(clamped.json.errors![0].message).toContain(`may return ${3 * MAX_LIST_LIMIT} objects`);

    const defaulted = `query($n: Int = ${MAX_LIST_LIMIT}) ${aliases(3, 'pods(limit: $n) { items { metadata { name } } }')}`;
    expect((await post(cluster, defaulted)).status).toBe(400);
    expect((await post(cluster, defaulted, { n: 5 })).json.errors).toBeUndefined();
  });

  it('counts what is selected under a list as many times, through fragments too', async () => {
    // 3 pages of 2000, each pod with its node: 12,000 objects.
    const query = `
      query { ${['a', 'b', 'c'].map((a) => `${a}: pods(limit: 2000) { ...Page }`).join(' ')} }
      fragment Page on PodList { items { metadata { name } node { metadata { name } } } }`;
    const res = await post(cluster, query);
    expect(res.status).toBe(400);
    expect(res.json.errors![0].message).toContain('may return 12000 objects');
  });

  it('refuses the flood over WebSocket too, and lets a watch (one object an event) through', async () => {
    const flood = collect(cluster.wsClient(), aliases(21, 'pods { items { metadata { name } } }'));
    await flood.until(() => flood.completed);
    expect(JSON.stringify(flood.errors)).toContain('"code":"BAD_REQUEST"');
    expect(JSON.stringify(flood.errors)).not.toContain('"http"');

    const watch = collect(cluster.wsClient(), 'subscription { watchPods { object { manifest } } }');
    await new Promise((resolve) => setTimeout(resolve, 300));
    watch.unsubscribe();
    expect(watch.errors).toEqual([]);
  });

  it('counts a lookup by ids as many objects as ids, given literally or by a variable', () => {
    const schema = buildSchema();
    const cost = (query: string, variables = {}) => operationCost(schema, parse(query), undefined, variables);
    expect(cost('{ resources(ids: ["a", "b", "c"]) { id } }')).toBe(3);
    const byVariable =
      'query($ids: [ID!]!) { resources(ids: $ids) { id ... on Deployment { pods { id } } } }';
    // Each object found may lead to an edge's objects as well.
    expect(cost(byVariable, { ids: Array.from({ length: 400 }, (_, i) => `id${i}`) })).toBe(800);
  });

  it('fits every operation the SDK and the dashboard ship, at the default page size', () => {
    const schema = buildSchema();
    const files = ['client/operations', 'web/src/operations'].flatMap((dir) =>
      fs.readdirSync(dir).map((name) => `${dir}/${name}`),
    );
    expect(files.length).toBeGreaterThan(2);
    for (const file of files) {
      const document = parse(fs.readFileSync(file, 'utf8'));
      for (const definition of document.definitions) {
        if (definition.kind !== 'OperationDefinition') continue;
        const cost = operationCost(schema, document, definition.name?.value, {});
        expect(cost, `${file} ${definition.name?.value}`).toBeLessThanOrEqual(MAX_COST);
      }
    }
  });
});

describe('bounded documents', () => {
  const deepList = (depth: number) =>
    `{ pods(labelSelector: ${'['.repeat(depth)}"a"${']'.repeat(depth)}) { items { metadata { name } } } }`;

  it('answers a list literal 2,000 deep with 400 BAD_REQUEST, not a stack overflow', async () => {
    for (const accept of ['application/json', 'application/graphql-response+json']) {
      const res = await fetch(cluster.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${cluster.token}` },
        body: JSON.stringify({ query: deepList(2000) }),
      });
      expect(res.status, accept).toBe(400);
      const json = (await res.json()) as GraphQLResponse;
      expect(json.errors![0].extensions?.code).toBe('BAD_REQUEST');
      expect(json.errors![0].message).toMatch(/deeper than \d+ levels/);
    }
    // As a GraphQL body and as a selection set 3,000 deep, the same.
    const raw = await fetch(cluster.url, {
      method: 'POST',
      headers: { 'content-type': 'application/graphql', authorization: `Bearer ${cluster.token}` },
      body: `{${'a{'.repeat(3000)}${'}'.repeat(3001)}`,
    });
    expect(raw.status).toBe(400);
    expect(((await raw.json()) as GraphQLResponse).errors![0].extensions?.code).toBe('BAD_REQUEST');
  });

  it('does not count brackets inside strings, block strings and comments', async () => {
    const brackets = '['.repeat(3000);
    const query = `# ${brackets}\n{ a: pods(labelSelector: "${brackets}") { items { metadata { name } } } b: pods(labelSelector: """${brackets} \\""" ${brackets}""") { items { metadata { name } } } }`;
    const res = await post(cluster, query);
    // The selector is not a valid one, which the API says in its own words.
    expect(JSON.stringify(res.json)).not.toMatch(/deeper than|Maximum call stack/);
  });

  it('refuses variables nested deeper than the limit, over HTTP and WebSocket', async () => {
    const body = `{"query":"{ __typename }","variables":{"junk":${'['.repeat(50_000)}${']'.repeat(50_000)}}}`;
    const res = await fetch(cluster.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${cluster.token}` },
      body,
    });
    expect(res.status).toBe(400);
    const json = (await res.json()) as GraphQLResponse;
    expect(json.errors![0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' } });
    // Refused before JSON.parse builds 50,000 levels: by the body's own nesting.
    expect(json.errors![0].message).toBe('request body nests deeper than 66 levels');

    // Even when it is not JSON at all (2 MB of "["), and whatever the client accepts back.
    const started = performance.now();
    const unparsed = await fetch(cluster.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream, application/json;q=0.1',
        authorization: `Bearer ${cluster.token}`,
      },
      body: `[${'['.repeat(2_000_000)}`,
    });
    expect(unparsed.status).toBe(400);
    expect(await unparsed.text()).toContain('request body nests deeper than 66 levels');
    expect(performance.now() - started).toBeLessThan(1000);

    // Brackets inside strings are text, not nesting.
    const inStrings = await post(cluster, 'query($x: String!) { __type(name: $x) { name } }', {
      x: '['.repeat(10_000),
    });
    expect(inStrings.json).toEqual({ data: { __type: null } });

    let deep: unknown = 'x';
    for (let i = 0; i < 100; i++) deep = [deep];
    const sub = collect(cluster.wsClient(), 'subscription { watchConfigMaps { type } }', { junk: deep });
    await sub.until(() => sub.completed);
    expect(JSON.stringify(sub.errors)).toContain('variables nest deeper');
  });

  it('refuses variables of more values than the limit, unused ones included, in one short error', async () => {
    const many = Object.fromEntries(
      Array.from({ length: DEFAULT_LIMITS.maxVariableValues + 1 }, (_, i) => [`k${i}`, i]),
    );
    const res = await post(cluster, '{ __typename }', many);
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([
      expect.objectContaining({
        message: `variables hold more than ${DEFAULT_LIMITS.maxVariableValues} values`,
        extensions: { code: 'BAD_REQUEST' },
      }),
    ]);
  });

  it('refuses unknown input fields with one error naming the first, not one quoting the value per key', async () => {
    const metadata = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, 'v']));
    const res = await post(
      cluster,
      'mutation($cm: ConfigMapInput!) { createConfigMap(configMap: $cm) { metadata { name } } }',
      { cm: { metadata: { name: 'unknown-keys', ...metadata } } },
    );
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(
          /^Variable "\$cm" got invalid value at "cm\.metadata": field "k\d+" is not defined by type "ObjectMetaInput"$/,
        ),
        extensions: { code: 'BAD_REQUEST' },
      }),
    ]);
    // Inside lists and known fields too.
    const nested = await post(
      cluster,
      'mutation($pod: PodInput!) { createPod(pod: $pod) { metadata { name } } }',
      {
        pod: {
          metadata: { name: 'typo' },
          spec: {
            containers: [
              { name: 'a', image: 'b' },
              { name: 'c', image: 'd', imagePullPolicyy: 'Never' },
            ],
          },
        },
      },
    );
    expect(nested.json.errors).toEqual([
      expect.objectContaining({
        message:
          'Variable "$pod" got invalid value at "pod.spec.containers[1]": field "imagePullPolicyy" is not defined by type "ContainerInput"',
      }),
    ]);
  });

  it('answers a deep literal over WebSocket with a coded error and no internal text', async () => {
    const sub = collect(cluster.wsClient(), deepList(2000));
    await sub.until(() => sub.completed);
    const text = JSON.stringify(sub.errors);
    expect(text).toContain('"code":"BAD_REQUEST"');
    expect(text).not.toMatch(/Maximum call stack|RangeError/);
  });
});

describe('the response budget and the seats for expensive operations', () => {
  let small: TestCluster;

  beforeAll(async () => {
    small = await startCluster({
      limits: {
        maxResponseBytes: 256 * 1024,
        maxResponseObjects: 300,
        maxExpensiveInflight: 1,
        maxExpensiveQueued: 1,
      },
    });
    // Bound to one node, whose pods edge then returns all of them.
    await small.server.resources.create(kindByName('Node')!, undefined, { metadata: { name: 'n1' } });
    await createPods(small, 400, 'n1');
  }, 60_000);

  afterAll(async () => {
    await small?.stop();
  });

  it('fails an answer larger than the byte budget with a coded error', async () => {
    // 200 pods are under the object budget, but a few hundred KB of manifests.
    const res = await post(small, '{ pods(limit: 200) { items { manifest } } }');
    expect(res.status).toBe(400);
    expect(res.json.data).toBeUndefined();
    expect(res.json.errors).toEqual([
      {
        message: `the response would be larger than ${256 * 1024} bytes: ask for smaller pages (limit) or fewer fields`,
        extensions: { code: 'BAD_REQUEST' },
      },
    ]);
    const fits = await post(small, '{ pods(limit: 200) { items { metadata { name } } } }');
    expect(fits.json.errors).toBeUndefined();
  });

  it('stops resolving once the objects really returned pass the budget: edges counted as they resolve', async () => {
    // Estimated 3 objects a pod (itself, its node, the node's pods as one): 60; really 20 * 400.
    const res = await post(small, '{ pods(limit: 20) { items { node { pods { metadata { name } } } } } }');
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([
      {
        message:
          'the response would hold more than 300 objects: ask for smaller pages (limit) or follow fewer edges',
        extensions: { code: 'BAD_REQUEST' },
      },
    ]);
  });

  it('runs one expensive operation at a time, queues one more and refuses the next with 429 and Retry-After', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const list = small.server.resources.list.bind(small.server.resources);
    const spy = vi
      .spyOn(small.server.resources, 'list')
      .mockImplementation((...args) => gate.then(() => list(...args)) as unknown as ReturnType<typeof list>);
    try {
      // A default page (expensive by its cost) that finds one pod (under the object budget).
      const expensive = '{ pods(fieldSelector: "metadata.name=p-1") { items { metadata { name } } } }';
      const running = post(small, expensive);
      await vi.waitFor(() => expect(spy).toHaveBeenCalled());
      const queued = post(small, expensive);
      await new Promise((resolve) => setTimeout(resolve, 100));

      const refused = await post(small, expensive);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.json.errors![0].extensions?.code).toBe('TOO_MANY_REQUESTS');

      // Cheap operations do not queue behind them.
      const cheap = await post(small, '{ namespace(name: "default") { metadata { name } } }');
      expect(cheap.json.errors).toBeUndefined();

      open();
      for (const res of await Promise.all([running, queued])) {
        expect(res.status).toBe(200);
        expect(res.json.data.pods.items).toEqual([{ metadata: { name: 'p-1' } }]);
      }
      expect((await post(small, expensive)).status).toBe(200);
    } finally {
      open();
      spy.mockRestore();
    }
  });
});
