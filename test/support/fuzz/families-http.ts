import { documentCase, nested, ownKey, type DocumentCase } from './documents.ts';
import { checkAnswer, preview, type Answer } from './invariants.ts';
import { applyCase, createCase } from './manifests.ts';
import { HOSTILE_KEYS, type Random } from './random.ts';
import { bodyJson, documentBody, sendHttp, type HttpRequest } from './transport.ts';
import { yamlCase } from './yaml.ts';
import { APPLY, auth, checkAllOrNone, deadline, failed, type Family, type FuzzContext } from './cases.ts';

/** The families sent over HTTP: documents (POST, GET, SSE), envelopes, and apply's manifests and YAML. */

/** Sends a document as a plain POST, asking for JSON. */
async function postDocument(ctx: FuzzContext, doc: DocumentCase, accept = 'application/json') {
  const body = documentBody(doc);
  const answer = await sendHttp(
    ctx.target,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept, authorization: auth(ctx) },
      body,
      live: doc.live,
    },
    deadline(ctx),
  );
  return { body, answer };
}

/** `?query=...&variables=...`: what a GET carries; cut to stay under Node's header size limit. */
function searchOf(doc: DocumentCase): string {
  const params = new URLSearchParams();
  const put = (key: string, value: unknown) => {
    if (value === undefined) return;
    params.set(key, typeof value === 'string' ? value : bodyJson(value));
  };
  put('query', doc.query);
  put('variables', doc.variables);
  put('operationName', doc.operationName);
  put('extensions', doc.extensions);
  const search = `?${params.toString()}`;
  return search.length > 12_000 ? search.slice(0, 12_000) : search;
}

/** A query string as the server reads it (leniently: a malformed escape is not the client's crash). */
function decodeSearch(search: string): string {
  return [...new URLSearchParams(search).entries()].map(([key, value]) => `${key}=${value}`).join('&');
}

const httpPost: Family = {
  name: 'http-post',
  async run(rng, _index, ctx, sending) {
    const doc = documentCase(rng);
    const accept = rng.weighted([
      [5, 'application/json'],
      [2, 'application/graphql-response+json'],
      [1, 'application/graphql-response+json, application/json;q=0.9'],
      [1, '*/*'],
    ]);
    sending();
    const { body, answer } = await postDocument(ctx, doc, accept);
    return {
      request: body,
      shape: `${doc.shape} accept=${accept}`,
      violations: checkAnswer(body, answer, ctx.stallMs),
    };
  },
};

const httpGet: Family = {
  name: 'http-get',
  async run(rng, _index, ctx, sending) {
    const doc = documentCase(rng, { maxBytes: 6000 });
    const search = searchOf(doc);
    const accept = rng.weighted([
      [5, 'application/json'],
      [2, 'application/graphql-response+json'],
      [1, '*/*'],
      [1, ''],
    ]);
    const headers: Record<string, string> = { authorization: auth(ctx) };
    if (accept) headers.accept = accept;
    sending();
    const answer = await sendHttp(
      ctx.target,
      { method: 'GET', search, headers, live: doc.live },
      deadline(ctx),
    );
    const request = decodeSearch(search);
    return {
      request,
      shape: `${doc.shape} accept=${accept || 'none'}`,
      violations: checkAnswer(request, answer, ctx.stallMs),
    };
  },
};

const sse: Family = {
  name: 'sse',
  async run(rng, _index, ctx, sending) {
    const doc = documentCase(rng, { kind: rng.chance(0.6) ? 'subscription' : undefined, maxBytes: 6000 });
    const headers: Record<string, string> = { accept: 'text/event-stream', authorization: auth(ctx) };
    let request: string;
    let answer: Answer;
    sending();
    if (rng.chance(0.7)) {
      request = documentBody(doc);
      headers['content-type'] = 'application/json';
      answer = await sendHttp(
        ctx.target,
        { method: 'POST', headers, body: request, live: doc.live },
        deadline(ctx),
      );
    } else {
      const search = searchOf(doc);
      request = decodeSearch(search);
      answer = await sendHttp(ctx.target, { method: 'GET', search, headers, live: doc.live }, deadline(ctx));
    }
    return { request, shape: doc.shape, violations: checkAnswer(request, answer, ctx.stallMs) };
  },
};

