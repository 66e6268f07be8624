import { documentCase, nested, RawJson } from './documents.ts';
import { checkAnswer, preview, type Violation } from './invariants.ts';
import { applyCase } from './manifests.ts';
import type { Random } from './random.ts';
import { bodyJson, documentBody, WsConnection } from './transport.ts';
import { APPLY, auth, checkAllOrNone, deadline, failed, type Family, type FuzzContext } from './cases.ts';

/** The families sent over graphql-transport-ws: documents and applies on one socket, protocol breakage on fresh ones. */

/** The shared, authenticated socket of the WebSocket families, reopened after the server closes it. */
async function socket(ctx: FuzzContext): Promise<WsConnection> {
  if (!ctx.ws?.open) {
    ctx.ws = await WsConnection.open(ctx.target, { authorization: auth(ctx) }, deadline(ctx));
  }
  return ctx.ws;
}

/** A fresh WebSocket is acknowledged and answers `{ __typename }` promptly. */
export async function checkWsHealth(ctx: FuzzContext, withinMs: number): Promise<Violation[]> {
  const started = performance.now();
  const fail = (detail: string): Violation[] => [
    { invariant: 'unhealthy', cause: 'WebSocket query failed', detail },
  ];
  let conn: WsConnection | undefined;
  try {
    conn = await WsConnection.open(ctx.target, { authorization: auth(ctx) }, withinMs);
    if (!conn.open) return fail(`the socket closed at init: ${JSON.stringify(conn.close)}`);
    const answer = await conn.operation('health', '{"query":"{ __typename }"}', false, withinMs);
    const ms = performance.now() - started;
    if (JSON.stringify(answer.results) !== '[{"data":{"__typename":"Query"}}]')
      return fail(`answered ${preview(answer.text)}`);
    if (ms > withinMs)
      return [{ invariant: 'unhealthy', cause: 'WebSocket query slow', detail: `took ${Math.round(ms)} ms` }];
    return [];
  } catch (error) {
    return fail((error as Error).message);
  } finally {
    await conn?.end();
  }
}

const wsDocuments: Family = {
  name: 'ws-documents',
  async run(rng, index, ctx, sending) {
    const doc = documentCase(rng);
    const payload = documentBody(doc);
    sending();
    const conn = await socket(ctx);
    const answer = await conn.operation(`d${index}`, payload, doc.live, deadline(ctx));
    return { request: payload, shape: doc.shape, violations: checkAnswer(payload, answer, ctx.stallMs) };
  },
};

const wsApply: Family = {
  name: 'ws-apply',
  async run(rng, index, ctx, sending) {
    const c = applyCase(rng, `fz-w${index.toString(36)}`, ctx.namespace);
    const payload = bodyJson({ query: APPLY, variables: { m: c.manifests, ns: c.namespace, dry: c.dryRun } });
    sending();
    const conn = await socket(ctx);
    const answer = await conn.operation(`a${index}`, payload, false, deadline(ctx));
    const violations = checkAnswer(payload, answer, ctx.stallMs);
    if (!answer.timedOut && failed(answer) && c.objects.length > 1) {
      violations.push(...(await checkAllOrNone(ctx, c.objects, c.namespace)));
    }
    return { request: c.manifests, shape: c.shape, violations };
  },
};

