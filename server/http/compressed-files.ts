import crypto from 'node:crypto';
import type http from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { compressInTurn } from './compression-queue.ts';

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

/** Below this, compression saves less than the headers it costs. */
export const MIN_COMPRESSIBLE = 1024;
/** Brotli's best quality takes ~9 s on GraphiQL's 5 MB bundle: past this size, quality 9 is within 10% in a tenth of the time. */
const BEST_BROTLI_UP_TO = 1024 * 1024;

export type Encoding = 'br' | 'gzip';

/**
 * A response body prepared once for every request that will ask for it: its bytes, a
 * validator, and its gzip and brotli forms, compressed on libuv's thread pool (in turn:
 * compression-queue.ts) so that the event loop never waits for them. Every response then
 * writes the same Buffer: a thousand clients cost a thousand sockets, not a thousand copies.
 */
export class PreparedBody {
  /** Weak: the identity, gzip and brotli bytes are the same representation, so one validator fits them all. */
  readonly etag: string;
  private readonly gzipped: Promise<Buffer | undefined> = Promise.resolve(undefined);
  private brotlied: Buffer | undefined;

  constructor(
    readonly body: Buffer,
    readonly type: string,
  ) {
    this.etag = `W/"${crypto.createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    if (body.length < MIN_COMPRESSIBLE || !compressible(type)) return;
    this.gzipped = smaller(
      compressInTurn(0, () => gzip(body, { level: 9 })),
      body,
    );
    const params = {
      [zlib.constants.BROTLI_PARAM_QUALITY]: body.length <= BEST_BROTLI_UP_TO ? 11 : 9,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    };
    void smaller(
      compressInTurn(body.length, () => brotli(body, { params })),
      body,
    ).then((bytes) => (this.brotlied = bytes));
  }

  /** Brotli if accepted and done; else gzip if accepted, waiting for it (it is quick); else the bytes as they are. */
  async encode(acceptEncoding: string | undefined): Promise<{ bytes: Buffer; encoding?: Encoding }> {
    if (this.brotlied && accepts(acceptEncoding, 'br')) return { bytes: this.brotlied, encoding: 'br' };
    if (accepts(acceptEncoding, 'gzip')) {
      const gzipped = await this.gzipped;
      if (gzipped) return { bytes: gzipped, encoding: 'gzip' };
    }
    return { bytes: this.body };
  }
}

/**
 * Answers a GET or HEAD with `prepared`: 304 when the client's copy is current (of a
 * 200: an error page is never "not modified"), else the smallest form the client accepts.
 */
export async function sendPrepared(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  prepared: PreparedBody,
  headers: Record<string, string>,
  status = 200,
): Promise<void> {
  const common = {
    ...headers,
    etag: prepared.etag,
    vary: 'Accept-Encoding',
    'x-content-type-options': 'nosniff',
  };
  if (status === 200 && notModified(req.headers['if-none-match'], prepared.etag)) {
    res.writeHead(304, common);
    res.end();
    return;
  }
  const { bytes, encoding } = await prepared.encode(req.headers['accept-encoding']);
  res.writeHead(status, {
    ...common,
    'content-type': prepared.type,
    'content-length': bytes.length,
    ...(encoding ? { 'content-encoding': encoding } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

/** If-None-Match compares weakly (RFC 9110 13.1.2): `*`, or any listed tag equal once W/ is dropped. */
export function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

/** Whether Accept-Encoding allows `coding`: named or `*`, with a q-value above 0. */
export function accepts(acceptEncoding: string | undefined, coding: Encoding): boolean {
  let any = false;
  for (const entry of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const allowed = q === undefined || Number(q.slice(2)) > 0;
    if (name === coding) return allowed;
    if (name === '*') any = allowed;
  }
  return any;
}

function compressible(type: string): boolean {
  return /^(text\/|application\/(json|javascript|xml)|image\/(svg\+xml|x-icon))/.test(type);
}

/** A compressed form is kept only if it is smaller; a failure just leaves the identity form. */
function smaller(compressing: Promise<Buffer>, body: Buffer): Promise<Buffer | undefined> {
  return compressing.then(
    (bytes) => (bytes.length < body.length ? bytes : undefined),
    () => undefined,
  );
}
