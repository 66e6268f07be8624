import crypto from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { notModified, PreparedBody, sendPrepared } from './compressed-files.ts';
import { FileCache } from './file-cache.ts';

/** Where `npm run build:web` writes the dashboard: a path, not an import, so the server never loads web/ code. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

/** Vite puts every content-hashed file under assets/: a new build gets new names, so they never change. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current assets: always revalidate it (cheap, thanks to the ETag). */
export const REVALIDATE = 'no-cache';

/**
 * The dashboard is Vite's build: its own scripts and stylesheets, nothing inline (React
 * sets styles through the CSSOM, which CSP does not govern), and the API on the same
 * origin over fetch and WebSocket ('self' covers ws: to the page's own host).
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const NOT_BUILT_STYLE = 'body{font:16px system-ui,sans-serif;max-width:40em;margin:4em auto;line-height:1.5}';
const NOT_BUILT = new PreparedBody(
  Buffer.from(`<!doctype html>
<meta charset="utf-8"><title>kubeql</title>
<style>${NOT_BUILT_STYLE}</style>
<h1>The dashboard is not built</h1>
<p>Build it with <code>npm run build:web</code> (or start the cluster with <code>npm run up</code>,
which builds it when needed), then reload this page.</p>
<p>The API is at <a href="/graphql">/graphql</a>, with its playground.</p>
`),
  TYPES['.html'],
);
/** Its one inline style, allowed by its hash: nothing else runs or applies there. */
const NOT_BUILT_CSP = `default-src 'none'; style-src 'sha256-${crypto.createHash('sha256').update(NOT_BUILT_STYLE).digest('base64')}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

type Respond = (res: http.ServerResponse) => Promise<void>;

/**
 * Serves the dashboard's production build from `root`: files read and compressed once
 * (FileCache), hashed assets cached for good, and index.html for every other GET that a
 * browser navigates to, so the dashboard's own routes (/pods/default/web-1) survive a
 * reload. Returns how to answer a request that is its business, or undefined for the
 * rest (other methods, the API's paths), leaving those to the caller.
 */
export function staticFiles(root: string = DEFAULT_WEB_DIR) {
  const base = path.resolve(root);
  const cache = new FileCache();
  return function route(req: http.IncomingMessage): Respond | undefined {
    if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://host').pathname);
    } catch {
      return undefined;
    }
    if (pathname === '/graphql' || pathname.startsWith('/graphql/')) return undefined;

    const file = path.join(base, pathname);
    // `..` segments, or an encoded slash: nothing outside the build directory is served.
    if (file !== base && !file.startsWith(base + path.sep)) return undefined;
    return async (res) => {
      const stat = await statFile(file);
      if (stat) {
        const hashed = path.relative(base, file).startsWith(`assets${path.sep}`);
        return send(req, res, cache, file, stat, hashed ? IMMUTABLE : REVALIDATE);
      }
      // A missing asset is a 404, not the app: the browser asked for a script, not a page.
      if (path.extname(pathname) !== '' && pathname !== '/') return notFound(res);
      const index = path.join(base, 'index.html');
      const indexStat = await statFile(index);
      if (!indexStat) {
        const headers = { 'cache-control': 'no-store', 'content-security-policy': NOT_BUILT_CSP };
        return sendPrepared(req, res, NOT_BUILT, headers, 404);
      }
      return send(req, res, cache, index, indexStat, REVALIDATE);
    };
  };
}

async function statFile(file: string): Promise<fs.Stats | undefined> {
  try {
    const stat = await fs.promises.stat(file);
    return stat.isFile() ? stat : undefined;
  } catch {
    return undefined;
  }
}

async function send(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  cache: FileCache,
  file: string,
  stat: fs.Stats,
  cacheControl: string,
): Promise<void> {
  const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
  const headers: Record<string, string> = { 'cache-control': cacheControl };
  if (type === TYPES['.html']) headers['content-security-policy'] = DASHBOARD_CSP;
  const prepared = cache.get(file, stat, type);
  if (prepared) return sendPrepared(req, res, await prepared, headers);
  return stream(req, res, file, stat, type, headers);
}

/** A file too big to keep in memory: streamed as it is, validated by its size and mtime. */
function stream(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  file: string,
  stat: fs.Stats,
  type: string,
  headers: Record<string, string>,
): void {
  const etag = `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
  const all = { ...headers, 'content-type': type, etag, 'x-content-type-options': 'nosniff' };
  if (notModified(req.headers['if-none-match'], etag)) {
    res.writeHead(304, all);
    res.end();
    return;
  }
  res.writeHead(200, { ...all, 'content-length': stat.size });
  if (req.method === 'HEAD') res.end();
  else
    fs.createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
}

function notFound(res: http.ServerResponse): void {
  res.writeHead(404, { 'content-type': TYPES['.txt'], 'cache-control': 'no-store' });
  res.end('not found\n');
}
