import os from 'node:os';
import { parseArgs } from 'node:util';
import { isRuntimeName, RUNTIMES } from '../agent/node/runtime/index.ts';
import path from 'node:path';
import { ensureDockerEngine } from '../agent/node/docker-engine.ts';
import { startDockerNode } from '../agent/node/docker-node.ts';
import { startHollowNode } from '../agent/node/hollow.ts';
import { connect, CONNECTION_OPTIONS, CONNECTION_USAGE, stopOnSignal } from '../cli/connection.ts';

export const AGENT_USAGE = `Usage: kq agent [--runtime docker|simulated] [--name NAME] [--server URL] [--token T] [flags]

Runs a node agent against a running API server: registers the node, heartbeats, runs the
pods bound to it. Only outbound connections: the agent may sit behind NAT.
  --runtime   container runtime: ${RUNTIMES.join(', ')} (default docker: this machine's
              engine, with a pod network, service proxy and DNS server of the node's own)
  --name      node name (default: this host's name)
  --label     k=v, a node label (repeatable)
  --root-dir  the node's state directory (pod volumes), docker runtime
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
  if (values.runtime === 'docker') {
    await ensureDockerEngine(log);
    const client = connect(values);
    const dataDir = path.resolve(values['root-dir'] ?? path.join('.kubeql', 'nodes', values.name));
    const node = await startDockerNode(client, values.name, { dataDir, labels, log });
    console.log(`node ${node.name} registered (docker runtime, pods on ${node.network.subnet})`);
    stopOnSignal(async () => {
      await node.stop();
      await client.close();
    });
    return;
  }
  const client = connect(values);
  const node = await startHollowNode(client, values.name, {
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
