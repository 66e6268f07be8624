import {
  backoffDelay,
  execute,
  messageOf,
  operations,
  subscribe,
  type KubeqlClient,
  type Subscription,
} from '../../client/index.ts';
import { systemClock, type Clock } from '../../lib/clock.ts';
import { ExecStream } from './exec-stream.ts';
import { PortForwardStream } from './port-forward.ts';
import { instancesOf, type ContainerRuntime, type LogLine } from './runtime/runtime.ts';
import { RuntimeError } from './runtime/runtime-error.ts';

type Request = operations.NodeStreamRequestsSubscription['nodeStreamRequests'];
type Reply = Omit<operations.NodeStreamReplyInput, 'nodeName' | 'requestId'>;

export interface PodStreamsOptions {
  nodeName: string;
  runtime: ContainerRuntime;
  /** Where the age of a subscription is read (the system clock by default). */
  clock?: Clock;
  log: (line: string) => void;
}

/** A batch of log lines leaves once it has this many lines or bytes, or as soon as the previous one is answered. */
const MAX_BATCH_LINES = 500;
const MAX_BATCH_BYTES = 256 * 1024;
/** What an exec result carries at most of each output stream (the API's request bodies are bounded). */
const MAX_EXEC_OUTPUT_BYTES = 1024 * 1024;
/** Why a request stopped being served when the server no longer wants it, or the agent stops. */
const ENDED = 'ended';
/** A subscription that lasted this long was healthy: the next one starts without back-off. */
const HEALTHY_SUBSCRIPTION_MS = 10_000;

/**
 * The node agent's end of the tunnel for `podLogs`, `execPod` and port forwarding: the
 * API server cannot connect to the node, so the agent holds the `nodeStreamRequests`
 * subscription (subscribed again, with back-off, whenever it drops) and answers each
 * request with `nodeStreamReply` mutations, from the runtime's `logs`, `exec` and
 * `execStream` (interactive sessions: exec-stream.ts), and from connections to pods'
 * ports (port-forward.ts). Log lines go in
 * batches: the first at once, the next ones gathered while the previous batch is on its
 * way, and the server answers a batch only when the user has room, so a chatty
 * container cannot outrun a slow reader. A request is dropped when the server says so
 * (the user went away), on CANCEL, and on `stop()`.
 */
export class PodStreams {
  private stopped = false;
  private subscription?: Subscription<operations.NodeStreamRequestsSubscription>;
  private readonly halt = new AbortController();
  private readonly active = new Map<string, AbortController>();
  /** The requests INPUT writes to: interactive sessions and forwarded connections. */
  private readonly inputs = new Map<string, ExecStream | PortForwardStream>();
  private readonly serving = new Set<Promise<void>>();
  private loop?: Promise<void>;

  constructor(
    private readonly client: KubeqlClient,
    private readonly options: PodStreamsOptions,
  ) {}

  start(): this {
    this.loop ??= this.run();
    return this;
  }

