/**
 * Compression benchmark: prints figures, never passes or fails.
 *
 *   npm run bench:compression
 *
 * Two processes on one machine: the API server (this file with --serve: startServer
 * in-process, telling its CPU time when asked) and this one, the client. The client
 * lists 1,000 pods (their manifests, one page) over HTTP without compression, with gzip
 * and with Brotli, and over WebSocket without and with permessage-deflate. For each:
 * the bytes on the wire, the time to the last byte on loopback (p50), the client's time
 * to decode, what the bytes alone would take on slower links (computed), and the
 * server's CPU per response: its process' CPU time over the rounds (execution,
 * serialization, and compression on libuv's threads), divided by the rounds.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import WebSocket from 'ws';
import { startServer } from '../server/server.ts';
import { percentile, pod, postGraphQL } from './workload.ts';

const PODS = 1000;
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 30;
const WARMUP = 3;
const LIST = `{ pods(namespace: "bench", limit: ${PODS}) { items { manifest } } }`;

interface Sample {
  bytes: number;
  ms: number;
  decodeMs: number;
  /** The server process' CPU time from just before the request to just after the answer. */
  serverCpuMs: number;
}

// ---------------------------------------------------------------------------------------
// The server process.

async function serve(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-compression-'));
  const server = await startServer({ port: 0, address: '127.0.0.1', dataDir, log: () => {} });
  const token = fs.readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim();
  process.on('message', (message: { type: string }) => {
    if (message.type === 'cpu') process.send!({ type: 'cpu', usage: process.cpuUsage() });
    if (message.type === 'stop')
      void server.close().finally(() => {
        fs.rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      });
  });
  process.send!({ type: 'ready', url: server.url, token });
}

// ---------------------------------------------------------------------------------------
// The client.

const agent = new http.Agent({ keepAlive: true });

/** One POST of `query`, with `acceptEncoding` asked for if given. */
function post(url: string, token: string, query: string, acceptEncoding?: string) {
  return postGraphQL(
    agent,
    url,
    token,
    { query },
    acceptEncoding ? { 'accept-encoding': acceptEncoding } : {},
  );
}

const DECODE: Record<string, (body: Buffer) => Buffer> = {
  gzip: zlib.gunzipSync,
  br: zlib.brotliDecompressSync,
};

async function overHttp(url: string, token: string, acceptEncoding?: string): Promise<Sample> {
  const { body, encoding, ms } = await post(url, token, LIST, acceptEncoding);
  const started = performance.now();
  const json = encoding ? DECODE[encoding](body) : body;
  JSON.parse(json.toString());
  return { bytes: body.length, ms, decodeMs: performance.now() - started, serverCpuMs: 0 };
}

/** A graphql-transport-ws connection that answers one operation at a time. */
async function webSocket(url: string, token: string, perMessageDeflate: boolean) {
  const ws = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws', { perMessageDeflate });
  let socket: Socket | undefined;
  ws.on('upgrade', (res) => (socket = res.socket));
  let answer: ((text: string) => void) | undefined;
  let acknowledged: () => void = () => {};
  const ready = new Promise<void>((resolve) => (acknowledged = resolve));
  ws.on('message', (data, isBinary) => {
    const text = isBinary ? Buffer.from(data as Buffer).toString() : String(data);
    if (text.includes('"connection_ack"')) acknowledged();
    else if (text.includes('"next"')) answer?.(text);
  });
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await ready;
  let id = 0;
  return {
    async run(): Promise<Sample> {
      const before = socket!.bytesRead;
      const started = performance.now();
      const text = await new Promise<string>((resolve) => {
        answer = resolve;
        ws.send(JSON.stringify({ id: String(++id), type: 'subscribe', payload: { query: LIST } }));
      });
      const ms = performance.now() - started;
      // ws inflates before handing the message over: its decoding is inside `ms`.
      const parsing = performance.now();
      JSON.parse(text);
      return { bytes: socket!.bytesRead - before, ms, decodeMs: performance.now() - parsing, serverCpuMs: 0 };
    },
    close: () => ws.close(),
  };
}

