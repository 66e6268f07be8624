import { createClient, inProcessTransport, messageOf, type KubeqlClient } from '../client/index.ts';
import { currentSchema } from '../server/graphql/live-schema.ts';
import type { Principal } from '../server/graphql/builder.ts';
import { startServer, type RunningServer, type ServerOptions } from '../server/server.ts';
import type { ControllerFactory, ControllerOptions } from '../agent/controllers/controller.ts';
import { ALL_CONTROLLERS } from '../agent/controllers/index.ts';
import { SharedInformers } from '../agent/informers.ts';
import { startControllers, type ControllerManager } from '../agent/controllers/manager.ts';
import path from 'node:path';
import { startDockerNode, type DockerNode, type DockerNodeOptions } from '../agent/node/docker-node.ts';
import { isRuntimeName, RUNTIMES, type RuntimeName } from '../agent/node/runtime/index.ts';
import {
  hollowNodeAddressing,
  startHollowNode,
  type HollowNode,
  type HollowNodeOptions,
} from '../agent/node/hollow.ts';
import { SharedNodeSources } from '../agent/node/node-sources.ts';
import { ConfigSources } from '../agent/node/config-sources.ts';
import { ReferenceCheckEnvironment } from '../agent/node/reference-check-environment.ts';
import { startScheduler, type Scheduler, type SchedulerOptions } from '../agent/scheduler/scheduler.ts';

export interface LocalClusterOptions {
  /** 0 picks a free port. */
  port: number;
  address?: string;
  dataDir: string;
  databaseUrl?: string;
  /** How many nodes to start (3). */
  nodes?: number;
  runtime?: RuntimeName;
  controllerOptions?: Partial<ControllerOptions>;
  /** The controllers to run (all of them). */
  controllers?: ControllerFactory[];
  schedulerOptions?: Partial<SchedulerOptions>;
  nodeOptions?: HollowNodeOptions;
  /** For nodes over Docker (their data directories default to `<dataDir>/nodes/<name>`). */
  dockerNodeOptions?: Partial<DockerNodeOptions>;
  /** Passed to the API server (limits, retention...). */
  serverOptions?: Partial<ServerOptions>;
  log?: (line: string) => void;
}

export interface LocalCluster {
  server: RunningServer;
  /** An in-process client, as the cluster's own components use (admin). */
  client: KubeqlClient;
  controllers: ControllerManager;
  scheduler: Scheduler;
  /** The hollow nodes (simulated runtime). */
  nodes: HollowNode[];
  /** The nodes over the local Docker engine (docker runtime). */
  dockerNodes: DockerNode[];
  /** Starts one more hollow node (named hollow-<n> unless named). */
  addNode(options?: HollowNodeOptions & { name?: string }): Promise<HollowNode>;
  /** Starts one more node over Docker (named node-<n> unless named). */
  addDockerNode(options?: Partial<DockerNodeOptions> & { name?: string }): Promise<DockerNode>;
  /** Stops everything, nodes first, the API server last. */
  stop(): Promise<void>;
}

/** The identity of the cluster's own components unless told otherwise. */
const ADMIN: Principal = { name: 'admin', groups: ['system:masters'] };

/**
 * An in-process client of a running server: no socket, no serialization. As the admin unless
 * given another `principal` (a node's, `system:node:<name>`), whose reads and writes are then
 * authorized and admitted as over the network.
 */
export function inProcessClient(
  server: Pick<RunningServer, 'resources' | 'access'>,
  principal: Principal = ADMIN,
): KubeqlClient {
  const resources = server.access.resourcesFor(principal, server.resources);
  // The schema of the moment: custom resources come and go while the cluster runs.
  const transport = inProcessTransport.fromSchema(currentSchema, () => ({
    principal,
    resources,
    access: server.access,
  }));
  return createClient({ transport });
}

/**
 * A whole cluster in one process: the API server, the controllers, the scheduler and
 * `nodes` node agents (hollow, or over the local Docker engine), the components talking to the server
 * through the in-process transport. The one place that wires the server to the agents.
 */
export async function startLocalCluster(options: LocalClusterOptions): Promise<LocalCluster> {
  const log = options.log ?? ((line: string) => console.error(line));
  const runtime = options.runtime ?? 'simulated';
  if (!isRuntimeName(runtime)) throw new Error(`unknown runtime "${runtime}" (have: ${RUNTIMES.join(', ')})`);
  const server = await startServer({
    ...options.serverOptions,
    port: options.port,
    address: options.address,
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
    log,
  });
  const client = inProcessClient(server);
  // One informer per kind for the controllers and the scheduler, as one process can: one
  // Pod cache and one Pod watch instead of two.
  const informers = new SharedInformers(client, (error) => log(`informer: ${messageOf(error)}`));
  const controllers = startControllers(client, options.controllers ?? ALL_CONTROLLERS, {
    ...options.controllerOptions,
    log,
    informers,
  });
  const scheduler = startScheduler(client, { log, ...options.schedulerOptions, informers });
  // Hollow nodes read the Pods and Nodes of those informers too: 1,000 nodes, not 2,000 more watches and caches.
  const nodeSources = new SharedNodeSources(informers, (error) => log(`node informer: ${messageOf(error)}`));
  // And the ConfigMaps and Secrets their pods name, checked before a start as a real node does
  // (informers made with the first hollow node: a Docker cluster's nodes keep their own).
  let configSources: ConfigSources | undefined;
  const nodes: HollowNode[] = [];
  let nextIndex = 0;
  const addNode = async (extra: HollowNodeOptions & { name?: string } = {}) => {
    const index = nextIndex++;
    configSources ??= new ConfigSources(
      { informers },
      { onError: (error) => log(`config informer: ${messageOf(error)}`) },
    );
    const { name = `hollow-${index + 1}`, ...nodeOptions } = { ...options.nodeOptions, ...extra };
    const node = await startHollowNode(client, name, {
      log,
      sources: nodeSources,
      environment: new ReferenceCheckEnvironment(configSources),
      ...hollowNodeAddressing(index),
      ...nodeOptions,
    });
    nodes.push(node);
    return node;
  };
  const dockerNodes: DockerNode[] = [];
  const addDockerNode = async (extra: Partial<DockerNodeOptions> & { name?: string } = {}) => {
    const { name = `node-${dockerNodes.length + 1}`, ...nodeOptions } = {
      ...options.dockerNodeOptions,
      ...extra,
    };
    const node = await startDockerNode(client, name, {
      log,
      dataDir: path.join(options.dataDir, 'nodes', name),
      ...nodeOptions,
    });
    dockerNodes.push(node);
    return node;
  };
  const stop = async () => {
    await Promise.all([...nodes, ...dockerNodes].map((node) => node.stop()));
    await scheduler.stop();
    await controllers.stop();
    await informers.stop();
    await client.close();
    await server.close();
  };
  try {
    await Promise.all([controllers.synced, scheduler.synced]);
    const count = options.nodes ?? (runtime === 'docker' ? 1 : 3);
    for (let i = 0; i < count; i++) await (runtime === 'docker' ? addDockerNode() : addNode());
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
  return { server, client, controllers, scheduler, nodes, dockerNodes, addNode, addDockerNode, stop };
}
