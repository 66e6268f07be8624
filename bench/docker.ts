/**
 * The node agent on Docker against Docker Swarm on the same engine: prints figures,
 * never passes or fails.
 *
 *   npm run bench:docker                  (N=20: start 20, scale to 40, update 40, self-heal)
 *   npm run bench:docker -- --n 10 --startup 40 --no-swarm
 *
 * kubeql's side: the API server, controllers and scheduler in this process, the node
 * agent in a process of its own (`kq agent`, so its RSS is its own), pods watched over
 * the API. The flows mirror the shared swarm-baseline.sh, which runs right after on the
 * same engine with the same images (local/busybox:v1/v2, built by that script) and the
 * same command: start N replicas, scale to 2N, a rolling image update of 2N (Kubernetes'
 * default 25 %/25 %), self-heal after `docker kill` of one container. Then pod startup
 * latency (created → Running seen through a watch) for an image already present, one
 * pod at a time.
 *
 * Targets: every flow ≤ 0.5× Swarm's time; startup p99 ≤ 1.5 s; self-heal ≤ 1 s; agent
 * RSS ≤ 100 MB with 40 pods.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { startLocalCluster } from '../cmd/cluster.ts';
import { ensureDockerEngine } from '../agent/node/docker-engine.ts';
import { removeNodeResources } from '../agent/node/runtime/docker-cleanup.ts';
import { LABEL } from '../agent/node/runtime/docker-labels.ts';
import type { PodObject } from '../agent/objects.ts';
import { createClient, resourceWriter, type KubeqlClient } from '../client/index.ts';

const { values: flags } = parseArgs({
  options: {
    n: { type: 'string', default: '20' },
    startup: { type: 'string', default: '30' },
    'no-swarm': { type: 'boolean', default: false },
    'swarm-script': { type: 'string' },
  },
});
const N = Number(flags.n);
const STARTUP_SAMPLES = Number(flags.startup);
const REPO = fileURLToPath(new URL('..', import.meta.url));
const SWARM_SCRIPT = flags['swarm-script'] ?? path.join(REPO, '..', 'shared', 'bench', 'swarm-baseline.sh');
const COMMAND = ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'];
const NODE = 'bench-node';
const ns = 'default';

const seconds = (ms: number) => Number((ms / 1000).toFixed(3));
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];

/** local/busybox:v1 and v2, as swarm-baseline.sh builds them (for kubeql's runs before Swarm's). */
function buildBaselineImages(): void {
  for (const tag of ['v1', 'v2']) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-bench-image-'));
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.copyFileSync('/bin/busybox', path.join(dir, 'bin', 'busybox'));
    fs.chmodSync(path.join(dir, 'bin', 'busybox'), 0o755);
    for (const applet of ['sh', 'sleep', 'echo', 'cat', 'hostname', 'httpd', 'wget']) {
      fs.symlinkSync('busybox', path.join(dir, 'bin', applet));
    }
    fs.writeFileSync(path.join(dir, 'VERSION'), `${tag}\n`);
    execFileSync('sh', ['-c', `tar -C "${dir}" -c . | docker import - local/busybox:${tag} >/dev/null`]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** Resolves once `ready(pods)` holds for the pods of app=bench, re-checking on every pod event. */
async function until(client: KubeqlClient, ready: (pods: PodObject[]) => boolean): Promise<void> {
  const pods = new Map<string, PodObject>();
  const watch = client.watch<PodObject>('Pod', {
    namespace: ns,
    labelSelector: 'app=bench',
    sendInitialEvents: true,
  });
  try {
    for await (const event of watch) {
      if (event.type === 'BOOKMARK') {
        if (ready([...pods.values()])) return;
        continue;
      }
      if (event.type === 'DELETED') pods.delete(event.object.metadata.name!);
      else pods.set(event.object.metadata.name!, event.object);
      if (ready([...pods.values()])) return;
    }
  } finally {
    await watch.return();
  }
}

const running = (pods: PodObject[], count: number, image?: string) =>
  pods.filter(
    (p) =>
      !p.metadata.deletionTimestamp &&
      p.status?.phase === 'Running' &&
      p.status.containerStatuses?.every((s) => s.ready) &&
      (!image || p.spec?.containers[0].image === image),
  ).length >= count;

async function kubeqlFlows(): Promise<Record<string, number>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-bench-docker-'));
  const cluster = await startLocalCluster({
    port: 0,
    address: '127.0.0.1',
    dataDir,
    nodes: 0,
    runtime: 'docker',
    log: () => {},
  });
  const token = fs.readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim();
  // The compiled agent (npm run build:agent), as a node runs it: plain JavaScript.
  execFileSync('npm', ['run', '-s', 'build:agent'], { cwd: REPO, stdio: 'inherit' });
  const agent = spawn(
    process.execPath,
    [
      path.join(REPO, 'dist/agent/kq-agent.mjs'),
      '--server',
      cluster.server.url,
      '--token',
      token,
      '--name',
      NODE,
      '--root-dir',
      path.join(dataDir, 'node'),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const client = createClient({ url: cluster.server.url, token });
  const writer = resourceWriter(client);
  const results: Record<string, number> = {};
  try {
    while (!(await client.get('Node', NODE))) await new Promise((r) => setTimeout(r, 100));
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'bench', namespace: ns },
      spec: {
        replicas: N,
        selector: { matchLabels: { app: 'bench' } },
        template: {
          metadata: { labels: { app: 'bench' } },
          spec: {
            terminationGracePeriodSeconds: 5,
            containers: [{ name: 'app', image: 'local/busybox:v1', command: COMMAND }],
          },
        },
      },
    };
    let t0 = Date.now();
    await writer.create(deployment);
    await until(client, (pods) => running(pods, N));
    results[`create_${N}_s`] = seconds(Date.now() - t0);

    t0 = Date.now();
    await writer.patch('Deployment', 'bench', ns, { spec: { replicas: 2 * N } });
    await until(client, (pods) => running(pods, 2 * N));
    results[`scale_to_${2 * N}_s`] = seconds(Date.now() - t0);
    results[`agent_rss_${2 * N}_pods_mb`] = Math.round(rssOf(agent.pid!));

    t0 = Date.now();
    await client.request(
      `mutation { setImage(kind: Deployment, namespace: "${ns}", name: "bench", images: [{ container: "app", image: "local/busybox:v2" }]) { kind } }`,
    );
    await until(
      client,
      (pods) =>
        running(pods, 2 * N, 'local/busybox:v2') &&
        pods.filter((p) => !p.metadata.deletionTimestamp).length === 2 * N,
    );
    results[`rolling_update_${2 * N}_s`] = seconds(Date.now() - t0);

    const docker = new Docker();
    const [victim] = await docker.listContainers({
      filters: { label: [`${LABEL.node}=${NODE}`, `${LABEL.type}=container`], status: ['running'] },
    });
    const restartsBefore = (pods: PodObject[]) =>
      pods.reduce((sum, p) => sum + (p.status?.containerStatuses?.[0].restartCount ?? 0), 0);
    const before = restartsBefore(
      (await client.listAll<PodObject>('Pod', { namespace: ns, labelSelector: 'app=bench' })).items,
    );
    t0 = Date.now();
    await docker.getContainer(victim.Id).kill();
    await until(client, (pods) => restartsBefore(pods) > before && running(pods, 2 * N));
    results.self_heal_s = seconds(Date.now() - t0);

    await writer.delete('Deployment', 'bench', ns);
    // Startup is measured on a quiet node: the 40 pods above are gone first.
    await until(client, (pods) => pods.length === 0);
    const latencies: number[] = [];
    for (let i = 0; i < STARTUP_SAMPLES; i++) {
      const name = `startup-${i}`;
      const start = Date.now();
      await writer.create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: ns, labels: { app: 'startup' } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'app', image: 'local/busybox:v1', command: COMMAND }],
        },
      });
      const watch = client.watch<PodObject>('Pod', {
        namespace: ns,
        fieldSelector: `metadata.name=${name}`,
        sendInitialEvents: true,
      });
      for await (const event of watch) {
        if (event.type !== 'BOOKMARK' && event.object.status?.phase === 'Running') break;
      }
      await watch.return();
      latencies.push(Date.now() - start);
      await writer.delete('Pod', name, ns);
    }
    latencies.sort((a, b) => a - b);
    results.startup_p50_s = seconds(percentile(latencies, 0.5));
    results.startup_p99_s = seconds(percentile(latencies, 0.99));
  } finally {
    agent.kill('SIGTERM');
    await new Promise((resolve) => agent.once('exit', resolve));
    await client.close();
    await cluster.stop();
    await removeNodeResources(new Docker(), (name) => name === NODE);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return results;
}

