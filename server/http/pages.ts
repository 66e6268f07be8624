import type http from 'node:http';
import type { Authenticator } from '../auth.ts';
import { playground } from './playground.ts';
import { clientOf } from '../limits/clients.ts';
import { TokenBuckets, type RateLimit } from './rate-limit.ts';
import { staticFiles } from './static.ts';

/**
 * A first visit to the playground takes 9 requests (page, script, styles, three workers,
 * boot, graphql-ws, icon), the dashboard's 4, and a reload revalidates as many: a burst of 60 and 10 a
 * second leave people clicking around untouched and a flood at a few hundred kB a second.
 */
export const PAGE_RATE_LIMIT: RateLimit = { burst: 60, perSecond: 10 };

export interface PagesOptions {
  auth: Authenticator;
  log: (line: string) => void;
  /** The dashboard's build (default: web/dist of this checkout). */
  webDir?: string;
  rateLimit?: RateLimit;
  /** Proxies whose X-Forwarded-For names the client the rate limit counts. */
  trustedProxies?: readonly string[];
}

/**
 * The pages anyone may load without a token: the playground and the dashboard's files.
 * Each is prepared once and sent from memory, and a client without a valid token is held
 * to `rateLimit` per address (429 with Retry-After); one with a token is not limited, as
 * its operations are limited elsewhere. Returns false for what is not a page, leaving it
 * to the caller.
 */
export function pages({ auth, log, webDir, rateLimit = PAGE_RATE_LIMIT, trustedProxies }: PagesOptions) {
  const routes = [playground(), staticFiles(webDir)];
  const buckets = new TokenBuckets(rateLimit);
  return function serve(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    let respond: ((res: http.ServerResponse) => Promise<void>) | undefined;
    for (const route of routes) if ((respond ??= route(req))) break;
    if (!respond) return false;
    if (!auth.authenticate(req.headers.authorization)) {
      const wait = buckets.take(clientOf(req, trustedProxies));
      if (wait > 0) {
        res.writeHead(429, {
          'content-type': 'text/plain; charset=utf-8',
          'cache-control': 'no-store',
          'retry-after': String(wait),
        });
        res.end(`too many requests: retry after ${wait} s, or send a token\n`);
        return true;
      }
    }
    respond(res).catch((error: unknown) => {
      log(`pages: ${req.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (res.headersSent) return void res.destroy();
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end('internal error\n');
    });
    return true;
  };
}
