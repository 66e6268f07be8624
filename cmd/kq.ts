#!/usr/bin/env -S npx tsx
/**
 * kq: the kubeql command line. Cluster entry points start the parts of the cluster;
 * everything else talks to a running server through the client SDK. Each command lives
 * in its own file, loaded only when run.
 */
import { messageOf } from '../client/errors.ts';
import { VERBS } from '../cli/verbs/index.ts';

/** kubectl's verbs (cli/verbs), one line each. */
const verbUsage = () =>
  Object.entries(VERBS)
    .map(([name, { summary }]) => `  ${name.padEnd(12)} ${summary}`)
    .join('\n');

const USAGE = `Usage: kq <command> [flags]

Commands:
  up           bring up a local cluster in one process: API server, controllers, scheduler, nodes
  server       run the API server alone
  controllers  run the controllers against a server
  scheduler    run the scheduler against a server
  agent        run a node agent against a server

${verbUsage()}

Run kq <command> --help for its flags.`;

/**
 * The cluster's commands run from their TypeScript sources, which find the schema, the
 * migrations and the dashboard beside them. The built kq (scripts/build-kq.mjs) leaves
 * them out, and loads them through tsx, which it turns on first.
 */
async function fromSource<T>(load: () => Promise<T>): Promise<T> {
  if (!import.meta.url.endsWith('.ts')) (await import('tsx/esm/api')).register();
  return load();
}

const COMMANDS: Record<string, () => Promise<(argv: string[]) => Promise<void>>> = {
  up: () => fromSource(async () => (await import('./up.ts')).runUp),
  server: () => fromSource(async () => (await import('./server.ts')).runServer),
  controllers: () => fromSource(async () => (await import('./controllers.ts')).runControllers),
  scheduler: () => fromSource(async () => (await import('./scheduler.ts')).runScheduler),
  agent: () => fromSource(async () => (await import('./agent.ts')).runAgent),
  ...Object.fromEntries(
    Object.keys(VERBS).map((name) => [
      name,
      async () => (await import('../cli/verbs/runner.ts')).command(name),
    ]),
  ),
};

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return;
  }
  const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!load) throw new Error(`unknown command "${command}" for "kq"\nRun 'kq --help' for usage.`);
  return (await load())(rest);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`Error: ${messageOf(error)}`);
  process.exit(1);
});
