import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { Server } from './server-process.ts';
import { pod } from './workload.ts';

/**
 * The two command-line clients as a person runs them, each timed from spawn to exit:
 * kubectl (over the REST API) and kq (over GraphQL), with a private HOME each so
 * nothing of the machine's config is read.
 */

const KQ = fileURLToPath(new URL('../bin/kq.mjs', import.meta.url));

export interface CliRun {
  ms: number;
  code: number;
  stdout: string;
  stderr: string;
}

export type Cli = (args: string[]) => Promise<CliRun>;

function timed(command: string, prefix: string[], env: NodeJS.ProcessEnv): Cli {
  return (args) =>
    new Promise((resolve) => {
      const started = performance.now();
      execFile(
        command,
        [...prefix, ...args],
        { env, maxBuffer: 256 * 1024 * 1024, timeout: 300_000 },
        (error, stdout, stderr) =>
          resolve({
            ms: performance.now() - started,
            code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
            stdout,
            stderr,
          }),
      );
    });
}

function privateHome(name: string) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `kubeql-bench-${name}-`));
  return { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') };
}

/** `kq ARGS` against `server`: its URL and token from the environment, the cluster CA by flag. */
export function kqFor(server: Server): Cli {
  const env = { ...privateHome('kq'), KQ_SERVER: server.url.href, KQ_TOKEN: server.token };
  const caFile = path.join(env.HOME, 'ca.crt');
  fs.writeFileSync(caFile, server.ca ?? '');
  const run = timed(process.execPath, [KQ], env);
  return (args) => run([...args, ...(server.ca ? ['--certificate-authority', caFile] : [])]);
}

/** The kubectl on the PATH, or undefined. */
function kubectlOnPath(): string | undefined {
  try {
    return execFileSync('which', ['kubectl'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * `kubectl ARGS` against `server` through the kubeconfig `kq config kubeconfig` prints for
 * it (the cluster CA and the admin token, read from its data directory); undefined, said
 * loudly, when no kubectl is on the PATH.
 */
export async function kubectlFor(server: Server): Promise<Cli | undefined> {
  const binary = kubectlOnPath();
  if (!binary) {
    console.warn('\n!!! kubectl NOT FOUND on the PATH: the kubectl rows are SKIPPED !!!\n');
    return undefined;
  }
  const env = privateHome('kubectl');
  const printed = await timed(
    process.execPath,
    ['--import', 'tsx', KQ],
    env,
  )(['config', 'kubeconfig', '--server', server.url.origin, '--data', server.dataDir]);
  if (printed.code !== 0) throw new Error(`kq config kubeconfig failed: ${printed.stderr}`);
  const kubeconfig = path.join(env.HOME, 'kubeconfig');
  fs.writeFileSync(kubeconfig, printed.stdout, { mode: 0o600 });
  return timed(binary, [], { ...env, KUBECONFIG: kubeconfig });
}

/** A directory of `count` manifests, one a file: ConfigMaps and Deployments in turn. */
export function manifestDirectory(count: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-bench-manifests-'));
  for (let i = 0; i < count; i++) {
    const name = `app-${String(i).padStart(3, '0')}`;
    const manifest = i % 2 === 0 ? configMap(name) : deployment(name);
    fs.writeFileSync(path.join(dir, `${name}.yaml`), stringify(manifest));
  }
  return dir;
}

function configMap(name: string) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, labels: { app: name } },
    data: { LOG_LEVEL: 'info', WORKERS: '4', 'app.properties': 'greeting=hello\ntimeout=30s\n' },
  };
}

function deployment(name: string) {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: pod(name).spec },
    },
  };
}
