import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { startLocalCluster, type LocalCluster, type LocalClusterOptions } from '../../cmd/cluster.ts';
import type { DockerNode, DockerNodeOptions } from '../../agent/node/docker-node.ts';
import { ensureImages } from '../../agent/node/images.ts';
import { removeNodeResources } from '../../agent/node/runtime/docker-cleanup.ts';
import { createClient, resourceWriter, type KubeqlClient, type ResourceWriter } from '../../client/index.ts';

export interface DockerClusterOptions {
  /** How many Docker-backed nodes (1). */
  nodes?: number;
  nodeOptions?: Partial<DockerNodeOptions>;
  controllerOptions?: LocalClusterOptions['controllerOptions'];
  /** Passed to the API server (e.g. `tls: { serve: true }`, which kubectl needs to send its token). */
  serverOptions?: LocalClusterOptions['serverOptions'];
  log?: (line: string) => void;
}

export interface DockerCluster {
  url: string;
  token: string;
  /** The API server's data directory (its admin token and cluster CA, for a kubeconfig). */
  dataDir: string;
  /** A client over HTTP and WebSocket, as users have: what tests act and observe through. */
  client: KubeqlClient;
  writer: ResourceWriter;
  cluster: LocalCluster;
  nodes: DockerNode[];
  docker: Docker;
  /** Starts one more node (names are unique per cluster, so parallel test files never share one). */
  addNode(options?: Partial<DockerNodeOptions>): Promise<DockerNode>;
  stop(): Promise<void>;
}

/**
 * A cluster whose nodes run real containers on the local Docker engine (CI installs and
 * starts it): API server on a free port, controllers and scheduler in this process, and
 * node agents with their pod networks, service proxies and DNS servers. Node names carry
 * a random suffix; `stop` removes every container, network and iptables rule of those
 * nodes (a node's own clean stop leaves its running pods and, while they run, their network).
 */
export async function startDockerCluster(options: DockerClusterOptions = {}): Promise<DockerCluster> {
  const docker = new Docker();
  try {
    await docker.ping();
  } catch {
    throw new Error('the Docker engine does not answer: run scripts/docker-engine.sh (npm test does)');
  }
  await ensureImages(docker);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-docker-'));
  const log = options.log ?? (process.env.KUBEQL_TEST_LOG ? (line: string) => console.error(line) : () => {});
  const suffix = crypto.randomBytes(2).toString('hex');
  let count = 0;
  const cluster = await startLocalCluster({
    port: 0,
    address: '127.0.0.1',
    dataDir,
    nodes: 0,
    runtime: 'docker',
    controllerOptions: options.controllerOptions,
    serverOptions: options.serverOptions,
    dockerNodeOptions: { leaseRenewIntervalMs: 2000, ...options.nodeOptions },
    log,
  });
  const token = fs.readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim();
  const client = createClient({ url: cluster.server.url, token, ca: cluster.server.ca });
  const addNode = (extra: Partial<DockerNodeOptions> = {}) =>
    cluster.addDockerNode({ name: `e2e-${suffix}-${++count}`, ...extra });
  try {
    for (let i = 0; i < (options.nodes ?? 1); i++) await addNode();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return {
    url: cluster.server.url,
    token,
    dataDir,
    client,
    writer: resourceWriter(client),
    cluster,
    nodes: cluster.dockerNodes,
    docker,
    addNode,
    async stop() {
      await client.close();
      await cluster.stop();
      await removeNodeResources(docker, (name) => name.startsWith(`e2e-${suffix}-`));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** One HTTP GET with a fresh connection; the body, or the error as a string starting with "error:". */
export async function httpGet(url: string, timeoutMs = 3000): Promise<{ ok: boolean; body: string }> {
  try {
    const response = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { connection: 'close' },
    });
    return { ok: response.ok, body: await response.text() };
  } catch (error) {
    return {
      ok: false,
      body: `error: ${error instanceof Error ? (error.cause ?? error.message) : String(error)}`,
    };
  }
}

/** What `execPod` answers: a one-shot command's output and exit code. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs `command` in a pod's container (its first when none is named) through the API, as `kq exec` does. */
export async function execIn(
  client: KubeqlClient,
  namespace: string,
  pod: string,
  command: string[],
  container?: string,
): Promise<ExecResult> {
  const data = await client.request<{ execPod: ExecResult }>(
    `mutation($ns: String!, $pod: String!, $c: String, $cmd: [String!]!) {
      execPod(namespace: $ns, name: $pod, container: $c, command: $cmd) { stdout stderr exitCode } }`,
    { ns: namespace, pod, c: container, cmd: command },
  );
  return data.execPod;
}
