import type { YogaServerOptions } from 'graphql-yoga';

type CorsOption = NonNullable<YogaServerOptions<object, object>['cors']>;

/**
 * CORS for /graphql: same-origin unless origins are allowed by name. A foreign origin,
 * and `null` (sandboxed frames, file: pages) always, gets no Access-Control-Allow-*
 * headers, so a browser keeps its page from reading the answers. Credentials are not
 * offered: the API takes bearer tokens, never cookies.
 */
export function corsFor(allowed: readonly string[] = []): CorsOption {
  const origins = new Set(allowed.map(originOf));
  return (request: Request) => {
    const origin = request.headers.get('origin');
    if (!origin || !origins.has(origin)) return false;
    return {
      origin: [...origins],
      // PUT, DELETE and the stream token: graphql-sse's single-connection mode (/graphql/stream).
      methods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'accept', 'x-graphql-event-stream-token'],
      exposedHeaders: ['retry-after', 'www-authenticate'],
      credentials: false,
      maxAge: 600,
    };
  };
}

/** An allowed origin as browsers send it (`https://host:port`, no path); refuses `null` and `*`. */
function originOf(entry: string): string {
  let url: URL | undefined;
  try {
    url = new URL(entry);
  } catch {
    url = undefined;
  }
  if (!url || url.origin === 'null' || !/^https?:$/.test(url.protocol))
    throw new Error(`CORS: "${entry}" is not an origin such as https://dashboard.example.com:8443`);
  return url.origin;
}
