import type { KubeqlClient } from '../../client/index.ts';
import { messageOf } from '../../client/index.ts';
import { NodeAgent, type NodeAgentOptions } from './agent.ts';
import { ConfigSources } from './config-sources.ts';
import { ReferenceCheckEnvironment } from './reference-check-environment.ts';
import type { RuntimePod } from './runtime/runtime.ts';
import { SimulatedRuntime, type SimulatedRuntimeOptions } from './runtime/simulated.ts';

export type HollowNodeOptions = Partial<Omit<NodeAgentOptions, 'name' | 'runtime'>> & {
  simulation?: Partial<SimulatedRuntimeOptions>;
};

/** A node agent over the simulated runtime, with the handles tests use to misbehave. */
export interface HollowNode {
  readonly name: string;
  readonly runtime: SimulatedRuntime;
  /** The running agent (a new one after `restart`). */
  readonly agent: NodeAgent;
  /** Goes silent: no lease renewal, no status, no writes (node loss). */
  silence(): void;
  resume(): void;
  /** Makes the running containers of the selected pods (all by default) exit with `exitCode` (1). */
  failContainers(filter?: (pod: RuntimePod) => boolean, exitCode?: number): number;
  /** Stops the agent and starts a new one over the same runtime, whose containers keep running. */
  restart(): Promise<void>;
  /** Stops the agent and the runtime's timers. */
  stop(): Promise<void>;
}

/** Hollow nodes' pod ranges: consecutive /24s from 10.244.0.0 to 10.255.255.0 (10.244.0.0/14 holds the first 1,024). */
export const MAX_HOLLOW_NODES = 12 * 256;

/**
 * Addresses for the `index`th hollow node of a cluster: distinct InternalIPs (in
 * 10.0.0.0/16) and pod ranges (the index-th /24 from 10.244.0.0, so the first 256 are
 * in the usual 10.244.0.0/16, and none meets the 10.96.0.0/12 Service range), so pod
 * IPs are unique across the cluster.
 */
export function hollowNodeAddressing(index: number): { address: string; podCIDR: string } {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_HOLLOW_NODES) {
    throw new Error(
      `a cluster has room for ${MAX_HOLLOW_NODES} hollow nodes' pod ranges (asked for #${index + 1})`,
    );
  }
  return {
    address: `10.0.${Math.floor(index / 250)}.${(index % 250) + 2}`,
    podCIDR: `10.${244 + Math.floor(index / 256)}.${index % 256}.0/24`,
  };
}

export async function startHollowNode(
  client: KubeqlClient,
  name: string,
  options: HollowNodeOptions = {},
): Promise<HollowNode> {
  const { simulation, ...agentOptions } = options;
  const runtime = new SimulatedRuntime(simulation);
  const log = agentOptions.log ?? ((line: string) => console.error(line));
  // Without a process-wide environment, each agent checks pods' references over informers of its own
  // (a new set after a restart: a stopped informer does not start again).
  const environment = () =>
    agentOptions.environment ??
    new ReferenceCheckEnvironment(
      new ConfigSources(client, {
        onError: (error) => log(`node ${name}: config sources: ${messageOf(error)}`),
      }),
    );
  const make = () => new NodeAgent(client, { ...agentOptions, environment: environment(), name, runtime });
  let agent = make();
  runtime.setPodSource((namespace, name) => agent.pods.get(`${namespace}/${name}`));
  await agent.start();
  return {
    name,
    runtime,
    get agent() {
      return agent;
    },
    silence: () => agent.silence(),
    resume: () => agent.resume(),
    failContainers: (filter, exitCode) => agent.failContainers(filter, exitCode),
    async restart() {
      await agent.stop();
      agent = make();
      await agent.start();
    },
    async stop() {
      await agent.stop();
      await runtime.close();
    },
  };
}
