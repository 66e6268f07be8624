import { spawn } from 'node:child_process';
import os from 'node:os';

/**
 * Node flags for a whole cluster in one process (server, controllers, scheduler, hundreds
 * of hollow nodes). V8 lets the old generation grow to up to 4× what survived the last
 * full collection before it collects again, which for this process is mostly garbage (at
 * 1,000 nodes and 10,000 pods, ~250 MB live, 700+ MB heap): 1.5× keeps the peak near what
 * is live, at the cost of more (concurrent) marking. Most of what it allocates is
 * short-lived (GraphQL results, watch events, SQL parameters): a 16 MB semi-space lets
 * that die young; 32 MB saved ~5 % of CPU but cost ~35 MB of RSS (measured with
 * `npm run bench:hollow`). Both are V8 flags node refuses in NODE_OPTIONS: they go on the
 * command line.
 */
export const CLUSTER_NODE_FLAGS = ['--max-semi-space-size=16', '--heap-growing-percent=50'];

/**
 * glibc's allocator for a process that serves the API. arena_max=2: glibc gives each
 * thread that allocates its own malloc arena (up to 8 per core), and SQLite, the libuv
 * pool (compression) and V8's helper threads spread native memory over them; freed memory
 * in one arena serves no other. Two arenas took the RSS outside V8's heap from ~180 to
 * ~130 MB at 10,000 pods. mmap_threshold=131072: glibc otherwise raises its threshold for
 * mapping a block on its own (up to 32 MB) each time it frees a mapped one, after which
 * blocks of megabytes (request bodies, big strings, compression buffers) are carved from
 * the arenas and stay there once freed. Under `npm run bench:hostile`, smaps showed the
 * growth outside V8 (~150 → ~350 MB) in 64 MB-aligned thread arenas; with both settings
 * the peak was 1.98× idle instead of 2.2–2.5×, at no measurable cost to write latency.
 * glibc reads them when the process starts.
 */
export const SERVER_ALLOCATOR_ENV = {
  GLIBC_TUNABLES: 'glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=131072',
};

/**
 * NODE_ENV=production turns off graphql-js's development checks (an instanceof check
 * across realms per type test). It changes nothing else kubeql does: error masking is
 * explicit (server/http/yoga.ts). It must be set before graphql is loaded, hence a fresh process.
 *
 * The allocator, as SERVER_ALLOCATOR_ENV says.
 */
export const CLUSTER_ENV = { NODE_ENV: 'production', ...SERVER_ALLOCATOR_ENV };

/** The tuning as a command line would set it, for reports. */
export function describeTuning(): string {
  const env = Object.entries(CLUSTER_ENV).map(([name, value]) => `${name}=${value}`);
  return [...env, ...CLUSTER_NODE_FLAGS].join(' ');
}

/** Set in the relaunched process: it never relaunches again. */
const MARK = 'KUBEQL_TUNED_PROCESS';

/** Whether this process already runs with the cluster's flags and environment. */
export function isTuned(env: NodeJS.ProcessEnv = process.env, execArgv = process.execArgv): boolean {
  if (env[MARK]) return true;
  return (
    CLUSTER_NODE_FLAGS.every((flag) => execArgv.includes(flag)) &&
    Object.entries(CLUSTER_ENV).every(([name, value]) => env[name] === value)
  );
}

/**
 * Runs this same command again in a child node with CLUSTER_NODE_FLAGS and CLUSTER_ENV,
 * relaying signals, and exits with the child's status. Node reads heap sizes when it
 * starts, so flags cannot be turned on in a running process. Returns (false) at once when
 * the process is tuned already.
 */
export async function relaunchTuned(): Promise<false> {
  if (isTuned()) return false;
  const child = spawn(
    process.execPath,
    [...process.execArgv, ...CLUSTER_NODE_FLAGS, ...process.argv.slice(1)],
    {
      stdio: 'inherit',
      env: { ...process.env, ...CLUSTER_ENV, [MARK]: '1' },
    },
  );
  // Ctrl-C reaches both processes; a signal sent to this one alone must reach the child too.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  const status = await new Promise<number>((resolve) => {
    child.on('error', () => resolve(1));
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
  });
  process.exit(status);
}
