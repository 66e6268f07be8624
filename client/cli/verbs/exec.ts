import type { Cli } from '../context.ts';
import { UsageError } from '../failure.ts';
import type { Parsed } from '../flags.ts';
import { podTarget } from './pod-target.ts';
import type { Verb } from './verb.ts';

export const exec: Verb = {
  usage: `Run a command in a container and print its output (no terminal: -t is not supported).
The exit code of the command is kq's.

Examples:
  kq exec web-6d4cf56db6-x2x7b -- ls /
  kq exec deploy/web -c app -- env
  echo hello | kq exec -i web-6d4cf56db6-x2x7b -- cat

Usage: kq exec (POD | TYPE/NAME) [-c CONTAINER] [-i] -- COMMAND [ARGS...]

Flags:
  -c, --container  the container (default: the pod's default or first one)
  -i, --stdin      pass kq's standard input to the command
      --timeout    kill the command after this many seconds (default 60)`,
  options: {
    container: { type: 'string', short: 'c' },
    stdin: { type: 'boolean', short: 'i' },
    tty: { type: 'boolean', short: 't' },
    timeout: { type: 'string' },
  },
  run: runExec,
};

async function runExec(cli: Cli, { values, positionals, rest }: Parsed): Promise<number> {
  if (values.tty) throw new UsageError('kq exec runs without a terminal: drop -t');
  const [target, ...extra] = positionals;
  if (!target) throw new UsageError('expected a pod: kq exec POD -- COMMAND');
  const command = [...extra, ...rest];
  if (!command.length) throw new UsageError('you must specify at least one command for the container');
  const { pod, container } = await podTarget(cli, target, values.container);
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
