import { Cli } from '../context.ts';
import { describeFailure, UsageError } from '../failure.ts';
import { GLOBAL_USAGE, parseFlags } from '../flags.ts';
import { processIO, type CliIO } from '../io.ts';
import { VERBS } from './index.ts';

/**
 * Runs one verb and answers its exit code: 0 on success, 1 on any failure, reported
 * on stderr in one line as kubectl reports it. Never throws, never prints a stack.
 */
export async function runVerb(name: string, argv: string[], io: CliIO): Promise<number> {
  const entry = VERBS[name];
  const write = (text: string) => io.stderr.write(`${text}\n`);
  if (!entry) {
    write(`error: unknown command "${name}" for "kq"`);
    return 1;
  }
  let cli: Cli | undefined;
  try {
    const verb = await entry.load();
    const parsed = parseFlags(argv, verb.options);
    if (parsed.values.help) {
      io.stdout.write(`${verb.usage}\n\n${GLOBAL_USAGE}\n`);
      return 0;
    }
    cli = new Cli(io, parsed.values);
    return (await verb.run(cli, parsed)) ?? 0;
  } catch (error) {
    write(describeFailure(error, cli?.server));
    if (error instanceof UsageError && /^(unknown|flag)/.test(error.message)) {
      write(`See 'kq ${name} --help' for usage.`);
    }
    return 1;
  } finally {
    await cli?.close().catch(() => {});
  }
}

/** The verb as a `kq` command: the process's streams, and its exit code as the process's. */
export function command(name: string): (argv: string[]) => Promise<void> {
  return async (argv) => {
    // The reader of a pipe went away (`kq get pods -A | head`): stop quietly, with the
    // status a program killed by SIGPIPE has, as kubectl does, not with a stack trace.
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(128 + 13);
    });
    const code = await runVerb(name, argv, processIO());
    // Writes to a pipe complete asynchronously and process.exit drops the ones pending:
    // `kq get configmaps -A | wc -l` would count only the first 64 KiB of the table.
    await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
    process.exit(code);
  };
}

/** Resolves once everything written to the stream before has been handed to the OS (or failed). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}