/** Frames that break graphql-transport-ws itself, each on a fresh connection. */
function protocolFrames(
  rng: Random,
  token: string,
): { init: unknown; frames: Array<string | Buffer>; shape: string } {
  const sub = (id: unknown, payload: unknown) => bodyJson({ id, type: 'subscribe', payload });
  const watch = { query: 'subscription { watchNamespaces { type } }' };
  const good = { authorization: `Bearer ${token}` };
  const init = rng.weighted<unknown>([
    [8, good],
    [1, undefined],
    [
      2,
      rng.pick<unknown>([
        null,
        'x',
        [],
        7,
        { authorization: 7 },
        { authorization: ['Bearer', token] },
        { authorization: { toString: `Bearer ${token}` } },
        { token },
        { Authorization: `Bearer ${token}` },
        { authorization: `Bearer ${'x'.repeat(1_000_000)}` },
        { authorization: `Bearer ${token}`, deep: new RawJson(nested(100_000, 'array')) },
        JSON.parse(`{"__proto__":{"authorization":"Bearer ${token}"}}`),
      ]),
    ],
  ]);
  const [shape, frames] = rng.pick<[string, Array<string | Buffer>]>([
    ['invalid JSON', ['{']],
    ['null', ['null']],
    ['array', ['[]']],
    ['string', ['"x"']],
    ['empty object', ['{}']],
    ['empty frame', ['']],
    ['binary frame', [Buffer.from([0xff, 0x00, 0x7b])]],
    ['unknown type', ['{"type":"nope","id":"1"}']],
    ['subscribe without id', ['{"type":"subscribe","payload":{"query":"{ __typename }"}}']],
    ['numeric id', [sub(1, { query: '{ __typename }' })]],
    ['empty id', [sub('', { query: '{ __typename }' })]],
    ['huge id', [sub('i'.repeat(500_000), { query: '{ __typename }' })]],
    [
      'hostile id',
      [sub('__proto__', { query: '{ __typename }' }), sub('constructor', { query: '{ __typename }' })],
    ],
    ['null payload', [sub('1', null)]],
    ['query not a string', [sub('1', { query: 7 })]],
    ['variables not an object', [sub('1', { query: '{ __typename }', variables: 'x' })]],
    ['extensions not an object', [sub('1', { query: '{ __typename }', extensions: [] })]],
    ['duplicate id', [sub('dup', watch), sub('dup', watch)]],
    ['second init', [JSON.stringify({ type: 'connection_init', payload: good })]],
    ['ping with deep payload', [`{"type":"ping","payload":${nested(200_000, 'array')}}`]],
    ['pong', ['{"type":"pong"}']],
    ['complete unknown id', ['{"type":"complete","id":"nope"}']],
    ['complete then subscribe', [sub('c', watch), '{"type":"complete","id":"c"}', sub('c', watch)]],
    ['frame over the size limit', [`{"type":"ping","payload":"${'x'.repeat(3 * 1024 * 1024 + 10)}"}`]],
    ['many subscriptions', Array.from({ length: rng.sized([50, 201, 400]) }, (_, i) => sub(`m${i}`, watch))],
    [
      'many quick queries',
      Array.from({ length: 300 }, (_, i) =>
        sub(`q${i}`, { query: '{ namespaces { items { metadata { name } } } }' }),
      ),
    ],
    [
      'deep variables',
      [
        `{"id":"v","type":"subscribe","payload":{"query":"mutation($p: JSON!) { patchNamespace(name: \\"default\\", patch: $p) { kind } }","variables":{"p":${nested(50_000, 'object')}}}}`,
      ],
    ],
  ]);
  return {
    init,
    frames,
    shape: `init=${init === good ? 'ok' : preview(bodyJson(init) || 'none', 40)} ${shape}`,
  };
}

const wsProtocol: Family = {
  name: 'ws-protocol',
  async run(rng, _index, ctx, sending) {
    const started = performance.now();
    const { init, frames, shape } = protocolFrames(rng, ctx.target.token);
    sending();
    const conn = await WsConnection.open(ctx.target, undefined, deadline(ctx));
    if (init !== undefined) conn.send(bodyJson({ type: 'connection_init', payload: init }));
    // Frames go out once the server has answered the init (or at once without one).
    if (init !== undefined) await conn.waitFor((m) => m.type === 'connection_ack', 1000);
    for (const frame of frames) conn.send(frame);
    // Whatever the server does with them happens within a moment, or not at all.
    await conn.waitFor(() => false, 200);
    const answer = conn.drain(started);
    await conn.end();
    const request = `${bodyJson(init)} ${frames.map((f) => (typeof f === 'string' ? f : '<binary>')).join(' ')}`;
    return { request, shape, violations: checkAnswer(request, answer, ctx.stallMs + 2000) };
  },
};

export const WS_FAMILIES: Family[] = [wsDocuments, wsApply, wsProtocol];
