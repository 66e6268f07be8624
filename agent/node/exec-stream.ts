import type { operations } from '../../client/index.ts';
import type { ContainerRuntime, ExecProcess } from './runtime/runtime.ts';
import { RuntimeError } from './runtime/runtime-error.ts';

type Request = operations.NodeStreamRequestsSubscription['nodeStreamRequests'];
type Reply = Omit<operations.NodeStreamReplyInput, 'nodeName' | 'requestId'>;

/** A batch of output leaves once it holds this many bytes, or as soon as the previous one is answered. */
const MAX_BATCH_BYTES = 256 * 1024;

/**
 * The agent's end of one `execPodSession`: starts the command, then answers (which
 * gives the user the session id, so stdin can only come once the process has it),
 * streams the output back in batches (the next batch gathering while the previous is
 * on its way, the server answering only when the user has room), and ends with the
 * exit code. INPUT requests write to the process's stdin. The controller aborting (the
 * user went away, the agent stops, the server refused a batch) kills the process.
 */
export class ExecStream {
  private process?: ExecProcess;

  constructor(
    private readonly request: Request,
    private readonly controller: AbortController,
    private readonly reply: (reply: Reply) => Promise<boolean>,
    /** Why to stop serving when the server no longer wants the request. */
    private readonly ended: string,
  ) {}

  /** Writes an INPUT request's data to stdin, then closes it if asked. */
  input(input: Request['input']): void {
    if (!this.process || !input) return;
    if (input.data) this.process.stdin.write(input.data);
    if (input.close) this.process.stdin.end();
  }

  async serve(runtime: ContainerRuntime): Promise<void> {
    if (!runtime.execStream) {
      throw new RuntimeError('BAD_REQUEST', 'interactive exec needs a runtime that runs processes');
    }
    const { podUid, container, execStream } = this.request;
    const { signal } = this.controller;
    this.process = await runtime.execStream(podUid!, container!, execStream?.command ?? [], {
      tty: execStream?.tty ?? false,
      signal,
    });
    if (!(await this.reply({}))) return this.controller.abort(this.ended);
    let batch: operations.ExecOutputInput[] = [];
    let bytes = 0;
    let sending: Promise<void> | undefined;
    let failure: unknown;
    const drain = async () => {
      try {
        while (batch.length > 0 && !signal.aborted) {
          const output = batch;
          batch = [];
          bytes = 0;
          if (!(await this.reply({ output }))) this.controller.abort(this.ended);
        }
      } catch (error) {
        failure = error;
        this.controller.abort();
      }
    };
    for await (const piece of this.process.output) {
      if (signal.aborted) break;
      const stream = piece.stream === 'stderr' ? 'STDERR' : 'STDOUT';
      const last = batch.at(-1);
      // Pieces of one stream in a row travel as one: fewer, larger events for the user.
      if (last?.stream === stream) last.data += piece.data;
      else batch.push({ stream, data: piece.data });
      bytes += piece.data.length;
      // Cleared in a later microtask, so always after it is set.
      sending ??= drain().finally(() => (sending = undefined));
      if (bytes >= MAX_BATCH_BYTES) await sending;
      if (failure) throw failure;
    }
    await sending;
    if (failure) throw failure;
    if (signal.aborted) return;
    const exitCode = await this.process.exit;
    await this.reply({ exec: { stdout: '', stderr: '', exitCode } });
  }
}
