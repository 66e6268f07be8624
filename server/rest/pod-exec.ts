import { StringDecoder } from 'node:string_decoder';
import { ApiError } from '../errors.ts';
import type { ResourceService } from '../resources/service.ts';
import { execPod } from '../tunnel/pod-exec.ts';
import { streamPodExec, writeExecInput } from '../tunnel/pod-exec-session.ts';
import type { TunnelExecInput } from '../tunnel/messages.ts';
import { checkExecAllowed, podTarget } from '../tunnel/pod-target.ts';
import { CHANNEL, exitStatus, type ChannelSocket } from './channel-protocol.ts';
import type { PodSubresource } from './pod-subresource.ts';
import { QueryOptions } from './query-options.ts';
import { statusOf } from './status.ts';
import { outputChannel, streamOptionsOf, type StreamOptions } from './stream-options.ts';

/** A checked `pods/exec` request: the container to run the command in, and the streams. */
export interface ExecRequest extends StreamOptions {
  namespace: string;
  name: string;
  container: string;
  command: string[];
}

/**
 * Reads and checks a `pods/exec` request before its connection is upgraded, so that what
 * is wrong with it (no command, no such pod or container, a pod not running, its node's
 * agent out of reach) is answered as an HTTP Status, as Kubernetes answers it.
 */
export function execRequestOf(pod: PodSubresource, url: URL, resources: ResourceService): ExecRequest {
  const q = new QueryOptions(url.searchParams);
  const options = streamOptionsOf(q);
  const command = q.strings('command');
  if (command.length === 0) {
    throw new ApiError('BAD_REQUEST', 'you must specify at least one command for the container');
  }
  const target = podTarget(resources, pod.namespace, pod.name, options.container);
  checkExecAllowed(target);
  return { ...options, namespace: pod.namespace, name: pod.name, container: target.container, command };
}

/**
 * `kubectl exec` over the channel protocol, through the node agent's tunnel as GraphQL's
 * `execPodSession` runs it (server/tunnel/pod-exec-session.ts): output goes out on its
 * channels as it comes, stdin comes in on channel 0 (held until the agent has started
 * the process) and ends with v5's CLOSE signal, and the exit code goes out as a Status
 * on the error channel. A runtime that only simulates processes refuses an interactive
 * session before starting one: then the command runs once (`execPod`) with the whole of
 * stdin, as `kq exec` does. The client leaving kills the command.
 */
export function serveExec(
  socket: ChannelSocket,
  request: ExecRequest,
  resources: ResourceService,
  principal: string,
  log: (line: string) => void,
): void {
  const session = new ExecSession(socket, request, resources, principal, log);
  void session.run().catch((error: unknown) => session.fail(error));
}

class ExecSession {
  /** The tunnel's session id, once the agent runs the process: stdin goes there from then on. */
  private session?: string;
  /** Stdin received before the process runs (or, run once, all of it). */
  private readonly held: TunnelExecInput[] = [];
  private readonly decoder = new StringDecoder('utf8');
  private stdinEnded = false;
  private readonly stdinEnd: Promise<void>;
  private endStdin = () => {};

  constructor(
    private readonly socket: ChannelSocket,
    private readonly request: ExecRequest,
    private readonly resources: ResourceService,
    private readonly principal: string,
    private readonly log: (line: string) => void,
  ) {
    this.stdinEnd = new Promise((resolve) => (this.endStdin = resolve));
    socket.onMessage((channel, data) => this.receive(channel, data));
    socket.onClose(() => this.endStdin());
  }

  async run(): Promise<void> {
    const { namespace, name, container, command, tty } = this.request;
    const events = streamPodExec(
      this.resources,
      { namespace, name, container, command, tty },
      this.principal,
    );
    this.socket.onClose(() => void events.return?.());
    for await (const event of events) {
      if ('session' in event) {
        this.started(event.session);
      } else if ('stream' in event) {
        await this.output(event.stream, event.data);
      } else if ('exitCode' in event) {
        return this.socket.finish(exitStatus(event.exitCode, command));
      } else {
        // Refused before it ran: the runtime cannot stream a process (or the same error comes again).
        if (this.session === undefined && !tty && event.error.code === 'BAD_REQUEST') return this.runOnce();
        return this.fail(event.error);
      }
    }
  }

  fail(error: unknown): Promise<void> {
    return this.socket.finish(statusOf(error, undefined, this.log));
  }

  private started(session: string): void {
    this.session = session;
    for (const input of this.held.splice(0)) this.forward(input);
    // Without stdin the process reads end of file at once, as it would in Kubernetes.
    if (!this.request.stdin) this.forward({ close: true });
  }

  /** The command run to its end with the whole of stdin, for runtimes that cannot stream a process. */
  private async runOnce(): Promise<void> {
    const { namespace, name, container, command } = this.request;
    if (this.request.stdin) {
      if (this.socket.protocol !== 'v5.channel.k8s.io') {
        throw new ApiError(
          'BAD_REQUEST',
          `the runtime of pod ${name} needs all of stdin before it runs a command, and over ${this.socket.protocol} stdin has no end: use v5.channel.k8s.io`,
        );
      }
      await this.stdinEnd;
      if (!this.socket.open) return;
    }
    const stdin = this.request.stdin ? this.held.map((input) => input.data ?? '').join('') : undefined;
    const result = await execPod(this.resources, { namespace, name, container, command, stdin });
    await this.output('STDOUT', result.stdout);
    await this.output('STDERR', result.stderr);
    await this.socket.finish(exitStatus(result.exitCode, command));
  }

  private receive(channel: number, data: Buffer): void {
    if (!this.request.stdin || this.stdinEnded) return;
    if (channel === CHANNEL.stdin) {
      this.input({ data: this.decoder.write(data) });
    } else if (channel === CHANNEL.close && data[0] === CHANNEL.stdin) {
      this.stdinEnded = true;
      this.input({ data: this.decoder.end(), close: true });
      this.endStdin();
    }
  }

  private input(input: TunnelExecInput): void {
    if (!input.data && !input.close) return;
    if (this.session === undefined) this.held.push(input);
    else this.forward(input);
  }

  private forward(input: TunnelExecInput): void {
    try {
      writeExecInput(this.resources, this.principal, this.session!, input);
    } catch {
      // The process has ended meanwhile: nothing reads its stdin any more.
    }
  }

  private output(stream: 'STDOUT' | 'STDERR', data: string): Promise<void> {
    const channel = outputChannel(this.request, stream);
    return channel === undefined ? Promise.resolve() : this.socket.send(channel, data);
  }
}
