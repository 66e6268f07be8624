import { ApiError } from '../errors.ts';
import { CHANNEL } from './channel-protocol.ts';
import type { QueryOptions } from './query-options.ts';

/** Which streams an exec or attach carries (PodExecOptions and PodAttachOptions, less the command). */
export interface StreamOptions {
  container?: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  /** In a terminal: the output is one stream, on stdout. */
  tty: boolean;
}

/**
 * The streams a request asks for, defaulted as Kubernetes defaults them (stdout and
 * stderr on, stdin off) and checked the same way: at least one of them.
 */
export function streamOptionsOf(q: QueryOptions): StreamOptions {
  const tty = q.bool('tty') ?? false;
  const options: StreamOptions = {
    container: q.string('container'),
    stdin: q.bool('stdin') ?? false,
    stdout: q.bool('stdout') ?? true,
    stderr: (q.bool('stderr') ?? true) && !tty,
    tty,
  };
  if (!options.stdin && !options.stdout && !options.stderr) {
    throw new ApiError('BAD_REQUEST', 'you must specify at least 1 of stdin, stdout, stderr');
  }
  return options;
}

/** The channel a piece of output goes on, or undefined when the client did not ask for that stream. */
export function outputChannel(options: StreamOptions, stream: 'STDOUT' | 'STDERR'): number | undefined {
  if (stream === 'STDERR' && !options.tty) return options.stderr ? CHANNEL.stderr : undefined;
  return options.stdout ? CHANNEL.stdout : undefined;
}
