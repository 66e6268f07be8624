import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { buildSchema, parse, validate } from 'graphql';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Authenticator } from '../../server/auth.ts';
import { PAGE_RATE_LIMIT, pages } from '../../server/http/pages.ts';
import { DEFAULT_HEADERS, PLAYGROUND_CSP } from '../../server/http/playground.ts';
import { EXAMPLE_OPERATIONS } from '../../server/http/playground-examples.ts';
import { ARTIFACTS, launchChromium } from '../support/browser.ts';
import { startCluster, type TestCluster } from '../support/harness.ts';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  ms: number;
}

/** A GET as sent, its body as received (fetch would ask for compression and undo it). */
function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http
      .request(url, { method, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            ms: performance.now() - started,
          }),
        );
      })
      .on('error', reject)
      .end();
  });
}

const HTML = { accept: 'text/html,application/xhtml+xml' };

/** The asset URLs the page names, in order: icon, stylesheet, boot script, graphql-ws, GraphiQL. */
function assetsOf(page: string): string[] {
  return [...page.matchAll(/(?:href|src)="(\/graphql\/assets\/[^"]+)"/g)].map((m) => m[1]);
}

describe('the GraphiQL playground', () => {
  let cluster: TestCluster;
  let base: string;
  let auth: Record<string, string>;

  beforeAll(async () => {
    cluster = await startCluster();
    base = cluster.url.replace(/\/graphql$/, '');
    auth = { authorization: `Bearer ${cluster.token}` };
  });
  afterAll(() => cluster?.stop());

  it('is a small page naming its assets, under a CSP, revalidated by its ETag', async () => {
    const page = await get(cluster.url, { ...HTML, ...auth });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toBe(PLAYGROUND_CSP);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const html = page.body.toString();
    // render-graphiql's page was 9 MB, built per request.
    expect(page.body.length).toBeLessThan(2048);
    expect(html).toContain('<title>kubeql</title>');
    expect(html).toContain('GraphiQL');
    // Nothing inline: every script is a file the CSP allows as 'self'.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(assetsOf(html)).toHaveLength(5);

    const again = await get(cluster.url, { ...HTML, ...auth, 'if-none-match': page.headers.etag! });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect((await get(`${cluster.url}/`, { ...HTML, ...auth })).body.toString()).toBe(html);

    // Everything else at /graphql is still the API's, which wants a token.
    const api = await get(`${cluster.url}?query=%7B__typename%7D`, { accept: 'application/json' });
    expect(api.status).toBe(401);
  });

  it('serves its assets content-named and immutable, compressed once, as each client accepts', async () => {
    const html = (await get(cluster.url, { ...HTML, ...auth })).body.toString();
    const urls = assetsOf(html);
    for (const url of urls) {
      expect(url).toMatch(/-[0-9a-f]{16}\.(js|css|ico)$/);
      const asset = await get(base + url, auth);
      expect(asset.status, url).toBe(200);
      expect(asset.headers['cache-control'], url).toBe('public, max-age=31536000, immutable');
    }
    const script = base + urls.find((u) => /graphiql-.*\.js$/.test(u))!;
    const plain = await get(script, auth);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.body.length).toBeGreaterThan(4_000_000);
    expect(plain.body.toString()).toContain('renderYogaGraphiQL');

    const gzipped = await get(script, { ...auth, 'accept-encoding': 'gzip, deflate' });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers.vary).toBe('Accept-Encoding');
    expect(gzipped.headers.etag).toBe(plain.headers.etag);
    expect(gzipped.body.length).toBeLessThan(plain.body.length / 3);
    expect(zlib.gunzipSync(gzipped.body).equals(plain.body)).toBe(true);
    // Refused by q=0: the identity bytes.
    const refused = await get(script, { ...auth, 'accept-encoding': 'gzip;q=0, identity' });
    expect(refused.headers['content-encoding']).toBeUndefined();

    // Brotli is compressed in the background (seconds on 5 MB): gzip meanwhile, brotli once done.
    let brotli: Reply | undefined;
    await expect
      .poll(
        async () => {
          brotli = await get(script, { ...auth, 'accept-encoding': 'gzip, br' });
          return brotli.headers['content-encoding'];
        },
        { timeout: 90_000, interval: 500 },
      )
      .toBe('br');
    expect(brotli!.body.length).toBeLessThan(gzipped.body.length);
    expect(zlib.brotliDecompressSync(brotli!.body).equals(plain.body)).toBe(true);

    const head = await get(script, { ...auth, 'accept-encoding': 'br' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(brotli!.body.length);
    expect(head.body.length).toBe(0);

    expect((await get(`${cluster.url}/assets/graphiql-0000000000000000.js`, auth)).status).toBe(404);

    // Everything a first visit loads (the workers are named by the boot script), as sent.
    const boot = (await get(base + urls.find((u) => /boot-.*\.js$/.test(u))!, auth)).body.toString();
    const workers = [...boot.matchAll(/"(\/graphql\/assets\/[^"]+\.worker-[^"]+)"/g)].map((m) => m[1]);
    expect(workers).toHaveLength(3);
    const sizes = { raw: 0, gzip: 0, br: 0 };
    for (const url of [cluster.url, ...urls.map((u) => base + u), ...workers.map((u) => base + u)]) {
      const accept = url === cluster.url ? HTML : {};
      sizes.raw += (await get(url, { ...auth, ...accept })).body.length;
      sizes.gzip += (await get(url, { ...auth, ...accept, 'accept-encoding': 'gzip' })).body.length;
      sizes.br += (await get(url, { ...auth, ...accept, 'accept-encoding': 'br' })).body.length;
    }
    const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
    console.log(
      `playground: the page ${html.length} B; with its ${urls.length + workers.length} assets ${mb(sizes.raw)}, ` +
        `${mb(sizes.gzip)} gzip, ${mb(sizes.br)} brotli`,
    );
  }, 120_000);

  it('works end to end in Chromium under its CSP: the token typed once, a live subscription, tabs that share it', async () => {
    const browser = await launchChromium();
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        // Expected: Chromium logs the 401 of the schema asked for before the token is typed.
        if (m.type() === 'error' && m.text().includes('status of 401 (Unauthorized)')) return;
        if (m.type() === 'error' || m.type() === 'warning' || m.text().startsWith('CSP'))
          problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      await page.addInitScript(() =>
        document.addEventListener('securitypolicyviolation', (e) =>
          console.log(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
        ),
      );
      const socketFrames: string[] = [];
      page.on('websocket', (ws) => ws.on('framesent', (frame) => socketFrames.push(String(frame.payload))));
      const response = async () => (await editorText(page, 'response.json')) ?? '';

      // It opens on the walkthrough, one operation a tab, with the headers saying where the
      // token goes and the server's 401 (for the schema, asked for without one) saying how.
      const started = performance.now();
      await page.goto(cluster.url);
      await expect
        .poll(() => editorText(page, 'operation.graphql'), { timeout: 60_000 })
        .toBe(EXAMPLE_OPERATIONS[0]);
      const editorReady = performance.now() - started;
      await expect.poll(response).toContain('Unauthorized: send a valid token as');
      const firstAnswer = performance.now() - started;
      // What it took to get there, each file once (Monaco fetches its workers again later).
      const loaded = await page.evaluate(() => {
        const files = new Map<string, PerformanceResourceTiming>();
        for (const r of performance.getEntriesByType('resource') as PerformanceResourceTiming[])
          if (new URL(r.name).pathname.startsWith('/graphql/assets/')) files.set(r.name, r);
        const sum = (size: (r: PerformanceResourceTiming) => number) =>
          [...files.values()].reduce((total, r) => total + size(r), 0);
        return { files: files.size, raw: sum((r) => r.decodedBodySize), sent: sum((r) => r.encodedBodySize) };
      });
      expect(await page.locator('.graphiql-tab-button').allInnerTexts()).toEqual([
        'Run',
        'Get',
        'Pods',
        'Rollout',
        'Change',
      ]);
      expect(await editorText(page, 'request-headers.json')).toBe(DEFAULT_HEADERS);
      // A subscription without the token ends at once, saying why (not after ~40 s of retries).
      await run(page, 'Pods');
      await expect
        .poll(response)
        .toContain('The WebSocket closed: 4403 Forbidden: connection_init has no valid token');

      // The token, typed once: the schema is fetched again with it.
      const schema = page.waitForResponse(
        (r) => r.status() === 200 && (r.request().postData() ?? '').includes('IntrospectionQuery'),
      );
      const headers = `{"Authorization": "Bearer ${cluster.token}"}`;
      await page.locator('.monaco-editor[data-uri$="request-headers.json"]').click();
      await page.keyboard.press('Control+A');
      await page.keyboard.press('Delete');
      await page.keyboard.insertText(headers);
      await schema;

      // The mutation and the query, each in its own tab, which took the token.
      await run(page, 'Run');
      await expect.poll(response).toContain('"kind": "Service"');
      await run(page, 'Get');
      await expect.poll(response).toContain('"nodePort"');
      expect(await response()).not.toContain('errors');

      // The subscription, over a WebSocket whose connection_init carries the tab's headers,
      // shows what another client does while it is open.
      await createPod('before');
      await run(page, 'Pods');
      await expect.poll(response).toContain('"name": "before"');
      await createPod('after');
      await expect.poll(response).toContain('"name": "after"');
      expect(await response()).toContain('"type": "ADDED"');
      expect(
        socketFrames.map((frame) => JSON.parse(frame) as { type: string; payload?: unknown }),
      ).toContainEqual({
        type: 'connection_init',
        payload: { Authorization: `Bearer ${cluster.token}` },
      });

      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'playground.png') });

      // A new tab starts with the headers too.
      await page.locator('.graphiql-tab-add').click();
      await expect.poll(() => page.locator('.graphiql-tab-button').count()).toBe(6);
      await expect.poll(() => editorText(page, 'request-headers.json')).toBe(headers);
      // So does a second window, where the README has a subscription run beside the changes.
      const second = await context.newPage();
      await second.goto(cluster.url);
      await expect.poll(() => editorText(second, 'request-headers.json'), { timeout: 60_000 }).toBe(headers);

      // Monaco's workers run from their asset URLs (a failed one falls back to the page, with a warning).
      expect(page.workers().map((w) => new URL(w.url()).pathname)).toEqual(
        expect.arrayContaining([expect.stringMatching(/^\/graphql\/assets\/graphql\.worker-.*\.js$/)]),
      );
      expect(problems).toEqual([]);

      console.log(
        `playground in Chromium: editor ready ${editorReady.toFixed(0)} ms, first answer ${firstAnswer.toFixed(0)} ms ` +
          `after navigation; by then ${loaded.files} assets, ${(loaded.raw / 1e6).toFixed(2)} MB, ` +
          `${(loaded.sent / 1e6).toFixed(2)} MB as sent`,
      );
    } finally {
      await browser.close();
    }
  }, 180_000);

  async function createPod(name: string): Promise<void> {
    await cluster.ok(
      `mutation { createPod(pod: { metadata: { name: "${name}", labels: { run: "hello" } },
        spec: { containers: [{ name: "c", image: "kubeql/busybox:stable" }] } }) { metadata { name } } }`,
    );
  }
});

