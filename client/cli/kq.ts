#!/usr/bin/env -S npx tsx
/**
 * kq: the kubeql command line. Cluster entry points start the parts of the cluster;
 * everything else talks to a running server through the client SDK.
 */
const USAGE = `Usage: kq <command> [flags]

Commands:
  up       bring up a local cluster (today: the API server) on port 8080
  server   run the API server (kq server --help)`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'server':
    case 'up': {
      const { runServer } = await import('../../server/main.ts');
      return runServer(rest);
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return;
    default:
      throw new Error(`unknown command "${command}" for "kq"\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`Error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
