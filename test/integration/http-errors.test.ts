import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type GraphQLResponse, type TestCluster } from '../support/harness.ts';

// The error contract of GraphQL over HTTP (and SSE): whatever a client sends, every
// error comes back with `extensions.code`, a request the server refuses is a 4xx (never a
// 500), an operation that ran answers 200 with its errors beside its data, and nothing
// internal leaves the server: no exception text, no `originalError`.

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

afterEach(async () => {
  // Whatever the case did, an ordinary query still works.
  expect((await cluster.ok('{ namespace(name: "default") { metadata { name } } }')).namespace).toBeTruthy();
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: GraphQLResponse;
}

async function send(init: RequestInit & { query?: string }): Promise<Answer> {
  const { query, ...request } = init;
  const res = await fetch(`${cluster.url}${query ?? ''}`, {
    ...request,
    headers: { authorization: `Bearer ${cluster.token}`, ...(request.headers as Record<string, string>) },
  });
  const text = await res.text();
  let json: GraphQLResponse;
  try {
    json = JSON.parse(text) as GraphQLResponse;
  } catch {
    throw new Error(`HTTP ${res.status} answered with a body that is not JSON: ${JSON.stringify(text)}`);
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** The contract every error answer keeps. */
function expectCodedClientError(answer: Answer, status?: number): void {
  if (status !== undefined) expect(answer.status, answer.text).toBe(status);
  expect(answer.status, answer.text).toBeGreaterThanOrEqual(400);
  expect(answer.status, answer.text).toBeLessThan(500);
  expect(answer.json.data ?? undefined).toBeUndefined();
  expect(answer.json.errors?.length, answer.text).toBeGreaterThan(0);
  for (const error of answer.json.errors!) expect(typeof error.extensions?.code, answer.text).toBe('string');
  expect(answer.text).not.toMatch(
    /originalError|Maximum call stack|SyntaxError|RangeError|TypeError|\.ts:\d+/,
  );
}

const get = (params: string, accept = 'application/json') =>
  send({ method: 'GET', query: `?${params}`, headers: { accept } });
const post = (body: string, contentType: string, accept = 'application/json') =>
  send({ method: 'POST', body, headers: { 'content-type': contentType, accept } });
const q = encodeURIComponent('{ __typename }');

describe('request parameters', () => {
  it('answers variables or extensions that are not JSON with 400, in GETs and forms', async () => {
    for (const accept of ['application/json', 'application/graphql-response+json']) {
      for (const params of [`query=${q}&variables=x`, `query=${q}&variables={`, `query=${q}&extensions=x`]) {
        const answer = await get(params, accept);
        expectCodedClientError(answer, 400);
        expect(answer.json.errors![0].extensions?.code).toBe('BAD_REQUEST');
      }
    }
    const form = await post(`query=${q}&variables=x`, 'application/x-www-form-urlencoded');
    expectCodedClientError(form, 400);
  });

  it('answers variables that are JSON but not an object with 400', async () => {
    const answer = await get(`query=${q}&variables=${encodeURIComponent('[1]')}`);
    expectCodedClientError(answer, 400);
  });

  it('answers a variable of the wrong type with a coded error', async () => {
    const answer = await post(
      JSON.stringify({
        query: 'query($n: Int) { pods(limit: $n) { items { metadata { name } } } }',
        variables: { n: 'ten' },
      }),
      'application/json',
      'application/graphql-response+json',
    );
    expectCodedClientError(answer, 400);
    expect(answer.json.errors![0].extensions?.code).toBe('BAD_REQUEST');
  });
});

describe('request bodies', () => {
  it('answers a malformed JSON body with a coded 400 and without the parser exception', async () => {
    for (const accept of ['application/json', 'application/graphql-response+json']) {
      for (const body of ['{"query": ', '{"query": "{ __typename }"', 'not json', '\u0000']) {
        const answer = await post(body, 'application/json', accept);
        expectCodedClientError(answer, 400);
        expect(answer.json.errors).toEqual([
          { message: 'POST body sent invalid JSON.', extensions: { code: 'BAD_REQUEST' } },
        ]);
      }
    }
  });

  it('answers JSON that is not an object, or without a query, with a coded error', async () => {
    for (const body of [
      'null',
      '"x"',
      '42',
      '{"query": 1}',
      '{"query": "{ __typename }", "variables": "x"}',
    ]) {
      expectCodedClientError(await post(body, 'application/json'), 400);
    }
    for (const body of ['{}', '{"query": null}']) {
      // The spec's own case: a 400 to a client that reads application/graphql-response+json.
      expectCodedClientError(await post(body, 'application/json', 'application/graphql-response+json'), 400);
    }
  });

  it('answers an unsupported content type with 415 and a coded body', async () => {
    for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x']) {
      const answer = await post('{"query": "{ __typename }"}', type);
      expectCodedClientError(answer, 415);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(answer.json.errors![0].message).toContain('unsupported content type');
    }
    // Without a content type at all.
    const res = await fetch(cluster.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${cluster.token}` },
      body: new Uint8Array([123, 125]),
    });
    expect(res.status).toBe(415);
    expect(((await res.json()) as GraphQLResponse).errors![0].extensions?.code).toBe('BAD_REQUEST');
  });

  it('answers an Accept the server cannot serve with 406 and a coded body', async () => {
    const answer = await post('{"query": "{ __typename }"}', 'application/json', 'text/plain');
    expectCodedClientError(answer, 406);
    expect(answer.json.errors![0].message).toContain('application/json');

    // A subscription is a stream: asked for as JSON, the same, and no watch is left open.
    const subscription = await post(
      JSON.stringify({ query: 'subscription { watchConfigMaps { type } }' }),
      'application/json',
    );
    expectCodedClientError(subscription, 406);
    expect(subscription.json.errors![0].message).toContain('text/event-stream');
  });

  it('answers other methods with 405 and a coded body', async () => {
    const answer = await send({ method: 'PUT', body: '{"query":"{ __typename }"}', headers: {} });
    expectCodedClientError(answer, 405);
  });
});

describe('documents', () => {
  it('gives every parse, validation and limit error a code', async () => {
    const documents = [
      '{ pods {',
      '{ nosuchfield }',
      'query($x: Nope) { __typename }',
      `{ pods(labelSelector: ${'['.repeat(5000)}) { items { metadata { name } } } }`,
      `{ pods(labelSelector: "${'\\'.repeat(10)}) }`,
      '{ __typename } { __typename }',
      'subscription { a: watchPods { type } b: watchPods { type } }',
      'mutation { deleteNamespace }',
    ];
    for (const query of documents) {
      for (const accept of ['application/json', 'application/graphql-response+json']) {
        const answer = await post(JSON.stringify({ query }), 'application/json', accept);
        // application/json keeps GraphQL over HTTP's 200 for parse and validation failures.
        expect(answer.status, `${accept} ${query.slice(0, 40)}`).toBeLessThan(500);
        expect(answer.json.errors?.length, query.slice(0, 40)).toBeGreaterThan(0);
        for (const error of answer.json.errors!) expect(typeof error.extensions?.code).toBe('string');
        expect(answer.text).not.toMatch(/originalError|Maximum call stack|RangeError/);
      }
    }
  });

  it('refuses a mutation over GET with a coded 405', async () => {
    const answer = await get(
      `query=${encodeURIComponent('mutation { deleteNamespace(name: "x") { kind } }')}`,
    );
    expectCodedClientError(answer, 405);
  });
});

describe('operations that ran', () => {
  const MIXED = `mutation($kept: String!) {
    missing: deleteConfigMap(name: "no-such-config-map") { metadata { name } }
    stale: deleteConfigMap(name: $kept, resourceVersion: "1") { metadata { name } }
    namespace: deleteNamespace(name: "no-such-namespace") { metadata { name } }
  }`;

  it('answers 200 with the data and the coded errors, for both media types', async () => {
    await cluster.ok(
      'mutation { createConfigMap(configMap: { metadata: { name: "http-errors-kept" } }) { kind } }',
    );
    for (const accept of ['application/json', 'application/graphql-response+json']) {
      const answer = await post(
        JSON.stringify({ query: MIXED, variables: { kept: 'http-errors-kept' } }),
        'application/json',
        accept,
      );
      expect(answer.status, answer.text).toBe(200);
      expect(answer.headers.get('content-type')).toContain(accept);
      expect(answer.json.data).toEqual({ missing: null, stale: null, namespace: null });
      expect(answer.json.errors!.map((error) => [error.path, error.extensions?.code])).toEqual([
        [['missing'], 'NOT_FOUND'],
        [['stale'], 'CONFLICT'],
        [['namespace'], 'NOT_FOUND'],
      ]);
      expect(answer.text).not.toContain('"http"');
    }
  });

  it('answers 200 when every field failed, as `data` says the operation ran', async () => {
    const answer = await post(
      JSON.stringify({ query: 'mutation { deleteNamespace(name: "no-such-namespace") { kind } }' }),
      'application/json',
      'application/graphql-response+json',
    );
    expect(answer.status).toBe(200);
    expect(answer.json.data).toEqual({ deleteNamespace: null });
    expect(answer.json.errors![0].extensions?.code).toBe('NOT_FOUND');
  });

  it('keeps 4xx for the same operation refused before it ran', async () => {
    const answer = await post(
      JSON.stringify({ query: MIXED }),
      'application/json',
      'application/graphql-response+json',
    );
    expectCodedClientError(answer, 400);
  });
});

describe('SSE', () => {
  it('answers an operation refused over SSE with a 200 stream and a coded error event', async () => {
    for (const query of [
      `{ pods(labelSelector: ${'['.repeat(3000)}) }`,
      '{ pods {',
      '{ noSuchField }',
      'subscription { watchPods(resourceVersion: "abc") { type } }',
    ]) {
      const res = await fetch(cluster.url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${cluster.token}`,
          'content-type': 'application/json',
          accept: 'text/event-stream',
        },
        body: JSON.stringify({ query }),
      });
      // GraphQL over SSE: a stream client reads errors from events, not from a refused stream.
      expect(res.status, query.slice(0, 40)).toBe(200);
      const text = await res.text();
      const data = /^data: (\{.*\})$/m.exec(text);
      expect(data, text).not.toBeNull();
      const event = JSON.parse(data![1]) as GraphQLResponse;
      expect(event.errors![0].extensions?.code).toMatch(
        /^(BAD_REQUEST|GRAPHQL_PARSE_FAILED|GRAPHQL_VALIDATION_FAILED)$/,
      );
      expect(text).toMatch(/^event: complete$/m);
      expect(text).not.toContain('"http"');
    }
  });

  it('answers a malformed or unauthenticated request for a stream with its 4xx', async () => {
    const get = await fetch(`${cluster.url}?query=${q}&variables=x`, {
      headers: { authorization: `Bearer ${cluster.token}`, accept: 'text/event-stream' },
    });
    expect(get.status).toBe(400);
    expect(await get.text()).toContain('"code":"BAD_REQUEST"');
    const anonymous = await fetch(`${cluster.url}?query=${q}`, { headers: { accept: 'text/event-stream' } });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).toContain('"code":"UNAUTHENTICATED"');
  });
});