/** The text of one of GraphiQL's editors, by the end of its model's name (the page exposes Monaco's API). */
function editorText(page: Page, model: string): Promise<string | undefined> {
  return page.evaluate((suffix) => {
    const { monaco } = globalThis as unknown as {
      monaco?: { editor: { getModels(): Array<{ uri: { path: string }; getValue(): string }> } };
    };
    return monaco?.editor
      .getModels()
      .find((m) => m.uri.path.endsWith(suffix))
      ?.getValue();
  }, model);
}

/** Opens the tab titled `title` and runs its operation once its editor holds it. */
async function run(page: Page, title: string): Promise<void> {
  const tab = page.locator('.graphiql-tab-button', { hasText: title });
  // The tabs slide into place at first: a click during the slide may miss, so click until it took.
  await expect
    .poll(async () => {
      await tab.click();
      return tab.locator('xpath=..').getAttribute('aria-selected');
    })
    .toBe('true');
  const operation = EXAMPLE_OPERATIONS.find((o) => o.includes(` ${title} {`));
  await expect.poll(() => editorText(page, 'operation.graphql')).toBe(operation);
  await page.locator('.graphiql-execute-button').click();
}

describe("the playground's example operations", () => {
  it("are the README's walkthrough, and valid against the schema", () => {
    const readme = fs.readFileSync('README.md', 'utf8');
    const schema = buildSchema(fs.readFileSync('schema/schema.graphql', 'utf8'));
    for (const operation of EXAMPLE_OPERATIONS) {
      expect(readme).toContain(operation);
      expect(validate(schema, parse(operation))).toEqual([]);
    }
  });
});