function swarmFlows(): Record<string, number> {
  const output = execFileSync('bash', [SWARM_SCRIPT], {
    env: { ...process.env, N: String(N) },
    encoding: 'utf8',
  });
  const results: Record<string, number> = {};
  for (const line of output.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined) results[key] = Number(value);
  }
  return results;
}

await ensureDockerEngine((line) => console.error(line));
buildBaselineImages();
const kubeql = await kubeqlFlows();
const swarm = flags['no-swarm'] || !fs.existsSync(SWARM_SCRIPT) ? {} : swarmFlows();
const pairs: Array<[string, string, string]> = [
  [`start ${N} replicas`, `create_${N}_s`, `swarm_create_${N}_s`],
  [`scale to ${2 * N}`, `scale_to_${2 * N}_s`, `swarm_scale_to_${2 * N}_s`],
  [`rolling update of ${2 * N}`, `rolling_update_${2 * N}_s`, `swarm_rolling_update_${2 * N}_s`],
  ['self-heal after docker kill', 'self_heal_s', 'swarm_self_heal_s'],
];
console.log(`\nflow                          kubeql (s)   swarm (s)   ratio   (target ratio <= 0.5)`);
for (const [label, ours, theirs] of pairs) {
  const ratio = swarm[theirs] ? (kubeql[ours] / swarm[theirs]).toFixed(2) : '-';
  const theirTime = swarm[theirs] === undefined ? '-' : swarm[theirs].toFixed(2);
  console.log(
    `${label.padEnd(30)}${kubeql[ours].toFixed(2).padStart(10)}${theirTime.padStart(12)}${ratio.padStart(8)}`,
  );
}
console.log(
  `\npod startup (created -> Running via watch), ${STARTUP_SAMPLES} pods one at a time: p50 ${kubeql.startup_p50_s} s, p99 ${kubeql.startup_p99_s} s (target p99 <= 1.5 s)`,
);
console.log(`self-heal: ${kubeql.self_heal_s} s (target <= 1 s)`);
console.log(
  `agent RSS with ${2 * N} pods (compiled agent): ${kubeql[`agent_rss_${2 * N}_pods_mb`]} MB (target <= 100 MB)`,
);
if (swarm[`raw_docker_run_${N}_sequential_s`])
  console.log(`raw docker run x${N}, sequential: ${swarm[`raw_docker_run_${N}_sequential_s`]} s`);
