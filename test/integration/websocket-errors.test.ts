import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, collect, startCluster, type TestCluster } from '../support/harness.ts';
import { openRaw, type RawSession } from '../support/raw-ws.ts';

// Over WebSocket, whatever is wrong with an operation fails that operation alone, with
// an `extensions.code`, and the connection carries on; a connection is closed only for
// what breaks the protocol, with a fixed reason per code (server/websocket/close-codes.ts).

let cluster: TestCluster;
const sessions: RawSession[] = [];

beforeAll(async () => {
  cluster = await startCluster();
});

afterEach(() => {
  for (const session of sessions.splice(0)) session.ws.terminate();
});

afterAll(async () => {
  await cluster?.stop();
});

async function session(): Promise<RawSession> {
  const opened = await openRaw(cluster.wsUrl);
  sessions.push(opened);
  await opened.init(cluster.token);
  return opened;
}

const NAMESPACE = '{ namespace(name: "default") { metadata { name } } }';

/** The connection still answers: a fresh operation on it gets its data. */
async function expectUsable(ws: RawSession, id: string): Promise<void> {
  const check = ws.subscribe(id, NAMESPACE);
  await check.ended;
  expect(check.messages[0]).toMatchObject({
    type: 'next',
    payload: { data: { namespace: { metadata: { name: 'default' } } } },
  });
  expect(ws.isOpen).toBe(true);
}

describe('a bad operation over WebSocket', () => {
  it('fails a syntax error with BAD_REQUEST and leaves the connection usable', async () => {
    const ws = await session();
    const bad = ws.subscribe('bad', '{ namespace(name: "default") { metadata { name }');
    await bad.ended;
    expect(bad.errors).toHaveLength(1);
    expect(bad.errors![0].message).toMatch(/^Syntax Error: /);
    expect(bad.errors![0].extensions?.code).toBe('BAD_REQUEST');
    await expectUsable(ws, 'after');
  });

  it('fails an operation the document does not identify with BAD_REQUEST', async () => {
    const ws = await session();
    const unnamed = ws.subscribe('two', 'query A { __typename } query B { __typename }');
    await unnamed.ended;
    expect(unnamed.errors).toMatchObject([
      {
        message: 'Must provide operation name if query contains multiple operations.',
        extensions: { code: 'BAD_REQUEST' },
      },
    ]);

    const missing = ws.subscribe('missing', 'query A { __typename }', undefined, 'C');
    await missing.ended;
    expect(missing.errors).toMatchObject([
      { message: 'Unknown operation named "C".', extensions: { code: 'BAD_REQUEST' } },
    ]);
    await expectUsable(ws, 'after');
  });

  it('fails a document that does not validate with BAD_REQUEST', async () => {
    const ws = await session();
    const unknown = ws.subscribe('unknown', '{ noSuchField }');
    await unknown.ended;
    expect(unknown.errors).toMatchObject([
      { message: 'Cannot query field "noSuchField" on type "Query".', extensions: { code: 'BAD_REQUEST' } },
    ]);
    await expectUsable(ws, 'after');
  });

  it('gives errors raised while running an operation a code too', async () => {
    const ws = await session();
    const unset = ws.subscribe('unset', 'query ($n: String!) { namespace(name: $n) { metadata { name } } }');
    await unset.ended;
    expect(unset.messages[0].type).toBe('next');
    const errors = unset.messages[0].payload.errors as Array<{ extensions?: { code?: string } }>;
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) expect(error.extensions?.code).toBe('BAD_REQUEST');

    const missing = ws.subscribe(
      'missing',
      '{ configMap(namespace: "default", name: "absent") { metadata { name } } }',
    );
    await missing.ended;
    const payload = missing.messages[0].payload as { errors?: Array<{ extensions?: { code?: string } }> };
    for (const error of payload.errors ?? []) expect(error.extensions?.code).toEqual(expect.any(String));
    await expectUsable(ws, 'after');
  });

  it('refuses a list literal 2,000 deep in that operation alone, while a watch on the connection goes on', async () => {
    const ws = await session();
    const watch = ws.subscribe(
      'watch',
      'subscription { watchConfigMaps(namespace: "default") { type object { metadata { name } } } }',
    );
    const deep = `{ namespace(name: "default", x: ${'['.repeat(2000)}1${']'.repeat(2000)}) { metadata { name } } }`;
    const refused = ws.subscribe('deep', deep);
    await refused.ended;
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors![0].extensions?.code).toBe('BAD_REQUEST');
    expect(refused.errors![0].message).not.toMatch(/stack|internal/i);

    // The same depth in variables: refused as well, by the operation alone.
    const nested = JSON.parse(`${'['.repeat(2000)}${']'.repeat(2000)}`) as unknown;
    const variables = ws.subscribe(
      'vars',
      'query ($n: String!) { namespace(name: $n) { metadata { name } } }',
      {
        n: nested,
      },
    );
    await variables.ended;
    const varErrors = (variables.errors ?? variables.messages[0].payload.errors) as Array<{
      extensions?: { code?: string };
    }>;
    expect(varErrors[0].extensions?.code).toBe('BAD_REQUEST');

    await cluster.ok(
      'mutation { createConfigMap(configMap: { metadata: { name: "after-deep" } }) { metadata { name } } }',
    );
    await watch.until((messages) =>
      messages.some((m) => m.payload?.data?.watchConfigMaps.object.metadata.name === 'after-deep'),
    );
    await expectUsable(ws, 'after');
  });

  it('reports the same through a graphql-ws client (as the SDK and the dashboard hold one)', async () => {
    const client = cluster.wsClient();
    const bad = collect(client, '{ nope');
    await bad.until(() => bad.completed);
    expect(codeOf((bad.errors[0] as unknown[])[0])).toBe('BAD_REQUEST');
    const good = collect(client, NAMESPACE);
    await good.until(() => good.completed);
    expect(good.errors).toEqual([]);
    expect(good.items).toEqual([{ namespace: { metadata: { name: 'default' } } }]);
  });
});

describe('closing a connection', () => {
  it('closes on a message the protocol does not allow with 4400 and its fixed reason', async () => {
    for (const message of [
      '{"type":"next","id":"1","payload":{}}',
      'not json',
      '{"type":"connection_ack"}',
    ]) {
      const ws = await session();
      ws.ws.send(message);
      expect(await ws.closed, message).toEqual({ code: 4400, reason: 'Invalid message received' });
    }
  });

  it('names no operation id in the reason for a duplicate one (4409)', async () => {
    const ws = await session();
    ws.subscribe('twice', 'subscription { watchConfigMaps(namespace: "default") { type } }');
    ws.subscribe('twice', 'subscription { watchConfigMaps(namespace: "default") { type } }');
    expect(await ws.closed).toEqual({ code: 4409, reason: 'Subscriber already exists' });
  });

  it('closes a connection without a valid token with 4403 Forbidden', async () => {
    const ws = await openRaw(cluster.wsUrl);
    sessions.push(ws);
    await expect(ws.init('not-the-token')).rejects.toThrow();
    expect(await ws.closed).toEqual({
      code: 4403,
      reason: 'Forbidden: connection_init has no valid token ({"authorization": "Bearer <token>"})',
    });
  });
});