/** Bodies no well-behaved client sends. */
function envelopeBody(rng: Random): string | Uint8Array<ArrayBuffer> {
  return rng.weighted<() => string | Uint8Array<ArrayBuffer>>([
    [
      6,
      () =>
        rng.pick([
          '',
          ' ',
          'null',
          '[]',
          '{}',
          '"x"',
          '123',
          'true',
          '[{"query":"{ __typename }"},{"query":"{ __typename }"}]',
          '{"query":1}',
          '{"query":null}',
          '{"query":["{ __typename }"]}',
          '{"query":{"kind":"Document","definitions":[]}}',
          '{"query":"{ __typename }","variables":"{}"}',
          '{"query":"{ __typename }","variables":"x"}',
          '{"query":"{ __typename }","variables":[]}',
          '{"query":"{ __typename }","variables":7}',
          '{"query":"{ __typename }","operationName":5}',
          '{"query":"{ __typename }","operationName":""}',
          '{"query":"{ __typename }","extensions":"x"}',
          '{"query":"{ __typename }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}',
          '{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}',
          '{"query":"{ __typename }","query":"{ nope }"}',
          '{"__proto__":{"query":"{ __typename }"}}',
          '{"constructor":{"prototype":{"polluted":"yes"}},"query":"{ __typename }"}',
          '\ufeff{"query":"{ __typename }"}',
          '{"query":"{ __typename }"',
          '{"query":"\\ud800"}',
          '{"query":"{ __typename }"}garbage',
          'query={__typename}',
          '{ __typename }',
          'mutation { deleteNamespace(name: "nope") { kind } }',
        ]),
    ],
    [
      1,
      () => `{"query":"{ __typename }","variables":${nested(rng.sized([1000, 100_000, 400_000]), 'array')}}`,
    ],
    [1, () => `{"query":"{ __typename }","variables":{"a":${nested(rng.sized([1000, 100_000]), 'object')}}}`],
    [1, () => nested(rng.sized([10_000, 1_000_000]), 'array')],
    [
      1,
      () => {
        const keys = Array.from({ length: rng.sized([1000, 200_000]) }, (_, i) => `"k${i}":1`).join(',');
        return `{"query":"{ __typename }","variables":{${keys}}}`;
      },
    ],
    [1, () => `{"query":"{ __typename }","pad":"${'a'.repeat(rng.sized([1000, 3_200_000]))}"}`],
    [1, () => new Uint8Array(Array.from({ length: rng.int(1, 200) }, () => rng.int(0x80, 0xff)))],
    [
      1,
      () => {
        const vars: Record<string, unknown> = {};
        ownKey(vars, rng.pick(HOSTILE_KEYS), { polluted: 'yes' });
        return bodyJson({ query: 'query($n: String) { __typename }', variables: vars });
      },
    ],
    [3, () => documentBody(documentCase(rng))],
  ])();
}

