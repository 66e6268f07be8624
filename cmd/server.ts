import path from 'node:path';
import { parseArgs } from 'node:util';
import { ADMIN_TOKEN_FILE } from '../server/auth.ts';
import { startServer } from '../server/server.ts';
import { SERVER_FLAGS, SERVER_FLAGS_USAGE, serverOptionsFrom } from './server-flags.ts';

export const SERVER_USAGE = `Usage: kq server [--port 8080] [--address 0.0.0.0] [--data .kubeql] [flags]

Runs the kubeql API server: GraphQL at /graphql (HTTP, SSE, WebSocket), GraphiQL on a browser GET.
${SERVER_FLAGS_USAGE}`;

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
