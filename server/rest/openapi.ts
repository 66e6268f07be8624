import type http from 'node:http';
import { dynamicKindsGeneration } from '../../schema/kinds/dynamic-kinds.ts';
import { PreparedBody, sendPrepared } from '../http/compressed-files.ts';
import { openApiDocument, openApiGroupVersions } from './openapi-document.ts';
import { httpStatus, sendStatus, status } from './status.ts';

interface Published {
  body: PreparedBody;
  /** Names this version of the document in its URL: changes whenever its bytes do. */
  hash: string;
}

interface OpenApi {
  /** `/openapi/v3`: each group-version's path and the URL of its current document. */
  index: PreparedBody;
  documents: Map<string, Published>;
}

/**
 * Built at the first request and kept: the documents depend on nothing but the kind shapes
 * and discovery, which change only with the custom resources served (`publishedAt`).
 */
let openApi: OpenApi | undefined;
let publishedAt = -1;

function publish(): OpenApi {
  const documents = new Map<string, Published>();
  for (const [path, gv] of openApiGroupVersions()) {
    const body = json(openApiDocument(gv));
    // The validator is a content hash already; the URL carries it without the quotes.
    documents.set(path, { body, hash: body.etag.replace(/^W\/"|"$/g, '') });
  }
  const paths = Object.fromEntries(
    [...documents].map(([path, { hash }]) => [path, { serverRelativeURL: documentUrl(path, hash) }]),
  );
  return { index: json({ paths }), documents };
}

/**
 * OpenAPI v3 as kube-apiserver serves it: `/openapi/v3` indexes the group-versions, and each
 * `/openapi/v3/api/v1` or `/openapi/v3/apis/{group}/{version}` is a JSON document. Asked for
 * with the current `hash` (as the index links it), a document is immutable and cached for a
 * year; with an old one, the client is redirected to the current one. kubectl reads it to
 * validate manifests, to compute strategic merge patches and to explain fields.
 */
export function serveOpenApi(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  log: (line: string) => void,
): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return sendStatus(
      res,
      httpStatus(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'),
    );
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (!openApi || publishedAt !== dynamicKindsGeneration()) {
    openApi = publish();
    publishedAt = dynamicKindsGeneration();
  }
  if (path === '/openapi/v3') return send(req, res, openApi.index, NO_CACHE, log);
  const document = path.startsWith('/openapi/v3/')
    ? openApi.documents.get(path.slice('/openapi/v3/'.length))
    : undefined;
  if (!document) {
    return sendStatus(
      res,
      status('NOT_FOUND', `the server could not find the requested resource (get ${url.pathname})`),
    );
  }
  if (!acceptsJson(req.headers.accept)) {
    return sendStatus(
      res,
      httpStatus(406, 'NotAcceptable', 'only application/json is served for OpenAPI v3 documents'),
    );
  }
  const hash = url.searchParams.get('hash');
  if (hash && hash !== document.hash) {
    res.writeHead(301, {
      location: documentUrl(path.slice('/openapi/v3/'.length), document.hash),
      'content-length': 0,
    });
    res.end();
    return;
  }
  send(req, res, document.body, hash ? immutable() : NO_CACHE, log);
}

const NO_CACHE = { 'cache-control': 'no-cache, private' };

/** What kube-apiserver says of a document asked for by its hash: it never changes. */
function immutable(): Record<string, string> {
  const inAYear = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  return { 'cache-control': 'public, immutable', expires: inAYear.toUTCString() };
}

function send(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: PreparedBody,
  headers: Record<string, string>,
  log: (line: string) => void,
): void {
  sendPrepared(req, res, body, headers).catch((error: unknown) => {
    log(`openapi: ${error instanceof Error ? error.message : String(error)}`);
    res.destroy();
  });
}

function json(value: unknown): PreparedBody {
  return new PreparedBody(Buffer.from(JSON.stringify(value)), 'application/json');
}

function documentUrl(path: string, hash: string): string {
  return `/openapi/v3/${path}?hash=${hash}`;
}

/** JSON is the one form served (client-go reads v3 as JSON; protobuf is optional). */
function acceptsJson(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(',').some((clause) => {
    const range = clause.split(';')[0].trim().toLowerCase();
    return range === 'application/json' || range === 'application/*' || range === '*/*';
  });
}
