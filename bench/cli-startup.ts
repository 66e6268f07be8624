import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { kubectlFor, type Cli } from './rest-clis.ts';
import { startServer } from './server-process.ts';
import { pod } from './workload.ts';

/**
 * How long kq takes to start, as a person runs it (bin/kq.mjs, the build the setup step
 * makes), beside kubectl: the median and p90 of RUNS runs of each command, spawn to exit,
 * one after the other. `get pods` asks an API server in its own process (over TLS, which
 * kubectl needs to send a token) holding a few pods.
 *
 *   npm run bench:cli              # BENCH_RUNS=20
 *
 * On a shared machine the figures move with its load: compare rows of one run.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const PODS = 10;

function timed(command: string, prefix: string[], env: NodeJS.ProcessEnv): Cli {
  return (args) =>
    new Promise((resolve) => {
      const started = performance.now();
      execFile(command, [...prefix, ...args], { env, cwd: os.tmpdir() }, (error, stdout, stderr) =>
        resolve({
          ms: performance.now() - started,
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        }),
      );
    });
}

/** kq with a config of one context, the server's, in a HOME of its own. */
function kqWithContext(url: string, token: string, ca: string | undefined): Cli {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-bench-kq-'));
  const config = path.join(home, '.config', 'kubeql', 'config.json');
  fs.mkdirSync(path.dirname(config), { recursive: true });
  const context = {
    server: url,
    token,
    ...(ca ? { 'certificate-authority-data': Buffer.from(ca).toString('base64') } : {}),
  };
  fs.writeFileSync(config, JSON.stringify({ 'current-context': 'bench', contexts: { bench: context } }));
  const env = { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') };
  return timed(process.execPath, [path.join(ROOT, 'bin', 'kq.mjs')], env);
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

interface Row {
  label: string;
  median: number;
  p90: number;
}

async function measure(label: string, cli: Cli, args: string[]): Promise<Row> {
  const first = await cli(args);
  if (first.code !== 0) throw new Error(`${label} failed (${first.code}): ${first.stderr}`);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push((await cli(args)).ms);
  times.sort((a, b) => a - b);
  const row = { label, median: percentile(times, 50), p90: percentile(times, 90) };
  console.log(`${label.padEnd(28)} ${row.median.toFixed(0).padStart(6)} ${row.p90.toFixed(0).padStart(6)}`);
  return row;
}

execFileSync(process.execPath, ['scripts/build-kq.mjs', '--if-stale'], { cwd: ROOT, stdio: 'inherit' });
const server = await startServer({ tls: true });
try {
  const kq = kqWithContext(server.url.href, server.token, server.ca);
  const manifests = Array.from({ length: PODS }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    ...pod(`startup-${i}`),
  }));
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-bench-pods-')), 'pods.yaml');
  fs.writeFileSync(file, manifests.map((manifest) => stringify(manifest)).join('---\n'));
  const applied = await kq(['apply', '-f', file]);
  if (applied.code !== 0) throw new Error(`kq apply failed: ${applied.stderr}`);

  const node = timed(process.execPath, [], {});
  console.log(`${PODS} pods; ${RUNS} runs each; ms, spawn to exit, on ${os.cpus().length} cores\n`);
  console.log(`${'command'.padEnd(28)} ${'median'.padStart(6)} ${'p90'.padStart(6)}`);
  const floor = await measure('node -e 0 (the floor)', node, ['-e', '0']);
  const help = await measure('kq --help', kq, ['--help']);
  const version = await measure('kq version --client', kq, ['version', '--client']);
  const get = await measure('kq get pods', kq, ['get', 'pods']);
  const kubectl = await kubectlFor(server);
  if (kubectl) {
    const kubectlVersion = await measure('kubectl version --client', kubectl, ['version', '--client']);
    const kubectlGet = await measure('kubectl get pods', kubectl, ['get', 'pods']);
    const ratio = (a: Row, b: Row) =>
      `${(a.median / b.median).toFixed(2)}× (p90 ${(a.p90 / b.p90).toFixed(2)}×)`;
    console.log(`\nkq version --client / kubectl version --client: ${ratio(version, kubectlVersion)}`);
    console.log(`kq get pods / kubectl get pods:                 ${ratio(get, kubectlGet)}`);
  }
  console.log(
    `kq --help above node's own start:                ${(help.median - floor.median).toFixed(0)} ms`,
  );
  console.log(
    `kq get pods above node's own start:              ${(get.median - floor.median).toFixed(0)} ms`,
  );
} finally {
  server.stop();
}
