import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { CA_CERT_FILE, TLS_DIR } from '../server/tls/serving-tls.ts';

/** The API server as its own process on a fresh data directory, as the benchmarks drive it. */
export interface Server {
  url: URL;
  token: string;
  /** Where it keeps its store, admin token and CA (`kq config kubeconfig --data` reads them). */
  dataDir: string;
  /** The cluster CA (PEM) clients trust the server by, when it serves TLS. */
  ca?: string;
  /** The server process: its CPU time is read from outside (/proc), not reported by itself. */
  pid: number;
  /** Keep-alive connections for `post` (trusting `ca` over TLS); ended by `stop`. */
  agent: http.Agent;
  stop(): void;
}

/** node's client for the server's scheme: `request` and `get` over HTTP or HTTPS alike. */
export function transport(server: Server): typeof http | typeof https {
  return server.url.protocol === 'https:' ? https : http;
}

/**
 * Starts `kq server` on an ephemeral port, over plain HTTP unless `tls` (which kubectl
 * needs: it sends a bearer token over TLS only). BENCH_PROFILE=<dir> writes a CPU profile
 * of the server there when it exits; BENCH_SERVER_FLAGS adds server flags, to compare a
 * setting A/B (`BENCH_SERVER_FLAGS=--audit-log-path=` runs without the audit log).
 */
export async function startServer({ tls = false }: { tls?: boolean } = {}): Promise<Server> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-bench-'));
  const profile = process.env.BENCH_PROFILE
    ? [`--cpu-prof`, `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
    : [];
  const child = spawn(
    process.execPath,
    [
      ...profile,
      '--import',
      'tsx',
      'cmd/kq.ts',
      'server',
      '--port',
      '0',
      '--address',
      '127.0.0.1',
      '--data',
      dataDir,
      ...(tls ? ['--tls'] : []),
      ...(process.env.BENCH_SERVER_FLAGS?.split(' ').filter(Boolean) ?? []),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<URL>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /listening on (\S+)/.exec(out);
      if (match) resolve(new URL(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const token = fs.readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim();
  const ca = tls ? fs.readFileSync(path.join(dataDir, TLS_DIR, CA_CERT_FILE), 'utf8') : undefined;
  const agent = tls
    ? new https.Agent({ keepAlive: true, maxSockets: 256, ca })
    : new http.Agent({ keepAlive: true, maxSockets: 256 });
  return {
    url,
    token,
    dataDir,
    ca,
    pid: child.pid!,
    agent,
    stop: () => {
      child.kill('SIGTERM');
      agent.destroy();
    },
  };
}

/** Posts one operation; resolves with its `data`, typed as the caller says the query selects. */
export function post<Data = unknown>(
  server: Server,
  query: string,
  variables?: Record<string, unknown>,
): Promise<Data> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = transport(server).request(
      server.url,
      {
        method: 'POST',
        agent: server.agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${server.token}`,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => {
          const result = JSON.parse(text) as { data: Data; errors?: unknown[] };
          if (result.errors) reject(new Error(JSON.stringify(result.errors[0])));
          else resolve(result.data);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The server's /metrics text (Prometheus' format). */
export function metricsText(server: Server): Promise<string> {
  return new Promise((resolve, reject) =>
    transport(server)
      .get(
        new URL('/metrics', server.url),
        { agent: server.agent, headers: { authorization: `Bearer ${server.token}` } },
        (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve(text));
        },
      )
      .on('error', reject),
  );
}

/** One metric's value from /metrics text; NaN when it is missing. */
export function metricValue(metrics: string, name: string): number {
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
}
