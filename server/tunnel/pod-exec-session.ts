import crypto from 'node:crypto';
import { ApiError } from '../errors.ts';
import type { ResourceService } from '../resources/service.ts';
import type { LogStreamName } from './messages.ts';
import { checkExecAllowed, podTarget } from './pod-target.ts';
import { Channel } from '../../lib/channel.ts';

export interface ExecSessionArgs {
  namespace: string;
  name: string;
  container?: string | null;
  command: string[];
  tty?: boolean | null;
}

/** What an interactive exec yields: its session id first, then its output, last its exit code. */
export type ExecEvent =
  { session: string } | { stream: LogStreamName; data: string } | { exitCode: number } | { error: ApiError };

/** Output pieces held for a slow reader before the agent's next batch waits for it. */
const HIGH_WATER_CHUNKS = 1000;

/**
 * Who opened each session still open, by session id: only they may write to its stdin.
 * Per tunnel registry, since each API server (and each test's) has its own.
 */
const owners = new WeakMap<object, Map<string, string>>();

function ownersOf(resources: ResourceService): Map<string, string> {
  let map = owners.get(resources.tunnels);
  if (!map) owners.set(resources.tunnels, (map = new Map()));
  return map;
}

/**
 * `kubectl exec -i [-t]`: starts a command in a running container through its node's
 * agent and streams its output as it comes. The session id comes once the agent has
 * started the process; its stdin is written with `execPodInput` under that id. The
 * stream ends with the exit code. Returning the iterator (the user unsubscribing) ends
 * the request on the agent, which kills the process.
 */
export function streamPodExec(
  resources: ResourceService,
  args: ExecSessionArgs,
  principal: string,
): AsyncIterableIterator<ExecEvent> {
  if (args.command.length === 0) {
    throw new ApiError('BAD_REQUEST', 'you must specify at least one command for the container');
  }
  const target = podTarget(resources, args.namespace, args.name, args.container);
  checkExecAllowed(target);
  const id = crypto.randomUUID();
  const sessions = ownersOf(resources);
  let cancel = () => {};
  const queue = new Channel<ExecEvent>(() => {
    sessions.delete(id);
    cancel();
  });
  const end = (last: ExecEvent) => {
    sessions.delete(id);
    queue.push(last);
    queue.end();
  };
  sessions.set(id, principal);
  cancel = resources.tunnels.open(
    target.nodeName,
    {
      kind: 'EXEC_STREAM',
      namespace: target.namespace,
      podName: target.podName,
      podUid: target.podUid,
      container: target.container,
      init: target.init,
      execStream: { command: args.command, tty: args.tty ?? false },
    },
    {
      started: () => queue.push({ session: id }),
      lines: async () => {},
      output: (output) => {
        queue.push(...output);
        return queue.drained(HIGH_WATER_CHUNKS);
      },
      done: (result) =>
        end(
          result
            ? { exitCode: result.exitCode }
            : {
                error: new ApiError(
                  'UNAVAILABLE',
                  `the agent of node "${target.nodeName}" sent no exit code`,
                ),
              },
        ),
      fail: (error) => end({ error }),
    },
    id,
  );
  return queue;
}

/** `execPodInput`: writes to the stdin of an open session (`close`: then ends it). */
export function writeExecInput(
  resources: ResourceService,
  principal: string,
  session: string,
  input: { data?: string | null; close?: boolean | null },
): boolean {
  const owner = ownersOf(resources).get(session);
  const sent =
    owner === principal &&
    resources.tunnels.input(session, { data: input.data ?? undefined, close: input.close ?? undefined });
  if (!sent) throw new ApiError('NOT_FOUND', `exec session "${session}" not found (it has ended)`);
  return true;
}
