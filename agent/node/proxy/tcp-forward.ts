import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock, type Clock } from '../../../lib/clock.ts';
import type { Backend } from './balancer.ts';

export interface ForwardOptions {
  /**
   * The backends to try, in order; asked again for every round, so that endpoints that
   * appeared meanwhile (a rolling update) are tried too.
   */
  candidates(): Backend[];
  /** Told which backend took the connection. */
  connected(backend: Backend): void;
  /** How long a connection may look for a backend before it is reset. */
  deadlineMs: number;
  /** How long one connect attempt may take. */
  attemptTimeoutMs: number;
  /** Told of each socket of the connection, to destroy them on shutdown. */
  track(socket: net.Socket): void;
  /** Where the deadline is read (the system clock by default). */
  clock?: Clock;
}

/** Between rounds over every backend, when all of them refused. */
const ROUND_PAUSE_MS = 100;
/** Client bytes kept until the backend answers, for a replay elsewhere; a longer request is not replayed. */
const REPLAY_LIMIT = 64 * 1024;

/**
 * Connects an accepted client (paused) to the first backend that takes it and splices
 * the two. A refused or unanswered connect moves on to the next backend, so a backend
 * that is going away costs the client nothing as long as another one is up. So does a
 * backend that resets or closes the connection before answering a byte (and, for a
 * close, before the client half-closed): that is what a server closing its listening
 * socket does to the connections it has not accepted or served yet. The client's bytes,
 * kept until the first answer (up to 64 KiB), are replayed to the next backend, as
 * Envoy's retry on reset does.
 * Without any backend by the deadline the client is reset, as a connection to a closed
 * port would be.
 */
export async function forward(client: net.Socket, options: ForwardOptions): Promise<void> {
  options.track(client);
  client.on('error', () => client.destroy());
  const deadline = (options.clock ?? systemClock).now() + options.deadlineMs;
  let recorder: Recorder | undefined;
  for (;;) {
    const found = await connectAny(client, options, deadline);
    if (!found) {
      if (!client.destroyed) client.resetAndDestroy();
      return;
    }
    options.track(found.upstream);
    options.connected(found.backend);
    recorder ??= new Recorder(client);
    if ((await relay(client, found.upstream, recorder)) === 'done') return;
  }
}

async function connectAny(
  client: net.Socket,
  options: ForwardOptions,
  deadline: number,
): Promise<{ upstream: net.Socket; backend: Backend } | undefined> {
  const clock = options.clock ?? systemClock;
  while (!client.destroyed && clock.now() < deadline) {
    for (const backend of options.candidates()) {
      const left = deadline - clock.now();
      if (client.destroyed || left <= 0) break;
      const upstream = await connect(backend, Math.min(options.attemptTimeoutMs, left));
      if (!upstream) continue;
      if (!client.destroyed) return { upstream, backend };
      upstream.destroy();
      return undefined;
    }
    await sleep(Math.max(0, Math.min(ROUND_PAUSE_MS, deadline - clock.now())));
  }
  return undefined;
}

function connect(backend: Backend, timeoutMs: number): Promise<net.Socket | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: backend.ip, port: backend.port, allowHalfOpen: true });
    const fail = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(undefined);
    };
    const timer = setTimeout(fail, timeoutMs);
    socket.once('error', fail);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      resolve(socket);
    });
  });
}

/** What the client sent (and whether it half-closed), kept until the backend answers. */
class Recorder {
  chunks: Buffer[] = [];
  private bytes = 0;
  replayable = true;
  ended = false;

  constructor(client: net.Socket) {
    client.on('data', (chunk: Buffer) => {
      if (!this.replayable) return;
      this.bytes += chunk.length;
      if (this.bytes > REPLAY_LIMIT) this.forget();
      else this.chunks.push(chunk);
    });
    client.once('end', () => (this.ended = true));
  }

  forget(): void {
    this.replayable = false;
    this.chunks = [];
  }
}

/**
 * Copies both ways, passing half-closes on. Resolves 'retry' (with the client paused and
 * detached) when the backend goes away before its first byte and the client's bytes can
 * still be replayed; otherwise 'done' once the backend answered or closed.
 */
function relay(client: net.Socket, upstream: net.Socket, recorder: Recorder): Promise<'done' | 'retry'> {
  return new Promise((resolve) => {
    let answered = false;
    upstream.once('data', () => {
      answered = true;
      recorder.forget();
      resolve('done');
    });
    const retry = () => {
      client.unpipe(upstream);
      client.pause();
      upstream.destroy();
      resolve('retry');
    };
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      const reset = error.code === 'ECONNRESET' || error.code === 'EPIPE';
      if (!answered && reset && recorder.replayable && !client.destroyed) return retry();
      client.destroy();
      upstream.destroy();
      resolve('done');
    });
    upstream.on('end', () => {
      // A close before any answer to a client still talking: the server died between accept and reading.
      if (!answered && recorder.replayable && !recorder.ended && !client.destroyed) return retry();
      client.end();
    });
    upstream.on('close', () => resolve('done'));
    client.on('error', () => upstream.destroy());
    upstream.pipe(client, { end: false });
    for (const chunk of recorder.chunks) upstream.write(chunk);
    if (recorder.ended) upstream.end();
    else client.pipe(upstream);
  });
}