  /** Ends the subscription, every log stream being served and every interactive command; others finish on their own. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.halt.abort();
    await this.subscription?.return();
    for (const controller of this.active.values()) controller.abort(ENDED);
    await this.loop;
    await Promise.allSettled([...this.serving]);
  }

  private async run(): Promise<void> {
    const { nodeName, log, clock = systemClock } = this.options;
    for (let attempt = 0; !this.stopped; attempt++) {
      const since = clock.now();
      try {
        this.subscription = subscribe(this.client, operations.NodeStreamRequestsDocument, { nodeName });
        for await (const { nodeStreamRequests: request } of this.subscription) this.handle(request);
      } catch (error) {
        if (!this.stopped) log(`node ${nodeName}: pod streams: ${messageOf(error)}`);
      }
      if (this.stopped) return;
      if (clock.now() - since >= HEALTHY_SUBSCRIPTION_MS) attempt = 0;
      await sleep(backoffDelay(attempt), this.halt.signal);
    }
  }

  private handle(request: Request): void {
    if (request.kind === 'CANCEL') {
      this.active.get(request.id)?.abort(ENDED);
      return;
    }
    if (request.kind === 'INPUT') {
      this.inputs.get(request.id)?.input(request.input);
      return;
    }
    const controller = new AbortController();
    this.active.set(request.id, controller);
    const served = (
      request.kind === 'LOGS'
        ? this.serveLogs(request, controller)
        : request.kind === 'EXEC_STREAM'
          ? this.serveExecStream(request, controller)
          : request.kind === 'PORT_FORWARD'
            ? this.servePortForward(request, controller)
            : this.serveExec(request)
    )
      .catch(async (error: unknown) => {
        // Ended on purpose: nobody waits for an answer. Else the user is told why, if the server can be told.
        if (controller.signal.reason === ENDED) return;
        try {
          await this.reply(request.id, { error: errorReply(error) });
        } catch (failure) {
          if (this.stopped) return;
          this.options.log(
            `node ${this.options.nodeName}: pod streams: ${messageOf(error)}; unreported: ${messageOf(failure)}`,
          );
        }
      })
      .finally(() => {
        this.active.delete(request.id);
        this.inputs.delete(request.id);
        this.serving.delete(served);
      });
    // What stop() waits for: log streams and sessions end on abort, a command runs to its end (or timeout) regardless.
    if (request.kind !== 'EXEC') this.serving.add(served);
  }

  private async serveLogs(request: Request, controller: AbortController): Promise<void> {
    const { podUid, container, logs } = request;
    await this.checkInstance(request, logs?.previous ?? false);
    // The first answer tells the server the request was taken up.
    if (!(await this.reply(request.id, {}))) return;
    const lines = this.options.runtime.logs(podUid!, container!, {
      follow: logs?.follow ?? false,
      previous: logs?.previous ?? false,
      tailLines: logs?.tailLines ?? undefined,
      sinceSeconds: logs?.sinceSeconds ?? undefined,
      signal: controller.signal,
    });
    const batcher = new Batcher((batch) => this.reply(request.id, { lines: batch }), controller);
    for await (const line of lines) {
      if (controller.signal.aborted) break;
      await batcher.add(line);
    }
    await batcher.flushed();
    if (!controller.signal.aborted) await this.reply(request.id, { done: true });
  }

  private async serveExec(request: Request): Promise<void> {
    const { podUid, container, exec } = request;
    await this.checkInstance(request, false);
    if (!(await this.reply(request.id, {}))) return;
    const result = await this.options.runtime.exec(podUid!, container!, exec?.command ?? [], {
      stdin: exec?.stdin ?? undefined,
      timeoutMs: (exec?.timeoutSeconds ?? 60) * 1000,
    });
    await this.reply(request.id, {
      exec: { ...result, stdout: truncate(result.stdout), stderr: truncate(result.stderr) },
    });
  }

  private async serveExecStream(request: Request, controller: AbortController): Promise<void> {
    const session = new ExecStream(request, controller, (reply) => this.reply(request.id, reply), ENDED);
    this.inputs.set(request.id, session);
    if (this.options.runtime.execStream) await this.checkInstance(request, false);
    await session.serve(this.options.runtime);
  }

  private async servePortForward(request: Request, controller: AbortController): Promise<void> {
    const connection = new PortForwardStream(
      request,
      controller,
      (reply) => this.reply(request.id, reply),
      ENDED,
    );
    this.inputs.set(request.id, connection);
    await connection.serve(this.options.runtime);
  }

  /** The kubelet's checks, whatever the runtime: the container has an instance (and one before it for `previous`). */
  private async checkInstance(request: Request, previous: boolean): Promise<void> {
    const { podUid, podName, container, init } = request;
    const pod = await this.options.runtime.getPod(podUid!);
    const instances = instancesOf(pod, container!, init ?? false);
    if (previous && !instances.previous) {
      throw new RuntimeError(
        'BAD_REQUEST',
        `previous terminated container "${container}" in pod "${podName}" not found`,
      );
    }
    if (!instances.current) {
      throw new RuntimeError(
        'BAD_REQUEST',
        `container "${container}" in pod "${podName}" is waiting to start: ContainerCreating`,
      );
    }
  }

  /** Sends an answer; resolves with whether the server still wants the request served. */
  private async reply(requestId: string, reply: Reply): Promise<boolean> {
    const data = await execute(this.client, operations.NodeStreamReplyDocument, {
      input: { nodeName: this.options.nodeName, requestId, ...reply },
    });
    return data.nodeStreamReply;
  }
}

/**
 * Gathers log lines into batches: a batch leaves as soon as none is on its way; while
 * one is, lines pile up, and `add` waits once the pile is full. A batch the server
 * refuses (the user went away) or that cannot be sent aborts the request.
 */
class Batcher {
  private batch: operations.LogLineInput[] = [];
  private bytes = 0;
  private sending?: Promise<void>;
  private failure?: unknown;

  constructor(
    private readonly send: (lines: operations.LogLineInput[]) => Promise<boolean>,
    private readonly controller: AbortController,
  ) {}

  async add(line: LogLine): Promise<void> {
    this.batch.push({
      stream: line.stream === 'stderr' ? 'STDERR' : 'STDOUT',
      time: line.time,
      text: line.text,
    });
    this.bytes += line.text.length;
    // Cleared in a later microtask, so always after it is set, even when nothing had to be sent.
    this.sending ??= this.drain().finally(() => (this.sending = undefined));
    if (this.batch.length >= MAX_BATCH_LINES || this.bytes >= MAX_BATCH_BYTES) await this.sending;
    if (this.failure) throw this.failure;
  }

  /** Resolves once every line added has been sent. */
  async flushed(): Promise<void> {
    await this.sending;
    if (this.failure) throw this.failure;
  }

  private async drain(): Promise<void> {
    try {
      while (this.batch.length > 0 && !this.controller.signal.aborted) {
        const lines = this.batch;
        this.batch = [];
        this.bytes = 0;
        if (!(await this.send(lines))) this.controller.abort(ENDED);
      }
    } catch (error) {
      this.failure = error;
      this.controller.abort();
    }
  }
}

function errorReply(error: unknown): { code: string; message: string } {
  if (error instanceof RuntimeError) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: messageOf(error) };
}

function truncate(text: string): string {
  if (Buffer.byteLength(text) <= MAX_EXEC_OUTPUT_BYTES) return text;
  return `${Buffer.from(text).subarray(0, MAX_EXEC_OUTPUT_BYTES).toString()}\n[output truncated at ${MAX_EXEC_OUTPUT_BYTES} bytes]\n`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
