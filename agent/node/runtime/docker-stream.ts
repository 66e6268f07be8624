import type { Readable } from 'node:stream';

export type StreamName = 'stdout' | 'stderr';

/**
 * Splits the engine's multiplexed attach/log stream (8-byte frame headers: stream id,
 * then payload length) into stdout and stderr chunks. With a TTY there are no frames
 * and everything is stdout.
 */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly tty: boolean) {}

  push(chunk: Buffer): Array<{ stream: StreamName; data: Buffer }> {
    if (this.tty) return [{ stream: 'stdout', data: chunk }];
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: Array<{ stream: StreamName; data: Buffer }> = [];
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      out.push({
        stream: this.pending[0] === 2 ? 'stderr' : 'stdout',
        data: this.pending.subarray(8, 8 + size),
      });
      this.pending = this.pending.subarray(8 + size);
    }
    return out;
  }
}

/** Reassembles lines per stream from chunks that may cut them anywhere. */
export class LineSplitter {
  private readonly partial: Record<StreamName, string> = { stdout: '', stderr: '' };

  push(stream: StreamName, data: Buffer): string[] {
    const text = this.partial[stream] + data.toString('utf8');
    const lines = text.split('\n');
    this.partial[stream] = lines.pop()!;
    return lines;
  }

  /** What is left without a final line break. */
  flush(): Array<{ stream: StreamName; line: string }> {
    const rest = (['stdout', 'stderr'] as const)
      .filter((stream) => this.partial[stream] !== '')
      .map((stream) => ({ stream, line: this.partial[stream] }));
    this.partial.stdout = this.partial.stderr = '';
    return rest;
  }
}

/** Reads a stream to its end as chunks, yielding them as they come; stops when `signal` aborts. */
export async function* chunksOf(stream: Readable, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const abort = () => stream.destroy();
  signal?.addEventListener('abort', abort, { once: true });
  try {
    for await (const chunk of stream) {
      if (signal?.aborted) return;
      yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    }
  } catch (error) {
    if (!signal?.aborted) throw error;
  } finally {
    signal?.removeEventListener('abort', abort);
    stream.destroy();
  }
}
