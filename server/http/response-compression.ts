import type { NonSharedBuffer } from 'node:buffer';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Plugin } from 'graphql-yoga';
import { accepts, MIN_COMPRESSIBLE, type Encoding } from './compressed-files.ts';

const gzip = promisify<zlib.InputType, zlib.ZlibOptions, NonSharedBuffer>(zlib.gzip);
const brotli = promisify<zlib.InputType, zlib.BrotliOptions, NonSharedBuffer>(zlib.brotliCompress);

/**
 * GraphQL over HTTP's JSON answers. Event streams (SSE) and multipart parts are not
 * compressed: a compressor holds bytes back until it has enough, and an event must
 * reach its client when it happens.
 */
const JSON_ANSWER = /^application\/(graphql-response\+)?json\b/i;

/**
 * Qualities for answers made once each, so cheap ones: on a list of 1,000 pods (1 MB of
 * JSON), Brotli 4 and gzip 6 (zlib's default) each take about 2.5 ms of one core and make
 * it 28 and 35 kB; Brotli 5 and above take twice the time for 5% less. Both run on libuv's
 * thread pool, never on the event loop.
 */
export const COMPRESS: Record<Encoding, (body: Buffer) => Promise<NonSharedBuffer>> = {
  br: (body) =>
    brotli(body, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: 4,
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
  gzip: (body) => gzip(body, { level: 6 }),
};

/**
 * Compresses /graphql's JSON answers of MIN_COMPRESSIBLE bytes or more with Brotli or
 * gzip, as the client's Accept-Encoding allows (Brotli first: a list comes out a sixth
 * smaller for the same time). A list is mostly repeated keys: the 1,000-pod list goes over
 * the wire in a thirtieth of its size (npm run bench:compression). Such answers say
 * `Vary: Accept-Encoding` whether compressed or not, for caches in between (a GET query
 * may be cached).
 */
export function useResponseCompression(): Plugin {
  return {
    async onResponse({ request, response, setResponse, fetchAPI }) {
      if (!compressible(response)) return;
      response.headers.append('vary', 'Accept-Encoding');
      const encoding = negotiate(request.headers.get('accept-encoding') ?? undefined);
      if (!encoding) return;
      const compressed = await COMPRESS[encoding](Buffer.from(await response.arrayBuffer()));
      const headers = new fetchAPI.Headers(response.headers);
      headers.set('content-encoding', encoding);
      headers.set('content-length', String(compressed.length));
      setResponse(
        new fetchAPI.Response(compressed, {
          status: response.status,
          statusText: response.statusText,
          headers,
        }),
      );
    },
  };
}

/** A JSON answer of MIN_COMPRESSIBLE bytes or more (yoga declares the length of each it makes). */
function compressible(response: Response): boolean {
  const type = response.headers.get('content-type') ?? '';
  const length = Number(response.headers.get('content-length') ?? 0);
  return JSON_ANSWER.test(type) && !response.headers.has('content-encoding') && length >= MIN_COMPRESSIBLE;
}

function negotiate(acceptEncoding: string | undefined): Encoding | undefined {
  if (accepts(acceptEncoding, 'br')) return 'br';
  if (accepts(acceptEncoding, 'gzip')) return 'gzip';
  return undefined;
}
