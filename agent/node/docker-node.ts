import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import type { KubeqlClient } from '../../client/index.ts';
import { INGRESS_READY_LABEL } from '../ingress/ingress-class.ts';
import { IngressProxy } from '../ingress/ingress-proxy.ts';
import { NodeAgent, type NodeAgentOptions } from './agent.ts';
import { ApiPodEnvironment } from './api-pod-environment.ts';
import { ClusterDns } from './dns/cluster-dns.ts';
import { hostAddress, hostCapacity } from './host.ts';
import { PolicyEnforcer } from './network-policy/policy-enforcer.ts';
import { ServiceProxy } from './proxy/service-proxy.ts';
import { DockerRuntime } from './runtime/docker.ts';
import { releaseNodeNetwork } from './runtime/docker-cleanup.ts';
import type { PodNetwork } from './runtime/docker-network.ts';

export type DockerNodeOptions = Partial<Omit<NodeAgentOptions, 'name' | 'runtime' | 'environment'>> & {
  /** Where pod volumes live on the host (the engine must see the same paths). */
  dataDir: string;
  /** The engine (default: the local socket, or DOCKER_HOST). */
  docker?: Docker;
  clusterDomain?: string;
  /**
   * The ports of the node's ingress proxy (agent/ingress): HTTP, and HTTPS for Ingresses
   * with `tls`; 0 picks a free port. Without it the node runs no ingress proxy.
   */
  ingress?: { httpPort: number; httpsPort?: number };
};

/** A node agent over the local Docker engine, with its service proxy and cluster DNS. */
export interface DockerNode {
  readonly name: string;
  readonly runtime: DockerRuntime;
  readonly network: PodNetwork;
  /** The ingress proxy, when the node runs one (its `ports` are the ones it listens on). */
  readonly ingress?: IngressProxy;
  /** The running agent (a new one after `restart`). */
  readonly agent: NodeAgent;
  /** Stops the agent and starts a new one over the same engine: it adopts the running containers. */
  restart(): Promise<void>;
  /**
   * Stops the agent, the proxy and the NetworkPolicy enforcer (removing their iptables
   * chains and jumps) and the DNS server;
   * containers keep running, for the next agent. Removes the pod network once no
   * container uses it (it stays while they run), and the machine's pod-to-pod rules
   * once no pod network is left.
   */
  stop(): Promise<void>;
}

/**
 * Starts everything one machine contributes to the cluster as a node: the pod network
 * (a bridge on the node's podCIDR), the node agent over Docker, the service proxy
 * (ClusterIP and NodePort traffic), NetworkPolicy enforcement and the DNS server pods
 * resolve through. Only outbound connections to the API server.
 */
export async function startDockerNode(
  client: KubeqlClient,
  name: string,
  options: DockerNodeOptions,
): Promise<DockerNode> {
  const {
    dataDir,
    docker,
    clusterDomain = 'cluster.local',
    ingress: ingressPorts,
    ...agentOptions
  } = options;
  const log = agentOptions.log ?? ((line: string) => console.error(line));
  // One clock for every part of the node (the agent, its runtime, volumes, proxy and DNS).
  const { clock } = agentOptions;
  fs.mkdirSync(dataDir, { recursive: true });
  const runtime = new DockerRuntime({ nodeName: name, docker, clock, log });
  let network: PodNetwork;
  try {
    network = await runtime.init();
  } catch (error) {
    // The network may exist by now (the pause image is checked after it is made); the
    // error thrown says what went wrong, so the cleanup's own failures are not logged.
    await runtime.close();
    await releaseNodeNetwork(runtime.docker, name, () => {});
    throw error;
  }
  const policy = new PolicyEnforcer({
    client,
    nodeName: name,
    podCIDR: network.subnet,
    dnsAddress: network.gateway,
    log,
  });
  const proxy = new ServiceProxy({
    client,
    nodeName: name,
    podCIDR: network.subnet,
    gateway: network.gateway,
    clock,
    allows: (clientIP, backend) =>
      policy.allows({ from: clientIP, to: backend.ip, port: backend.port, protocol: 'TCP' }),
    log,
  });
  const dns = new ClusterDns({ client, address: network.gateway, clusterDomain, clock, log });
  const ingress = ingressPorts && new IngressProxy({ client, ...ingressPorts, log });
  /** Everything but the agent, in an order that leaves nothing behind even when one part fails. */
  const stopParts = async () => {
    const stopped = await Promise.allSettled([proxy.stop(), policy.stop(), dns.stop(), ingress?.stop()]);
    await runtime.close();
    await releaseNodeNetwork(runtime.docker, name, log);
    const failed = stopped.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  };
  const make = () =>
    new NodeAgent(client, {
      address: hostAddress(),
      capacity: hostCapacity(dataDir),
      ...agentOptions,
      // Where the ingress status controller looks for the addresses Ingresses are served on.
      labels: ingress ? { ...agentOptions.labels, [INGRESS_READY_LABEL]: 'true' } : agentOptions.labels,
      name,
      runtime,
      podCIDR: network.subnet,
      environment: new ApiPodEnvironment(client, {
        root: path.resolve(dataDir),
        nameserver: network.gateway,
        clusterDomain,
        clock,
        log,
      }),
      probes: true,
      recordEvents: true,
    });
  let agent = make();
  try {
    // Policies first: their jump must sit above the pod-to-pod ACCEPT the proxy's start ensures.
    await policy.start();
    // These settle before any cleanup, so that nothing a start is still adding is left behind.
    const started = await Promise.allSettled([proxy.start(), dns.start(), ingress?.start()]);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    await agent.start();
  } catch (error) {
    await stopParts().catch(() => {});
    throw error;
  }
  return {
    name,
    runtime,
    network,
    ingress,
    get agent() {
      return agent;
    },
    async restart() {
      await agent.stop();
      agent = make();
      await agent.start();
    },
    async stop() {
      await agent.stop();
      await stopParts();
    },
  };
}
