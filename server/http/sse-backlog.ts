/**
 * The results queued on one event stream and not yet written to its client, bounded:
 * an operation takes its next result only while there is room (sse-operations.ts), and
 * the stream makes room as it writes. Closed with its stream, it holds nobody back.
 */
export class Backlog {
  private unsent = 0;
  private closed = false;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly max: number) {}

  /** A result was handed to the stream. */
  queued(): void {
    this.unsent++;
  }

  /** A result was written to the client. */
  sent(): void {
    this.unsent--;
    if (this.unsent < this.max) this.wake();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  /** Resolves once the stream has room for another result, or has closed. */
  async room(): Promise<void> {
    while (!this.closed && this.unsent >= this.max)
      await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private wake(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}
