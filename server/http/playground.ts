import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import type http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { GraphiQLOptions } from 'graphql-yoga';
import { PreparedBody, sendPrepared } from './compressed-files.ts';
import { loadGraphiQLBundle } from './graphiql-bundle.ts';
import { bootScript } from './playground-boot.ts';
import { EXAMPLE_OPERATIONS } from './playground-examples.ts';
import { IMMUTABLE, REVALIDATE } from './static.ts';

/**
 * What every tab starts with until a token is typed (headers are JSON with comments): where
 * the token is, and where it goes. The playground hands the last headers typed to the
 * tabs that still hold these (playground-boot.ts).
 */
export const DEFAULT_HEADERS = `{
  // the token is in .kubeql/admin.token
  "Authorization": "Bearer <token>"
}`;

/**
 * What the playground is given: the API's name, the walkthrough's operations in tabs,
 * and the headers editor open, as nothing works without a token. Headers are kept in the
 * browser's storage (GraphiQL's setting), so that a reload keeps the token.
 */
export const GRAPHIQL_OPTIONS = {
  title: 'kubeql',
  defaultHeaders: DEFAULT_HEADERS,
  defaultTabs: EXAMPLE_OPERATIONS.map((query) => ({ query })),
  defaultEditorToolsVisibility: 'headers',
  shouldPersistHeaders: true,
  // GraphiQL's default, named here as the playground's script tells introspection by it.
  introspectionQueryName: 'IntrospectionQuery',
} satisfies GraphiQLOptions;

/** Beside the endpoint, so that a proxy forwarding /graphql forwards the playground whole. */
export const PLAYGROUND_ASSETS = '/graphql/assets/';

/**
 * Every script is a file of its own ('self'), the workers too. The one allowance is
 * inline styles: Monaco, GraphiQL's editor, lays out its lines with style attributes
 * (~200 on a first render) and writes rules it generates (its icons' glyphs) into <style>
 * elements at run time, which no hash or nonce can name. Its stylesheet embeds its fonts
 * and icons as data: URLs.
 */
export const PLAYGROUND_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
/** A worker runs under its own script's policy: Monaco's only compute, and need nothing. */
const WORKER_CSP = "default-src 'none'";

const JS = 'text/javascript; charset=utf-8';

interface Playground {
  page: PreparedBody;
  assets: Map<string, { body: PreparedBody; csp?: string }>;
}

let loading: Promise<Playground> | undefined;

/**
 * GraphiQL as @graphql-yoga/render-graphiql ships it, but served as files: its 9 MB of
 * script, styles, workers and icon are split out of the page it would render per request
 * into content-named assets, cached by browsers for good, compressed once and shared by
 * every response; the page itself is a few hundred bytes. Loaded on the first request
 * that needs it (off the event loop: graphiql-bundle.ts), as most servers never show it.
 *
 * Returns how to answer a request that is its business (a browser GET of /graphql, or
 * one of its assets), or undefined for the rest.
 */
export function playground() {
  return function route(
    req: http.IncomingMessage,
  ): ((res: http.ServerResponse) => Promise<void>) | undefined {
    if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
    const pathname = (req.url ?? '/').split('?')[0];
    // As graphql-yoga decides to render GraphiQL: a GET of the endpoint that accepts HTML.
    if ((pathname === '/graphql' || pathname === '/graphql/') && req.headers.accept?.includes('text/html')) {
      return async (res) => {
        const { page } = await prepared();
        await sendPrepared(req, res, page, {
          'cache-control': REVALIDATE,
          'content-security-policy': PLAYGROUND_CSP,
        });
      };
    }
    if (!pathname.startsWith(PLAYGROUND_ASSETS)) return undefined;
    return async (res) => {
      const asset = (await prepared()).assets.get(pathname);
      if (!asset) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
        res.end('not found\n');
        return;
      }
      const headers: Record<string, string> = { 'cache-control': IMMUTABLE };
      if (asset.csp) headers['content-security-policy'] = asset.csp;
      await sendPrepared(req, res, asset.body, headers);
    };
  };
}

/** One load for all requests; a failed one is tried again by the next request. */
function prepared(): Promise<Playground> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function load(): Promise<Playground> {
  const bundle = await loadGraphiQLBundle();
  const assets: Playground['assets'] = new Map();
  const add = (name: string, body: Buffer, type: string, csp?: string) => {
    const hash = crypto.createHash('sha256').update(body).digest('hex').slice(0, 16);
    const url = `${PLAYGROUND_ASSETS}${name.replace(/\.(\w+)$/, `-${hash}.$1`)}`;
    assets.set(url, { body: new PreparedBody(body, type), csp });
    return url;
  };
  const worker = (name: string, source: Buffer) => add(name, source, JS, WORKER_CSP);
  const workers = {
    editorWorkerService: worker('editor.worker.js', bundle.editorWorkerService),
    json: worker('json.worker.js', bundle.jsonWorker),
    graphql: worker('graphql.worker.js', bundle.graphqlWorker),
  };
  const icon = /^data:([^;,]+);base64,(.*)$/s.exec(bundle.favicon.toString());
  const favicon = icon
    ? add('favicon.ico', Buffer.from(icon[2], 'base64'), icon[1])
    : bundle.favicon.toString();
  const css = add('graphiql.css', bundle.css, 'text/css; charset=utf-8');
  const start = add('boot.js', Buffer.from(bootScript(GRAPHIQL_OPTIONS, workers)), JS);
  const socket = add('graphql-ws.js', await graphqlWsClient(), JS);
  const js = add('graphiql.js', bundle.js, JS);
  const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(GRAPHIQL_OPTIONS.title)}</title>
    <link rel="icon" href="${escapeHtml(favicon)}" />
    <link rel="stylesheet" href="${css}" />
    <script defer src="${start}"></script>
    <script defer src="${socket}"></script>
    <script defer src="${js}"></script>
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>The GraphiQL playground needs JavaScript.</noscript>
    <div id="root"></div>
  </body>
</html>
`;
  return { page: new PreparedBody(Buffer.from(html), 'text/html; charset=utf-8'), assets };
}

/** graphql-ws' browser build (10 kB), the same version as the server's: the playground's subscriptions. */
async function graphqlWsClient(): Promise<Buffer> {
  const pkg = createRequire(import.meta.url).resolve('graphql-ws/package.json');
  return fs.readFile(path.join(path.dirname(pkg), 'umd', 'graphql-ws.min.js'));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
