import path from 'node:path';
import { parseArgs } from 'node:util';
import { ADMIN_TOKEN_FILE } from '../server/auth.ts';
import { startServer } from '../server/server.ts';

export const SERVER_USAGE = `Usage: kq server [--port 8080] [--address 0.0.0.0] [--data .kubeql]

Runs the kubeql API server: GraphQL at /graphql (HTTP, SSE, WebSocket), GraphiQL on a browser GET.
  --port      TCP port; 0 picks a free one and prints it (default 8080)
  --address   address to listen on (default 0.0.0.0)
  --data      directory for the SQLite store and the admin token (default .kubeql)
Set DATABASE_URL=postgresql://... to store in PostgreSQL instead of SQLite.`;

/** `kq server`: runs until SIGINT/SIGTERM, then shuts down gracefully. */
export async function runServer(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '8080' },
      address: { type: 'string', default: '0.0.0.0' },
      data: { type: 'string', default: '.kubeql' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(SERVER_USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port "${values.port}"`);
  const dataDir = path.resolve(values.data);
  const server = await startServer({
    port,
    address: values.address,
    dataDir,
    databaseUrl: process.env.DATABASE_URL,
  });
  console.log(`kubeql API server listening on ${server.url}`);
  console.log(`  playground: open ${server.url} in a browser; send the header Authorization: Bearer <token>`);
  console.log(`  admin token: ${path.join(dataDir, ADMIN_TOKEN_FILE)}`);
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
