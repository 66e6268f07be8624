import os from 'node:os';
import { parseArgs } from 'node:util';
import { isRuntimeName, RUNTIMES } from '../agent/node/runtime/index.ts';
import path from 'node:path';
import { ensureDockerEngine } from '../agent/node/docker-engine.ts';
import { startDockerNode } from '../agent/node/docker-node.ts';
import { startHollowNode } from '../agent/node/hollow.ts';
import { ConfigSources } from '../agent/node/config-sources.ts';
import { nodeCredential } from '../agent/node/node-credential.ts';
import { ReferenceCheckEnvironment } from '../agent/node/reference-check-environment.ts';
import { createClient, messageOf, type KubeqlClient } from '../client/index.ts';
import {
  CONNECTION_OPTIONS,
  CONNECTION_USAGE,
  resolveConnection,
  stopOnSignal,
  type ConnectionValues,
} from '../cli/connection.ts';

export const AGENT_USAGE = `Usage: kq agent [--runtime docker|simulated] [--name NAME] [--server URL]
                [--bootstrap-token T | --token T] [flags]

Runs a node agent against a running API server: registers the node, heartbeats, runs the
pods bound to it. Only outbound connections: the agent may sit behind NAT.
  --bootstrap-token  joins with a token of \`kq create token --bootstrap\`: exchanges it for
              the node's own credential (system:node:NAME), kept in --root-dir and used
              from then on, restarts included
  --runtime   container runtime: ${RUNTIMES.join(', ')} (default docker: this machine's
              engine, with a pod network, service proxy and DNS server of the node's own)
  --name      node name (default: this host's name)
  --label     k=v, a node label (repeatable)
  --root-dir  the node's state directory: its credential, pod volumes (docker runtime)
              (default .kubeql/nodes/NAME)
Simulated runtime only (a docker node reports the host's own):
  --cpu       cpu capacity (default 4)
  --memory    memory capacity (default 8Gi)
  --pods      how many pods the node takes (default 110)
  --address   the node's InternalIP (default 127.0.0.1)
  --pod-cidr  the range pod IPs are taken from (default 10.244.0.0/24)
${CONNECTION_USAGE}`;

/** `kq agent`: runs until SIGINT/SIGTERM; the node's pods are left to the next agent of that name. */
export async function runAgent(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...CONNECTION_OPTIONS,
      runtime: { type: 'string', default: 'docker' },
      'root-dir': { type: 'string' },
      'bootstrap-token': { type: 'string' },
      name: { type: 'string', default: os.hostname().toLowerCase() },
      cpu: { type: 'string', default: '4' },
      memory: { type: 'string', default: '8Gi' },
      pods: { type: 'string', default: '110' },
      label: { type: 'string', multiple: true, default: [] },
      address: { type: 'string', default: '127.0.0.1' },
      'pod-cidr': { type: 'string', default: '10.244.0.0/24' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(AGENT_USAGE);
    return;
  }
  if (!isRuntimeName(values.runtime)) {
    throw new Error(`unknown --runtime "${values.runtime}" (have: ${RUNTIMES.join(', ')})`);
  }
  const labels: Record<string, string> = {};
  for (const label of values.label) {
    const at = label.indexOf('=');
    if (at <= 0) throw new Error(`invalid --label "${label}": expected key=value`);
    labels[label.slice(0, at)] = label.slice(at + 1);
  }
  const log = (line: string) => console.error(line);
  const dataDir = path.resolve(values['root-dir'] ?? path.join('.kubeql', 'nodes', values.name));
  if (values.runtime === 'docker') {
    await ensureDockerEngine(log);
    const client = await connectAsNode(values, values.name, dataDir);
    const node = await startDockerNode(client, values.name, { dataDir, labels, log });
    console.log(`node ${node.name} registered (docker runtime, pods on ${node.network.subnet})`);
    stopOnSignal(async () => {
      await node.stop();
      await client.close();
    });
    return;
  }
  const client = await connectAsNode(values, values.name, dataDir);
  // A node reads only the ConfigMaps and Secrets its pods name, as its credential allows.
  const sources = new ConfigSources(
    { client, nodeName: values.name },
    { onError: (error) => log(`config sources: ${messageOf(error)}`) },
  );
  const node = await startHollowNode(client, values.name, {
    environment: new ReferenceCheckEnvironment(sources),
    capacity: { cpu: values.cpu, memory: values.memory, pods: values.pods, 'ephemeral-storage': '100Gi' },
    labels,
    address: values.address,
    podCIDR: values['pod-cidr'],
  });
  console.log(`node ${node.name} registered (${values.runtime} runtime)`);
  stopOnSignal(async () => {
    await node.stop();
    await client.close();
  });
}

/**
 * The agent's client: with `--bootstrap-token`, as the node itself, by the credential kept in
 * `dataDir` or one the token is exchanged for; else with the connection's own token.
 */
async function connectAsNode(
  values: ConnectionValues & { 'bootstrap-token'?: string },
  nodeName: string,
  dataDir: string,
): Promise<KubeqlClient> {
  const bootstrapToken = values['bootstrap-token'];
  if (!bootstrapToken) return createClient(resolveConnection(values));
  const connection = resolveConnection({ ...values, token: bootstrapToken });
  const token = await nodeCredential({
    nodeName,
    dataDir,
    exchange: () => createClient(connection),
  });
  return createClient({ ...connection, token });
}