const p50 = (samples: Sample[], key: 'bytes' | 'ms' | 'decodeMs') =>
  percentile(
    samples.map((sample) => sample[key]),
    50,
  );

function child(role: string): ChildProcess {
  return fork(fileURLToPath(import.meta.url), [role], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function nextMessage<T>(proc: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${type}: the server exited with ${code}`));
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      proc.off('message', onMessage);
      proc.off('exit', onExit);
      resolve(message as T);
    };
    proc.on('message', onMessage);
    proc.once('exit', onExit);
  });
}

/**
 * What a browser's first visit to a page costs on the wire: the page (asked for as
 * text/html) and every script, style and worker it names, fetched one after another with
 * `encoding` accepted. No token: pages are served to anyone.
 */
async function pageLoad(
  pageUrl: string,
  encoding?: string,
): Promise<{ files: number; bytes: number; ms: number }> {
  const get = (target: string, accept: string) =>
    new Promise<{ status: number; body: Buffer; encoding?: string }>((resolve, reject) => {
      const headers: Record<string, string> = {
        accept,
        ...(encoding ? { 'accept-encoding': encoding } : {}),
      };
      http
        .get(target, { headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks),
              encoding: res.headers['content-encoding'],
            }),
          );
        })
        .on('error', reject);
    });
  const started = performance.now();
  const page = await get(pageUrl, 'text/html');
  if (page.status !== 200) return { files: 0, bytes: 0, ms: 0 };
  const html = decode(page.body, page.encoding).toString();
  const assets = [...html.matchAll(/(?:src|href)="([^"]+\.(?:js|css|mjs))"/g)].map(
    (m) => new URL(m[1], pageUrl).href,
  );
  let bytes = page.body.length;
  for (const asset of new Set(assets)) bytes += (await get(asset, '*/*')).body.length;
  return { files: 1 + new Set(assets).size, bytes, ms: performance.now() - started };
}

/** A body as its Content-Encoding says it was sent, decoded. */
function decode(body: Buffer, encoding?: string): Buffer {
  if (encoding === 'br') return zlib.brotliDecompressSync(body);
  if (encoding === 'gzip') return zlib.gunzipSync(body);
  return body;
}

async function main(): Promise<void> {
  const server = child('--serve');
  const { url, token } = await nextMessage<{ url: string; token: string }>(server, 'ready');
  const cpuMs = async () => {
    const reply = nextMessage<{ usage: NodeJS.CpuUsage }>(server, 'cpu');
    server.send({ type: 'cpu' });
    const { usage } = await reply;
    return (usage.user + usage.system) / 1000;
  };

  await post(url, token, `mutation { createNamespace(namespace: { metadata: { name: "bench" } }) { kind } }`);
  for (let i = 0; i < PODS; i += 100) {
    const items = Array.from({ length: 100 }, (_, k) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      ...pod(`p-${i + k}`),
    }));
    const m = JSON.stringify(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    await post(url, token, `mutation { apply(manifests: ${m}, namespace: "bench") { kind } }`);
  }
  const raw = (await post(url, token, LIST)).body.length;

  const deflating = await webSocket(url, token, true);
  const plainSocket = await webSocket(url, token, false);
  // Each transport's uncompressed case first: the others are compared with it.
  const cases: Array<[string, () => Promise<Sample>]> = [
    ['HTTP, identity', () => overHttp(url, token)],
    ['HTTP, gzip', () => overHttp(url, token, 'gzip')],
    ['HTTP, br', () => overHttp(url, token, 'br')],
    ['WebSocket, plain', () => plainSocket.run()],
    ['WebSocket, permessage-deflate', () => deflating.run()],
  ];

  console.log(
    `kubeql compression benchmark (${os.cpus().length} cores; ${PODS} pods' manifests, ` +
      `${(raw / 2 ** 20).toFixed(2)} MiB of JSON; ${ROUNDS} rounds each)\n`,
  );
  const columns = [
    'bytes on the wire',
    'ratio',
    'last byte p50',
    'decode p50',
    'server CPU',
    '100 Mbit/s',
    '10 Mbit/s',
  ];
  console.log(`${''.padEnd(30)}${columns.map((c) => c.padStart(18)).join('')}`);
  // Round by round through the cases, so that whatever else the machine does falls on all alike.
  const samples = new Map(cases.map(([label]) => [label, [] as Sample[]]));
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    for (const [label, run] of cases) {
      const before = await cpuMs();
      const sample = await run();
      sample.serverCpuMs = (await cpuMs()) - before;
      if (round >= WARMUP) samples.get(label)!.push(sample);
    }
  }
  const results: Record<string, number> = { raw_bytes: raw };
  let plainCpu = 0;
  for (const [label] of cases) {
    const plain = /identity|plain/.test(label);
    const taken = samples.get(label)!;
    // CPU time is counted in ticks: a mean over the rounds, not a percentile.
    const cpu = taken.reduce((sum, sample) => sum + sample.serverCpuMs, 0) / taken.length;
    if (plain) plainCpu = cpu;
    const more = cpu - plainCpu;
    const bytes = p50(taken, 'bytes');
    const link = (mbits: number) => `${((bytes * 8) / (mbits * 1000)).toFixed(0)} ms`;
    const cells = [
      bytes.toLocaleString('en'),
      `${(raw / bytes).toFixed(1)}×`,
      `${p50(taken, 'ms').toFixed(1)} ms`,
      `${p50(taken, 'decodeMs').toFixed(1)} ms`,
      `${cpu.toFixed(1)} ms${plain ? '' : ` (${more >= 0 ? '+' : ''}${more.toFixed(1)})`}`,
      link(100),
      link(10),
    ];
    console.log(`${label.padEnd(30)}${cells.map((c) => c.padStart(18)).join('')}`);
    const key = label.toLowerCase().replace(/[^a-z]+/g, '_');
    results[`${key}_bytes`] = bytes;
    results[`${key}_server_cpu_ms`] = Number(cpu.toFixed(2));
  }
  console.log(
    '\nserver CPU: per response, compression included (in brackets: more than the same transport plain);' +
      ' decode: JSON.parse, after gunzip or Brotli over HTTP (ws inflates before it hands a message' +
      ' over, inside "last byte"); 100 and 10 Mbit/s: the bytes alone at that rate (computed).',
  );
  for (const [page, path] of [
    ['the playground', '/graphql'],
    ['the dashboard', '/'],
  ] as const) {
    const loads = [];
    for (const encoding of [undefined, 'gzip', 'br']) {
      // Files are compressed once, in the background, when first asked for: the second load
      // is what every later visitor gets.
      await pageLoad(new URL(path, url).href, encoding);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      loads.push(await pageLoad(new URL(path, url).href, encoding));
    }
    if (loads[0].files === 0) {
      console.log(`${page}: not served (the dashboard needs \`npm run build:web\`)`);
      continue;
    }
    console.log(
      `${page}, first load (${loads[0].files} files): ` +
        loads
          .map(
            (load, i) =>
              `${['identity', 'gzip', 'br'][i]} ${load.bytes.toLocaleString('en')} B in ${load.ms.toFixed(0)} ms`,
          )
          .join(', '),
    );
    results[`${page.replace('the ', '')}_first_load_bytes`] = loads[0].bytes;
    results[`${page.replace('the ', '')}_first_load_br_bytes`] = loads[2].bytes;
  }
  console.log(`\n${JSON.stringify(results)}`);
  deflating.close();
  plainSocket.close();
  agent.destroy();
  server.send({ type: 'stop' });
}

const role = process.argv.includes('--serve') ? serve : main;
role().catch((error) => {
  console.error(error);
  process.exit(1);
});
