import path from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalCluster } from '../../agent/cluster.ts';
import { isRuntimeName, RUNTIMES } from '../../agent/node/runtime/index.ts';
import { integerFlag, stopOnSignal } from './connection.ts';

export const UP_USAGE = `Usage: kq up [--runtime simulated] [--nodes 3] [--port 8080] [--address 0.0.0.0] [--data .kubeql]

Brings up a whole cluster in one process: the API server, the controllers, the scheduler
and --nodes node agents, talking to the server in-process.
  --runtime   container runtime of the nodes: ${RUNTIMES.join(', ')} (hollow nodes: nothing really runs)
  --nodes     how many nodes (default 3)
  --port      TCP port of the API; 0 picks a free one (default 8080)
  --address   address to listen on (default 0.0.0.0)
  --data      directory for the store and the admin token (default .kubeql)
Set DATABASE_URL=postgresql://... to store in PostgreSQL instead of SQLite.`;

/** `kq up`: runs until SIGINT/SIGTERM, then stops the nodes, the controllers and the server. */
export async function runUp(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      runtime: { type: 'string', default: 'simulated' },
      nodes: { type: 'string', default: '3' },
      port: { type: 'string', default: '8080' },
      address: { type: 'string', default: '0.0.0.0' },
      data: { type: 'string', default: '.kubeql' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(UP_USAGE);
    return;
  }
  if (!isRuntimeName(values.runtime)) {
    throw new Error(`unknown --runtime "${values.runtime}" (have: ${RUNTIMES.join(', ')})`);
  }
  const dataDir = path.resolve(values.data);
  const cluster = await startLocalCluster({
    port: integerFlag('port', values.port, 0, 65535),
    address: values.address,
    dataDir,
    databaseUrl: process.env.DATABASE_URL,
    nodes: integerFlag('nodes', values.nodes),
    runtime: values.runtime,
  });
  console.log(`kubeql cluster up: API server on ${cluster.server.url}`);
  console.log(`  nodes (${values.runtime}): ${cluster.nodes.map((node) => node.name).join(', ') || 'none'}`);
  console.log(`  admin token: ${path.join(dataDir, 'admin.token')}`);
  console.log(`  playground: open ${cluster.server.url} in a browser; send Authorization: Bearer <token>`);
  stopOnSignal(() => cluster.stop());
}
