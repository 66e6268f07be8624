import { isCode } from '../../client/errors.ts';
import type { Cli } from '../context.ts';

const SESSION = `subscription($namespace: String, $name: String!, $container: String, $command: [String!]!, $tty: Boolean) {
  execPodSession(namespace: $namespace, name: $name, container: $container, command: $command, tty: $tty) { session stream data exitCode }
}`;
const INPUT = `mutation($session: ID!, $data: String, $close: Boolean) {
  execPodInput(session: $session, data: $data, close: $close)
}`;

interface ExecEvent {
  session: string | null;
  stream: 'STDOUT' | 'STDERR' | null;
  data: string | null;
  exitCode: number | null;
}

export interface SessionTarget {
  name: string;
  container: string;
  command: string[];
  tty: boolean;
}

type Stdin = NonNullable<Cli['io']['stdin']>;

/**
 * `kq exec -i [-t]`: the command runs in an `execPodSession`; kq's standard input goes
 * to it piece by piece (each piece sent before the next is read), then end of file; its
 * output is printed as it comes. With a TTY the terminal is in raw mode for the
 * session (keystrokes, Ctrl-C included, go to the command) and restored after.
 * Resolves with the command's exit code, or `undefined` when the runtime cannot run
 * an interactive session (the caller falls back to sending stdin all at once).
 */
export async function runExecSession(
  cli: Cli,
  stdin: Stdin,
  target: SessionTarget,
): Promise<number | undefined> {
  const client = cli.client();
  const events = client.subscribe<{ execPodSession: ExecEvent }>(SESSION, {
    namespace: cli.namespace,
    ...target,
  });
  let session: string | undefined;
  let exitCode = 0;
  const raw = target.tty && typeof stdin.setRawMode === 'function';
  const send = (variables: { data?: string; close?: boolean }) =>
    client.request(INPUT, { session, ...variables }).catch(() => {
      // The session ended meanwhile: what was left to write has no reader.
    });
  const onData = (chunk: string) => {
    stdin.pause();
    void send({ data: chunk }).finally(() => stdin.resume());
  };
  const onEnd = () => void send({ close: true });
  try {
    for await (const { execPodSession: event } of events) {
      if (event.session) {
        session = event.session;
        if (raw) stdin.setRawMode!(true);
        stdin.setEncoding('utf8');
        stdin.on('data', onData);
        stdin.once('end', onEnd);
        stdin.resume();
      }
      if (event.data != null) (event.stream === 'STDERR' ? cli.io.stderr : cli.io.stdout).write(event.data);
      if (event.exitCode != null) exitCode = event.exitCode;
    }
  } catch (error) {
    // Checked before anything ran: the runtime only simulates processes (or the same error comes again).
    if (!session && !target.tty && isCode(error, 'BAD_REQUEST')) return undefined;
    throw error;
  } finally {
    stdin.off('data', onData);
    stdin.off('end', onEnd);
    stdin.pause();
    if (raw) stdin.setRawMode!(false);
    await events.return();
  }
  return exitCode;
}
