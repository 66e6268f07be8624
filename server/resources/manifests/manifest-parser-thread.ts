import { Worker } from 'node:worker_threads';
import { ApiError } from '../../errors.ts';
import { READY, type ParseReply, type ParseRequest } from './manifest-worker.ts';

const ENTRY = new URL('./manifest-worker-entry.mjs', import.meta.url);

/** A worker not ready by then (it compiles its TypeScript first) is given up on. */
const STARTUP_MS = 60_000;

export interface ParserThreadOptions {
  /** A parse running longer is abandoned with its worker (a new one takes the next). */
  timeoutMs: number;
  /** Parses waiting for the worker; more are refused with TOO_MANY_REQUESTS. */
  maxQueued: number;
  /** The worker's heap: a parse that needs more fails alone, the server lives on. */
  maxHeapMb: number;
}

interface Job {
  id: number;
  text: string;
  resolve(json: string): void;
  reject(error: Error): void;
}

interface Running {
  job: Job;
  timer?: NodeJS.Timeout;
}

/**
 * Large manifests are parsed on one worker thread, one at a time, so that the event
 * loop goes on serving while YAML's parser takes its seconds, and a parse that runs
 * away in time or memory costs its worker, not the server. Started on first use; it
 * holds the process open only while it has work.
 */
export class ManifestParserThread {
  private worker?: Worker;
  private ready = false;
  private running?: Running;
  private readonly queue: Job[] = [];
  private nextId = 1;

  constructor(private readonly options: ParserThreadOptions) {}

  /** The manifests' objects as JSON text. */
  parse(text: string): Promise<string> {
    if (this.queue.length >= this.options.maxQueued) {
      return Promise.reject(
        new ApiError(
          'TOO_MANY_REQUESTS',
          'too many large manifests are waiting to be parsed; try again later',
        ),
      );
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, text, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    if (this.running || this.queue.length === 0) return;
    const job = this.queue.shift()!;
    const worker = this.worker ?? this.start();
    this.running = { job };
    if (this.ready) this.startClock(worker);
    worker.ref();
    worker.postMessage({ id: job.id, text: job.text } satisfies ParseRequest);
  }

  /** The running parse's time starts once the worker listens. */
  private startClock(worker: Worker): void {
    const running = this.running;
    if (!running) return;
    clearTimeout(running.timer);
    const seconds = this.options.timeoutMs / 1000;
    running.timer = setTimeout(() => {
      this.abandon(
        worker,
        new ApiError(
          'BAD_REQUEST',
          `error parsing manifests: parsing took longer than the limit of ${seconds} s; apply them in smaller parts`,
        ),
      );
    }, this.options.timeoutMs);
  }

  private start(): Worker {
    const worker = new Worker(ENTRY, {
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb },
    });
    this.worker = worker;
    this.ready = false;
    const startup = setTimeout(
      () => this.abandon(worker, new Error('the manifest parser thread did not start')),
      STARTUP_MS,
    );
    startup.unref();
    worker.on('message', (message: ParseReply | typeof READY) => {
      if (message !== READY) return this.settle(message);
      clearTimeout(startup);
      this.ready = true;
      this.startClock(worker);
    });
    worker.on('error', (error: Error & { code?: string }) => {
      const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.abandon(
        worker,
        outOfMemory
          ? new ApiError(
              'BAD_REQUEST',
              `error parsing manifests: parsing needs more than the limit of ${this.options.maxHeapMb} MiB of memory`,
            )
          : error,
      );
    });
    worker.on('exit', () => {
      clearTimeout(startup);
      this.abandon(worker, new Error('the manifest parser thread exited'));
    });
    return worker;
  }

  private settle(reply: ParseReply): void {
    const running = this.running;
    if (!running || running.job.id !== reply.id) return;
    clearTimeout(running.timer);
    this.running = undefined;
    this.worker?.unref();
    if ('json' in reply) running.job.resolve(reply.json);
    else if ('invalid' in reply) running.job.reject(new ApiError('BAD_REQUEST', reply.invalid));
    else running.job.reject(new Error(`the manifest parser failed: ${reply.failed}`));
    this.pump();
  }

  /** The worker died or hung: its job fails, the queue moves on to a new worker. */
  private abandon(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    void worker.terminate();
    const running = this.running;
    this.running = undefined;
    if (running) {
      clearTimeout(running.timer);
      running.job.reject(error);
    }
    this.pump();
  }
}
