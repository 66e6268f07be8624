import net from 'node:net';
import type { operations } from '../../client/index.ts';
import type { ContainerRuntime } from './runtime/runtime.ts';
import { RuntimeError } from './runtime/runtime-error.ts';

type Request = operations.NodeStreamRequestsSubscription['nodeStreamRequests'];
type Reply = Omit<operations.NodeStreamReplyInput, 'nodeName' | 'requestId'>;

/** A batch of bytes leaves once it holds this many, or as soon as the previous one is answered. */
const MAX_BATCH_BYTES = 256 * 1024;

/**
 * The agent's end of one forwarded connection (`kubectl port-forward`): connects to the
 * requested port on the pod's IP, then answers (the server holds the user's bytes until
 * then), sends what the pod sends in base64 batches (the next gathering while the
 * previous is on its way, the server answering only when the user has room; the socket
 * is not read meanwhile), and `done` once the pod closes the connection. INPUT requests
 * write the user's bytes, and close the sending side. The controller aborting (the user
 * went away, the agent stops, the server refused a batch) drops the connection.
 */
export class PortForwardStream {
  private socket?: net.Socket;

  constructor(
    private readonly request: Request,
    private readonly controller: AbortController,
    private readonly reply: (reply: Reply) => Promise<boolean>,
    /** Why to stop serving when the server no longer wants the request. */
    private readonly ended: string,
  ) {}

  input(input: Request['input']): void {
    if (!this.socket || !input) return;
    if (input.base64) this.socket.write(Buffer.from(input.base64, 'base64'));
    if (input.close) this.socket.end();
  }

  async serve(runtime: ContainerRuntime): Promise<void> {
    const { podUid, podName, portForward } = this.request;
    const port = portForward?.port ?? 0;
    const { signal } = this.controller;
    const ip = (await runtime.getPod(podUid!))?.ip;
    if (!ip) throw new RuntimeError('BAD_REQUEST', `pod ${podName} has no IP to forward port ${port} to`);
    // A connection refused reaches the user as UNAVAILABLE, with the node's name.
    const socket = await connect(ip, port, signal);
    this.socket = socket;
    signal.addEventListener('abort', () => socket.destroy(), { once: true });
    if (!(await this.reply({}))) return this.controller.abort(this.ended);
    let batch: Buffer[] = [];
    let bytes = 0;
    let sending: Promise<void> | undefined;
    let failure: unknown;
    const drain = async () => {
      try {
        while (batch.length > 0 && !signal.aborted) {
          const data = Buffer.concat(batch);
          batch = [];
          bytes = 0;
          if (!(await this.reply({ base64: data.toString('base64') }))) this.controller.abort(this.ended);
        }
      } catch (error) {
        failure = error;
        this.controller.abort();
      }
    };
    try {
      for await (const chunk of socket as AsyncIterable<Buffer>) {
        batch.push(chunk);
        bytes += chunk.length;
        // Cleared in a later microtask, so always after it is set.
        sending ??= drain().finally(() => (sending = undefined));
        if (bytes >= MAX_BATCH_BYTES) await sending;
        if (failure) throw failure;
      }
    } catch (error) {
      // Destroyed on abort: the iteration ends early, as asked.
      if (!signal.aborted) throw error;
    }
    await sending;
    if (failure) throw failure;
    if (!signal.aborted) await this.reply({ done: true });
  }
}

function connect(host: string, port: number, signal: AbortSignal): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, signal });
    socket.once('connect', () => {
      socket.off('error', reject);
      // Later errors reach whoever reads the socket; none may go unheard meanwhile.
      socket.on('error', () => {});
      resolve(socket);
    });
    socket.once('error', reject);
  });
}
