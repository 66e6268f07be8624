import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build:web` writes the dashboard: a path, not an import, so the server never loads web/ code. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../web/dist/', import.meta.url));

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
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current assets: always revalidate it (cheap, thanks to the ETag). */
const REVALIDATE = 'no-cache';

const NOT_BUILT = `<!doctype html>
<meta charset="utf-8"><title>kubeql</title>
<body style="font:16px system-ui,sans-serif;max-width:40em;margin:4em auto;line-height:1.5">
<h1>The dashboard is not built</h1>
<p>Build it with <code>npm run build:web</code> (or start the cluster with <code>npm run up</code>,
which builds it when needed), then reload this page.</p>
<p>The API is at <a href="/graphql">/graphql</a>, with its playground.</p>
</body>
`;

/**
 * Serves the dashboard's production build from `root`: files as they are, hashed assets
 * cached for good, and index.html for every other GET that a browser navigates to, so
 * the dashboard's own routes (/pods/default/web-1) survive a reload. Returns false for
 * what is not its business (other methods, the API's paths), leaving it to the caller.
 */
export function staticFiles(root: string = DEFAULT_WEB_DIR) {
  const base = path.resolve(root);
  return function serve(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://host').pathname);
    } catch {
      return false;
    }
    if (pathname === '/graphql' || pathname.startsWith('/graphql/')) return false;

    const file = path.join(base, pathname);
    // `..` segments, or an encoded slash: nothing outside the build directory is served.
    if (file !== base && !file.startsWith(base + path.sep)) return false;
    if (isFile(file)) {
      const hashed = path.relative(base, file).startsWith(`assets${path.sep}`);
      return send(req, res, file, hashed ? IMMUTABLE : REVALIDATE);
    }
    // A missing asset is a 404, not the app: the browser asked for a script, not a page.
    if (path.extname(pathname) !== '' && pathname !== '/') return notFound(res);
    const index = path.join(base, 'index.html');
    if (!isFile(index)) {
      res.writeHead(404, { 'content-type': TYPES['.html'], 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : NOT_BUILT);
      return true;
    }
    return send(req, res, index, REVALIDATE);
  };
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function send(req: http.IncomingMessage, res: http.ServerResponse, file: string, cacheControl: string): true {
  const stat = fs.statSync(file);
  const etag = `W/"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
  const headers = {
    'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'cache-control': cacheControl,
    etag,
    'x-content-type-options': 'nosniff',
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return true;
  }
  res.writeHead(200, { ...headers, 'content-length': stat.size });
  if (req.method === 'HEAD') res.end();
  else fs.createReadStream(file).pipe(res);
  return true;
}

function notFound(res: http.ServerResponse): true {
  res.writeHead(404, { 'content-type': TYPES['.txt'], 'cache-control': 'no-store' });
  res.end('not found\n');
  return true;
}
