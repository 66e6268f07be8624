import path from 'node:path';
import { parseArgs } from 'node:util';
import { ADMIN_TOKEN_FILE } from '../server/auth.ts';
import { startServer } from '../server/server.ts';
import { CA_CERT_FILE, TLS_DIR } from '../server/tls/serving-tls.ts';
import { SERVER_FLAGS, serverFlagsUsage, serverOptionsFrom } from './server-flags.ts';

export const SERVER_USAGE = `Usage: kq server [--port 8080] [--address 0.0.0.0] [--data .kubeql] [flags]

Runs the kubeql API server: GraphQL at /graphql (HTTP, SSE, WebSocket), GraphiQL on a browser GET.
${serverFlagsUsage(SERVER_FLAGS.address.default)}`;

/** `kq server`: runs until SIGINT/SIGTERM, then shuts down gracefully. */
export async function runServer(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { ...SERVER_FLAGS, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    console.log(SERVER_USAGE);
    return;
  }
  const options = serverOptionsFrom(values);
  const server = await startServer(options);
  console.log(`kubeql API server listening on ${server.url}`);
  console.log(`  playground: open ${server.url} in a browser; send the header Authorization: Bearer <token>`);
  console.log(`  admin token: ${path.join(options.dataDir, ADMIN_TOKEN_FILE)}`);
  if (server.ca) {
    console.log(
      `  cluster CA:  ${path.join(options.dataDir, TLS_DIR, CA_CERT_FILE)} (clients trust the server by it)`,
    );
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('shutting down: finishing in-flight requests and writes');
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