describe('pages for anonymous clients', () => {
  let cluster: TestCluster;
  let limited: http.Server;
  let limitedBase: string;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-pages-'));
  const authenticator = new Authenticator(dataDir);
  const token = {
    authorization: `Bearer ${fs.readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim()}`,
  };

  beforeAll(async () => {
    cluster = await startCluster();
    // The same routes with a limit small and slow enough to watch: 5 at once, then one every 2 s.
    const serve = pages({ auth: authenticator, log: () => {}, rateLimit: { burst: 5, perSecond: 0.5 } });
    limited = http.createServer((req, res) => {
      if (!serve(req, res)) res.writeHead(418).end();
    });
    await new Promise<void>((resolve) => limited.listen(0, '127.0.0.1', resolve));
    limitedBase = `http://127.0.0.1:${(limited.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await cluster?.stop();
    await new Promise((resolve) => limited?.close(resolve));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('are rate-limited per address: a flood gets its burst, then 429 with Retry-After', async () => {
    const replies = await Promise.all(Array.from({ length: 100 }, () => get(cluster.url, HTML)));
    const served = replies.filter((r) => r.status === 200).length;
    const refused = replies.filter((r) => r.status === 429);
    // The burst, and what refilled while the 100 were answered.
    expect(served).toBeGreaterThanOrEqual(PAGE_RATE_LIMIT.burst);
    expect(refused.length).toBe(100 - served);
    expect(refused.length).toBeGreaterThan(0);
    expect(Number(refused[0].headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused[0].headers['cache-control']).toBe('no-store');
    // A client with a token is not held to it.
    const withToken = { ...HTML, authorization: `Bearer ${cluster.token}` };
    const replies2 = await Promise.all(Array.from({ length: 100 }, () => get(cluster.url, withToken)));
    expect(replies2.every((r) => r.status === 200)).toBe(true);
  });

  it('share one bucket for the dashboard and the playground; a wrong token is no token', async () => {
    const dashboard = `${limitedBase}/pods/default/web`;
    const playgroundPage = `${limitedBase}/graphql`;
    const first = await Promise.all([
      ...Array.from({ length: 3 }, () => get(dashboard)),
      ...Array.from({ length: 2 }, () => get(playgroundPage, HTML)),
    ]);
    expect(first.map((r) => r.status)).not.toContain(429);
    const refused = await get(dashboard);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('2');
    expect((await get(playgroundPage, HTML)).status).toBe(429);
    expect((await get(playgroundPage, { ...HTML, authorization: 'Bearer nope' })).status).toBe(429);
    expect((await get(playgroundPage, { ...HTML, ...token })).status).toBe(200);
    expect((await get(dashboard, token)).status).not.toBe(429);
    // Not a page: left to the caller (the API, with its own limits).
    expect((await get(`${limitedBase}/graphql`, { accept: 'application/json' })).status).toBe(418);

    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await get(dashboard)).status).not.toBe(429);
  });
});

/**
 * The flood the issue reported: 100 concurrent browser GETs of /graphql, against a
 * server in a process of its own so that its RSS is its own. Before (render-graphiql's
 * 9 MB page built per request): idle 219 MB, peak 3,496 MB, p50 22.5 s.
 */
describe('a flood of playground loads', () => {
  let child: ChildProcess;
  let url: string;
  let token: string;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-flood-'));

  beforeAll(async () => {
    const kq = path.resolve('cmd/kq.ts');
    const args = [
      '--import',
      'tsx',
      kq,
      'server',
      '--port',
      '0',
      '--address',
      '127.0.0.1',
      '--data',
      dataDir,
    ];
    child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const listening = /listening on (\S+)/.exec(out);
        if (listening) resolve(listening[1]);
      });
      child.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
    });
    token = fs.readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim();
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** From /proc: VmRSS now, or VmHWM (the peak since the process started). */
  const memoryMB = (field: 'VmRSS' | 'VmHWM') =>
    Number(new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) /
    1024;

  it('keeps the server within 150 MB of its idle RSS, and fast', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const idle = memoryMB('VmRSS');
    const rows: string[] = [];
    const flood = async (label: string, target: string, headers: Record<string, string>) => {
      const started = performance.now();
      const replies = await Promise.all(Array.from({ length: 100 }, () => get(target, headers)));
      const ms = replies.map((r) => r.ms).sort((a, b) => a - b);
      const statuses = [...new Set(replies.map((r) => r.status))].sort().join('/');
      rows.push(
        `${label.padEnd(34)} ${statuses.padEnd(8)} p50 ${ms[49].toFixed(0).padStart(5)} ms  max ${ms[99].toFixed(0).padStart(5)} ms  ` +
          `wall ${(performance.now() - started).toFixed(0).padStart(5)} ms  ${replies[0].body.length} B  ` +
          `RSS ${memoryMB('VmRSS').toFixed(0)} MB (peak ${memoryMB('VmHWM').toFixed(0)})`,
      );
      return replies;
    };
    const bearer = { authorization: `Bearer ${token}` };
    const anonymous = await flood('page, anonymous, first load', url, HTML);
    expect(anonymous.some((r) => r.status === 429)).toBe(true);
    const pages = await flood('page, with a token', url, { ...HTML, ...bearer });
    expect(pages.every((r) => r.status === 200)).toBe(true);
    const script = assetsOf(pages[0].body.toString()).find((u) => /graphiql-.*\.js$/.test(u))!;
    const scripts = await flood('graphiql.js (5 MB), gzip or br', new URL(script, url).href, {
      ...bearer,
      'accept-encoding': 'gzip, br',
    });
    expect(scripts.every((r) => r.status === 200 && r.headers['content-encoding'])).toBe(true);
    await flood('page, with a token, warm', url, { ...HTML, ...bearer });

    const peak = memoryMB('VmHWM');
    console.log(
      [`playground flood: idle RSS ${idle.toFixed(0)} MB, peak ${peak.toFixed(0)} MB`, ...rows].join('\n'),
    );
    expect(peak - idle).toBeLessThan(150);
  }, 180_000);
});
