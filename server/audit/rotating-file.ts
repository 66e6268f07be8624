import fs from 'node:fs/promises';
import path from 'node:path';

export interface Rotation {
  /** Rotate before a write would take the file past this many bytes; 0 never rotates. */
  maxBytes: number;
  /** Rotated files kept, the newest; 0 keeps them all (as kube-apiserver's --audit-log-maxbackup). */
  maxBackups: number;
}

/**
 * An append-only file that is renamed aside, as kube-apiserver's audit log is, once it
 * would grow past `maxBytes`: `audit.log` becomes `audit-2026-12-07T20-15-04.123.log`, and
 * the oldest such files beyond `maxBackups` are removed. Appends are serialized by the caller.
 */
export class RotatingFile {
  private size: number | undefined;
  /** When the last rotation was stamped: two in one millisecond must not share a name. */
  private lastStamp = 0;

  constructor(
    readonly file: string,
    private readonly rotation: Rotation,
  ) {}

  async append(text: string): Promise<void> {
    const bytes = Buffer.byteLength(text);
    if (this.size === undefined) {
      await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      this.size = await fs.stat(this.file).then(
        (stat) => stat.size,
        () => 0,
      );
    }
    if (this.rotation.maxBytes > 0 && this.size > 0 && this.size + bytes > this.rotation.maxBytes) {
      await this.rotate();
    }
    // Owner-only, as the admin token: the log names every caller and object.
    await fs.appendFile(this.file, text, { mode: 0o600 });
    this.size += bytes;
  }

  private async rotate(): Promise<void> {
    const { dir, name, ext } = path.parse(this.file);
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    const stamp = new Date(this.lastStamp).toISOString().replace(/:/g, '-').replace(/Z$/, '');
    await fs.rename(this.file, path.join(dir, `${name}-${stamp}${ext}`));
    this.size = 0;
    if (this.rotation.maxBackups <= 0) return;
    const backups = (await fs.readdir(dir))
      .filter((entry) => isBackupOf(entry, name, ext))
      .sort()
      .reverse();
    await Promise.all(
      backups.slice(this.rotation.maxBackups).map((old) => fs.rm(path.join(dir, old), { force: true })),
    );
  }
}

/** Whether `entry` is a rotated copy of `name{ext}`: `name-<timestamp>{ext}`, which sort by age. */
function isBackupOf(entry: string, name: string, ext: string): boolean {
  if (!entry.startsWith(`${name}-`) || !entry.endsWith(ext)) return false;
  const stamp = entry.slice(name.length + 1, entry.length - ext.length);
  return /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}$/.test(stamp);
}
