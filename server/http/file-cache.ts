import fs from 'node:fs/promises';
import { PreparedBody } from './compressed-files.ts';

/** A build's files are small (the dashboard's largest is ~0.5 MB); a bigger one is streamed as it is. */
export const MAX_CACHED_FILE = 8 * 1024 * 1024;
/** Room for several builds side by side (a rebuild while browsers still hold the old one). */
const MAX_CACHED_BYTES = 64 * 1024 * 1024;

interface Entry {
  signature: string;
  prepared: Promise<PreparedBody>;
  size: number;
}

/**
 * Files read, hashed and compressed once, then kept while they stay the same on disk: a
 * stat per request notices a rebuild (size, mtime, inode) and reads the new file. Bounded:
 * past MAX_CACHED_BYTES the oldest files are dropped, to be read again if asked for.
 */
export class FileCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  /** The prepared file, or undefined when it is too big to keep (the caller streams it). */
  get(
    file: string,
    stat: { size: number; mtimeMs: number; ino: number },
    type: string,
  ): Promise<PreparedBody> | undefined {
    if (stat.size > MAX_CACHED_FILE) return undefined;
    const signature = `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
    const cached = this.entries.get(file);
    if (cached?.signature === signature) return cached.prepared;
    this.drop(file);
    // Concurrent requests share one read; an unreadable file is not remembered.
    const prepared = fs.readFile(file).then((body) => new PreparedBody(body, type));
    prepared.catch(() => this.entries.get(file)?.prepared === prepared && this.drop(file));
    this.entries.set(file, { signature, prepared, size: stat.size });
    this.bytes += stat.size;
    for (const [oldest] of this.entries) {
      if (this.bytes <= MAX_CACHED_BYTES || oldest === file) break;
      this.drop(oldest);
    }
    return prepared;
  }

  private drop(file: string): void {
    const entry = this.entries.get(file);
    if (!entry) return;
    this.entries.delete(file);
    this.bytes -= entry.size;
  }
}
