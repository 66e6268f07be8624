import { ClientError, GraphQLClient } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/harness.ts';

// graphql-request, a client that trusts HTTP statuses, against a real server: an
// operation that ran answers 200 with its data and its errors side by side (the codes in
// `extensions.code`), so the client keeps the data; a request the server refuses before
// running it is a 4xx.

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster();
});

afterAll(async () => {
  await cluster?.stop();
});

const client = (options: ConstructorParameters<typeof GraphQLClient>[1] = {}) =>
  new GraphQLClient(cluster.url, { headers: { authorization: `Bearer ${cluster.token}` }, ...options });

/** Three deletes, run in order: one succeeds, one finds nothing, one has a stale precondition. */
const MIXED = `mutation($done: String!, $kept: String!) {
  deleted: deleteConfigMap(name: $done) { metadata { name } }
  missing: deleteConfigMap(name: "no-such-config-map") { metadata { name } }
  stale: deleteConfigMap(name: $kept, resourceVersion: "1") { metadata { name } }
}`;

interface Mixed {
  deleted: { metadata: { name: string } } | null;
  missing: null;
  stale: null;
}

/** The variables of MIXED, for two config maps made for it. */
async function mixed(prefix: string): Promise<{ done: string; kept: string }> {
  const [done, kept] = [`${prefix}-done`, `${prefix}-kept`];
  for (const name of [done, kept])
    await cluster.ok(
      `mutation($n: String!) { createConfigMap(configMap: { metadata: { name: $n } }) { kind } }`,
      {
        n: name,
      },
    );
  return { done, kept };
}

const codes = (errors: ReadonlyArray<{ extensions?: Record<string, unknown> }> | undefined) =>
  (errors ?? []).map((error) => error.extensions?.code);

describe('graphql-request', () => {
  it('gets the data and the errors of a partly failed operation, with status 200 (errorPolicy all)', async () => {
    const answer = await client({ errorPolicy: 'all' }).rawRequest<Mixed>(MIXED, await mixed('a'));
    expect(answer.status).toBe(200);
    expect(answer.data).toEqual({ deleted: { metadata: { name: 'a-done' } }, missing: null, stale: null });
    expect(codes(answer.errors)).toEqual(['NOT_FOUND', 'CONFLICT']);
    expect(answer.errors!.map((error) => error.path)).toEqual([['missing'], ['stale']]);
  });

  it('keeps the data in the ClientError of the default policy, with status 200', async () => {
    const error = await client()
      .request<Mixed>(MIXED, await mixed('b'))
      .catch((error: unknown) => error);
    expect(error).toBeInstanceOf(ClientError);
    const { response } = error as ClientError;
    expect(response.status).toBe(200);
    expect((response.data as Mixed).deleted).toEqual({ metadata: { name: 'b-done' } });
    expect(codes(response.errors)).toEqual(['NOT_FOUND', 'CONFLICT']);
  });

  it('answers a query that ran over GET, too', async () => {
    const data = await client({ method: 'GET' }).request<{ namespace: { metadata: { name: string } } }>(
      '{ namespace(name: "default") { metadata { name } } }',
    );
    expect(data.namespace.metadata.name).toBe('default');
  });

  it('is refused with a 4xx for a document that does not validate, and without a token', async () => {
    const invalid = await client({ errorPolicy: 'all' })
      .rawRequest('{ noSuchField }')
      .catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(ClientError);
    expect((invalid as ClientError).response.status).toBe(400);
    expect((invalid as ClientError).response.data).toBeUndefined();
    expect(codes((invalid as ClientError).response.errors)).toEqual(['GRAPHQL_VALIDATION_FAILED']);

    const anonymous = await new GraphQLClient(cluster.url)
      .request('{ __typename }')
      .catch((error: unknown) => error);
    expect(anonymous).toBeInstanceOf(ClientError);
    expect((anonymous as ClientError).response.status).toBe(401);
    expect(codes((anonymous as ClientError).response.errors)).toEqual(['UNAUTHENTICATED']);
  });
});
