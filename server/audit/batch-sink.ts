import type { AuditEvent } from './event.ts';

/** Where batches of audit lines go: a rotating file, or standard output. */
export interface LineWriter {
  append(text: string): Promise<void>;
}

export interface SinkCounters {
  /** Events accepted into the buffer. */
  events: number;
  /** Events dropped (a full buffer) or lost (a failed write). */
  errors: number;
}

/**
 * kube-apiserver's batch backend, in small: requests hand events over and go on; events
 * are serialized and appended in batches, one write at a time, off the request's path.
 * While a slow disk holds a write, at most `maxBuffered` events wait; beyond that new ones
 * are dropped and counted, so memory stays bounded whatever the disk does.
 */
export class BatchSink {
  private buffer: AuditEvent[] = [];
  private draining: Promise<void> | undefined;
  readonly counters: SinkCounters = { events: 0, errors: 0 };

  constructor(
    private readonly writer: LineWriter,
    private readonly maxBuffered: number,
    private readonly log: (line: string) => void,
  ) {}

  add(event: AuditEvent): void {
    if (this.buffer.length >= this.maxBuffered) {
      this.counters.errors++;
      return;
    }
    this.counters.events++;
    this.buffer.push(event);
    // The first event of a burst schedules the drain; the rest ride along in its batch.
    this.draining ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
  }

  /** Resolves once every event handed over so far is written (or counted as lost). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer;
      this.buffer = [];
      let text = '';
      for (const event of batch) text += JSON.stringify(event) + '\n';
      try {
        await this.writer.append(text);
      } catch (error) {
        this.counters.errors += batch.length;
        this.log(
          `audit: ${batch.length} events lost: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    this.draining = undefined;
  }
}

/** Standard output as a LineWriter (`--audit-log-path -`), waiting out its backpressure. */
export const stdoutWriter: LineWriter = {
  append: (text) =>
    new Promise<void>((resolve, reject) =>
      process.stdout.write(text, (error) => (error ? reject(error) : resolve())),
    ),
};
