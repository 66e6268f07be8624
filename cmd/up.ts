import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureDockerEngine } from '../agent/node/docker-engine.ts';
import { isRuntimeName, RUNTIMES } from '../agent/node/runtime/index.ts';
import { relaunchTuned } from './tuned-process.ts';
import { SERVER_FLAGS, serverFlagsUsage, serverOptionsFrom } from './server-flags.ts';
import fs from 'node:fs';
import { addContext, configPath } from '../cli/config.ts';
import { integerFlag, stopOnSignal } from '../cli/connection.ts';

/** A local cluster listens on loopback (plain HTTP) unless told otherwise, as kind's API server does. */
const UP_ADDRESS = '127.0.0.1';

export const UP_USAGE = `Usage: kq up [--runtime docker|simulated] [--nodes N] [--port 8080] [--address ${UP_ADDRESS}] [--data .kubeql] [flags]

Brings up a whole cluster in one process: the API server, the controllers, the scheduler
and --nodes node agents, talking to the server in-process. With the docker runtime
(the default) pods run as containers on this machine's Docker engine, which is
installed and started when missing and this user may; the demo images
(kubeql/busybox:stable, kubeql/demo-web:v1 and v2) are built when absent. kq's config
gets a context for the cluster, kubeql-<port> (with the cluster's CA when it serves
HTTPS), and makes it the current one; the other contexts stay.
  --runtime   container runtime of the nodes: ${RUNTIMES.join(', ')} (default docker;
              simulated: hollow nodes, nothing really runs)
  --nodes     how many nodes (default 1 with docker, 3 simulated)
  --ingress-port, --ingress-https-port
              where each Docker node serves Ingresses, HTTP and HTTPS (default 8081
              and 8443; 0 turns the node's ingress proxy off)
${serverFlagsUsage(UP_ADDRESS)}`;

/** `kq up`: runs until SIGINT/SIGTERM, then stops the nodes, the controllers and the server. */
export async function runUp(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      runtime: { type: 'string', default: 'docker' },
      nodes: { type: 'string' },
      'ingress-port': { type: 'string', default: '8081' },
      'ingress-https-port': { type: 'string', default: '8443' },
      ...SERVER_FLAGS,
      address: { type: 'string', default: UP_ADDRESS },
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
  // A cluster in one process serves the API and does the work of a whole cluster: it runs
  // with the flags and environment tuned for that (in a child, when this process lacks
  // them). The cluster's code loads after that, so the relaunching parent stays small.
  await relaunchTuned();
  const { startLocalCluster } = await import('./cluster.ts');
  const { port, address, dataDir, databaseUrl, ...serverOptions } = serverOptionsFrom(values);
  const log = (line: string) => console.error(line);
  if (values.runtime === 'docker') await ensureDockerEngine(log);
  const httpPort = integerFlag('ingress-port', values['ingress-port']);
  const httpsPort = integerFlag('ingress-https-port', values['ingress-https-port']);
  const ingressPorts = httpPort > 0 ? { httpPort, ...(httpsPort > 0 ? { httpsPort } : {}) } : undefined;
  const cluster = await startLocalCluster({
    port,
    address,
    dataDir,
    databaseUrl,
    serverOptions,
    nodes: values.nodes === undefined ? undefined : integerFlag('nodes', values.nodes),
    runtime: values.runtime,
    dockerNodeOptions: ingressPorts ? { ingress: ingressPorts } : {},
  });
  console.log(`kubeql cluster up: API server on ${cluster.server.url}`);
  const nodes = [...cluster.nodes, ...cluster.dockerNodes].map((node) => node.name);
  console.log(`  nodes (${values.runtime}): ${nodes.join(', ') || 'none'}`);
  console.log(`  admin token: ${path.join(dataDir, 'admin.token')}`);
  if (ingressPorts && cluster.dockerNodes.length > 0)
    console.log(
      `  ingress:    http://<node>:${httpPort}/${ingressPorts.httpsPort ? ` and https://<node>:${httpsPort}/` : ''} (IngressClass "kubeql")`,
    );
  // The server's url is its API endpoint (…/graphql); the dashboard is served at the root.
  const root = cluster.server.url.replace(/\/graphql$/, '');
  console.log(`  dashboard:  ${root}/ (log in with the admin token)`);
  console.log(`  playground: ${root}/graphql (send Authorization: Bearer <token>)`);
  // As kind writes a kubeconfig: `kq` talks to this cluster from now on, from anywhere.
  const config = configPath(process.env);
  try {
    const token = fs.readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim();
    const ca = cluster.server.ca;
    // Named by port, as only one cluster at a time listens on it: another `kq up` there replaces it.
    const { port, protocol } = new URL(cluster.server.url);
    const context = `kubeql-${port || (protocol === 'https:' ? '443' : '80')}`;
    addContext(config, context, {
      server: cluster.server.url,
      token,
      ...(ca ? { 'certificate-authority-data': Buffer.from(ca).toString('base64') } : {}),
    });
    console.log(
      `  CLI:        npm run kq -- get pods   (context "${context}" in ${config}, now the current one)`,
    );
  } catch (error) {
    console.log(`  CLI:        kq's config was not written (${(error as Error).message})`);
  }
  stopOnSignal(() => cluster.stop());
}