const httpEnvelope: Family = {
  name: 'http-envelope',
  async run(rng, _index, ctx, sending) {
    const method = rng.weighted([
      [8, 'POST'],
      [3, 'GET'],
      [1, 'PUT'],
      [1, 'PATCH'],
      [1, 'DELETE'],
      [1, 'OPTIONS'],
      [1, 'HEAD'],
    ]);
    const headers: Record<string, string> = {};
    headers.authorization = rng.chance(0.85)
      ? auth(ctx)
      : rng.pick([
          '',
          'Bearer ',
          'Bearer x',
          'Basic YTpi',
          `bearer ${ctx.target.token}`,
          `Bearer ${ctx.target.token} x`,
          'Bearer ' + 'x'.repeat(8000),
        ]);
    if (!headers.authorization) delete headers.authorization;
    const accept = rng.pick([
      'application/json',
      'application/graphql-response+json',
      'text/event-stream',
      'multipart/mixed',
      'text/html',
      '*/*',
      '',
      'application/xml',
      'application/graphql-response+json;q=0, application/json;q=0',
      'text/event-stream, application/json;q=0.1',
    ]);
    if (accept) headers.accept = accept;
    const type = rng.pick([
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'application/graphql',
      'application/graphql+json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      '',
    ]);
    const request: HttpRequest = { method, headers };
    let text = '';
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') {
      const search = rng.pick([
        '',
        '?',
        '?query=',
        '?query=%7B__typename%7D&query=%7B__typename%7D',
        '?query=%7B__typename%7D&variables=notjson',
        '?query=%7B__typename%7D&variables=%5B%5D',
        '?query=%7B__typename%7D&extensions=%7B',
        '?query=mutation%7BdeleteNamespace(name%3A%22nope%22)%7Bkind%7D%7D',
        '?query=subscription%7BwatchPods%7Btype%7D%7D',
        '?query=%7B__typename%7D&operationName=nope',
        '?query=%ZZ',
        '?query=%00',
        '?query=' + '%7B'.repeat(1500),
        // URLSearchParams rather than encodeURIComponent, which throws on a lone surrogate.
        `?${new URLSearchParams({ query: String(documentCase(rng, { maxBytes: 3000 }).query) })}`,
      ]);
      request.search = search;
      request.live = search.includes('subscription');
      text = decodeSearch(search);
      if (method === 'OPTIONS') headers['access-control-request-method'] = 'POST';
    } else {
      const body = envelopeBody(rng);
      request.body = body;
      text = typeof body === 'string' ? body : Buffer.from(body).toString('latin1');
      if (type) headers['content-type'] = type;
      request.live = /subscription/.test(text.slice(0, 200));
    }
    sending();
    const answer = await sendHttp(ctx.target, request, deadline(ctx));
    const shape = `${method} type=${type || 'none'} accept=${accept || 'none'} auth=${headers.authorization === auth(ctx) ? 'ok' : 'bad'}`;
    return {
      request: `${method} ${request.search ?? ''} ${preview(text, 200)}`,
      shape,
      violations: checkAnswer(text + JSON.stringify(headers), answer, ctx.stallMs),
    };
  },
};

const apply: Family = {
  name: 'apply',
  async run(rng, index, ctx, sending) {
    const c = applyCase(rng, `fz-a${index.toString(36)}`, ctx.namespace);
    const body = bodyJson({ query: APPLY, variables: { m: c.manifests, ns: c.namespace, dry: c.dryRun } });
    sending();
    const answer = await sendHttp(
      ctx.target,
      { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth(ctx) }, body },
      deadline(ctx),
    );
    const violations = checkAnswer(body, answer, ctx.stallMs);
    if (!answer.timedOut && failed(answer) && c.objects.length > 1) {
      violations.push(...(await checkAllOrNone(ctx, c.objects, c.namespace)));
    }
    return { request: c.manifests, shape: c.shape, violations };
  },
};

const create: Family = {
  name: 'create',
  async run(rng, index, ctx, sending) {
    const c = createCase(rng, `fz-c${index.toString(36)}`, ctx.namespace);
    const body = `{"query":${JSON.stringify(c.query)},"variables":${c.variablesJson}}`;
    sending();
    const answer = await sendHttp(
      ctx.target,
      { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth(ctx) }, body },
      deadline(ctx),
    );
    return { request: body, shape: c.shape, violations: checkAnswer(body, answer, ctx.stallMs) };
  },
};

const yaml: Family = {
  name: 'yaml',
  async run(rng, index, ctx, sending) {
    const c = yamlCase(rng, `fz-y${index.toString(36)}`);
    const body = bodyJson({ query: APPLY, variables: { m: c.text, ns: ctx.namespace } });
    sending();
    const answer = await sendHttp(
      ctx.target,
      { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth(ctx) }, body },
      deadline(ctx),
    );
    const violations = checkAnswer(body, answer, ctx.stallMs);
    if (!answer.timedOut && failed(answer) && c.allOrNone.length) {
      const objects = c.allOrNone.map((name) => ({
        kind: 'ConfigMap',
        name,
        namespaced: true,
        broken: false,
      }));
      violations.push(...(await checkAllOrNone(ctx, objects.slice(0, 25), ctx.namespace)));
    }
    return { request: c.text, shape: c.shape, violations };
  },
};

export const HTTP_FAMILIES: Family[] = [httpPost, httpGet, sse, httpEnvelope, apply, create, yaml];
