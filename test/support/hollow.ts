import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resourceWriter, type KubeqlClient, type ResourceWriter } from '../../client/index.ts';
import { startLocalCluster, type LocalCluster, type LocalClusterOptions } from '../../cmd/cluster.ts';
import { rootCaPublisher } from '../../agent/controllers/root-ca-publisher.ts';
import type { HollowNode, HollowNodeOptions } from '../../agent/node/hollow.ts';

export interface HollowClusterOptions {
  /** How many hollow nodes (3). */
  nodes?: number;
  nodeOptions?: HollowNodeOptions;
  controllerOptions?: LocalClusterOptions['controllerOptions'];
  /**
   * Default: every controller. The root CA publisher runs with any other choice: every pod's
   * API access volume needs its namespace's kube-root-ca.crt, as in any cluster.
   */
  controllers?: LocalClusterOptions['controllers'];
  schedulerOptions?: LocalClusterOptions['schedulerOptions'];
  /** Passed to the API server (e.g. webDir, the dashboard build it serves). */
  serverOptions?: LocalClusterOptions['serverOptions'];
  /** Where the component logs go (dropped by default; KUBEQL_TEST_LOG=1 prints them). */
  log?: (line: string) => void;
}

export interface HollowCluster {
  url: string;
  token: string;
  dataDir: string;
  /** The in-process admin client the cluster's components use too. */
  client: KubeqlClient;
  writer: ResourceWriter;
  nodes: HollowNode[];
  cluster: LocalCluster;
  addNode: LocalCluster['addNode'];
  stop(): Promise<void>;
}

/**
 * A whole cluster in the test process (cmd/cluster.ts): API server on a free port
 * over a fresh data directory, controllers, scheduler and hollow nodes (simulated
 * runtime). Node agents renew their leases every 10 s unless nodeOptions says otherwise.
 */
export async function startHollowCluster(options: HollowClusterOptions = {}): Promise<HollowCluster> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-hollow-'));
  const log = options.log ?? (process.env.KUBEQL_TEST_LOG ? (line: string) => console.error(line) : () => {});
  const cluster = await startLocalCluster({
    port: 0,
    address: '127.0.0.1',
    dataDir,
    nodes: options.nodes ?? 3,
    nodeOptions: options.nodeOptions,
    controllerOptions: options.controllerOptions,
    controllers: options.controllers && [...options.controllers, rootCaPublisher],
    schedulerOptions: options.schedulerOptions,
    serverOptions: options.serverOptions,
    log,
  });
  const token = fs.readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim();
  return {
    url: cluster.server.url,
    token,
    dataDir,
    client: cluster.client,
    writer: resourceWriter(cluster.client),
    nodes: cluster.nodes,
    cluster,
    addNode: cluster.addNode,
    async stop() {
      await cluster.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
