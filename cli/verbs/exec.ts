import type { Cli } from '../context.ts';
import { UsageError } from '../failure.ts';
import type { Options, Parsed } from '../flags.ts';
import { runExecSession } from './exec-session.ts';
import { podTarget } from './pod-target.ts';
import type { Verb } from './verb.ts';

const options = {
  container: { type: 'string', short: 'c' },
  stdin: { type: 'boolean', short: 'i' },
  tty: { type: 'boolean', short: 't' },
  timeout: { type: 'string' },
} as const satisfies Options;

export const exec: Verb<typeof options> = {
  usage: `Run a command in a container and print its output as it comes.
With -i, kq's standard input goes to the command as it is read; with -it and a
terminal, the command runs in a terminal (raw keystrokes). The exit code of the
command is kq's.

Examples:
  kq exec web-6d4cf56db6-x2x7b -- ls /
  kq exec deploy/web -c app -- env
  echo hello | kq exec -i web-6d4cf56db6-x2x7b -- cat
  kq exec -it web-6d4cf56db6-x2x7b -- sh

Usage: kq exec (POD | TYPE/NAME) [-c CONTAINER] [-i] [-t] -- COMMAND [ARGS...]

Flags:
  -c, --container  the container (default: the pod's default or first one)
  -i, --stdin      pass kq's standard input to the command
  -t, --tty        run the command in a terminal (with -i, when stdin is one)
      --timeout    kill the command after this many seconds (default 60; not with -i)`,
  options,
  run: runExec,
};

async function runExec(cli: Cli, { values, positionals, rest }: Parsed<typeof options>): Promise<number> {
  const [target, ...extra] = positionals;
  if (!target) throw new UsageError('expected a pod: kq exec POD -- COMMAND');
  const command = [...extra, ...rest];
  if (!command.length) throw new UsageError('you must specify at least one command for the container');
  const { pod, container } = await podTarget(cli, target, values.container);
  const stream = cli.io.stdin;
  if (values.stdin && stream) {
    // As kubectl: -t needs -i, and a terminal to read from (else a warning, and none).
    const tty = values.tty === true && stream.isTTY === true;
    if (values.tty && !tty)
      cli.err('Unable to use a TTY - input is not a terminal or the right kind of file');
    const code = await runExecSession(cli, stream, {
      name: pod.metadata.name ?? '',
      container,
      command,
      tty,
    });
    if (code !== undefined) {
      if (code !== 0) cli.err(`command terminated with exit code ${code}`);
      return code;
    }
  }
  const stdin = values.stdin ? await cli.io.readStdin() : undefined;
  const { execPod: result } = await cli
    .client()
    .request<{ execPod: { stdout: string; stderr: string; exitCode: number } }>(
      `mutation($namespace: String, $name: String!, $container: String, $command: [String!]!, $stdin: String, $timeoutSeconds: Int) {
      execPod(namespace: $namespace, name: $name, container: $container, command: $command, stdin: $stdin, timeoutSeconds: $timeoutSeconds) { stdout stderr exitCode }
    }`,
      {
        namespace: cli.namespace,
        name: pod.metadata.name,
        container,
        command,
        stdin,
        timeoutSeconds: values.timeout === undefined ? undefined : Number(values.timeout),
      },
    );
  cli.io.stdout.write(result.stdout);
  cli.io.stderr.write(result.stderr);
  if (result.exitCode !== 0) cli.err(`command terminated with exit code ${result.exitCode}`);
  return result.exitCode;
}
