import fs from 'node:fs/promises';
import path from 'node:path';
import { systemClock, type Clock } from '../../lib/clock.ts';

/** One file of a volume's content: its bytes and permission bits. */
export interface FileProjection {
  data: Buffer;
  mode: number;
}

const DATA_DIR = '..data';
const DATA_DIR_TMP = '..data_tmp';
const MAX_PATH_LENGTH = 4096;
const MAX_FILE_NAME_LENGTH = 255;

/**
 * Writes a volume's files so that a container reading them sees either the old set or
 * the new one, never a mix: the kubelet's AtomicWriter, which ConfigMap, Secret and
 * downward API volumes use. The files live in a timestamped directory
 * (`..2026_11_22_10_15_00.123456`); `..data` is a symlink to the current one, swapped by
 * rename (atomic); each top-level name the user sees is a symlink through `..data`
 * (`key -> ..data/key`). An update writes a whole new timestamped directory, swaps
 * `..data`, adds the new top-level links, drops the ones no longer in the payload and
 * removes the old directory.
 *
 * Not safe to call concurrently for one directory: callers serialize.
 */
export class AtomicWriter {
  constructor(
    readonly targetDir: string,
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * Makes the directory show exactly `payload` (relative path → file). Writes nothing
   * when the files already hold that content and mode. Returns whether it wrote.
   * Throws for a path that would escape the directory (absolute, `..`).
   */
  async write(payload: Record<string, FileProjection>): Promise<boolean> {
    const files = validatePayload(payload);
    const dataLink = path.join(this.targetDir, DATA_DIR);
    const oldTsName = await fs.readlink(dataLink).catch(ignore('ENOENT'));
    const oldTsDir = oldTsName === undefined ? undefined : path.join(this.targetDir, oldTsName);

    const stale = oldTsDir ? await pathsToRemove(files, oldTsDir) : new Set<string>();
    const changed = !oldTsDir || (await differs(files, oldTsDir));
    if (!changed && stale.size === 0) {
      // Nothing to write; still mend links an interrupted earlier write may have left out.
      await this.createUserVisibleFiles(files);
      return false;
    }

    const tsDir = await this.newTimestampDir();
    for (const [relative, file] of files) {
      const target = path.join(tsDir, relative);
      await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
      await fs.writeFile(target, file.data, { mode: file.mode });
      // writeFile's mode goes through the umask.
      await fs.chmod(target, file.mode);
    }

    const tmpLink = path.join(this.targetDir, DATA_DIR_TMP);
    await fs.rm(tmpLink, { force: true });
    await fs.symlink(path.basename(tsDir), tmpLink);
    await fs.rename(tmpLink, dataLink);

    await this.createUserVisibleFiles(files);
    for (const relative of stale) {
      // Only top-level names are links in the target directory; the rest went with the old directory.
      if (!relative.includes('/')) await fs.rm(path.join(this.targetDir, relative), { force: true });
    }
    if (oldTsDir) await fs.rm(oldTsDir, { recursive: true, force: true });
    return true;
  }

  /** `..2006_01_02_15_04_05.<random>`, as the kubelet names them. */
  private async newTimestampDir(): Promise<string> {
    const now = new Date(this.clock.now());
    const pad = (n: number) => String(n).padStart(2, '0');
    const stamp =
      `..${now.getUTCFullYear()}_${pad(now.getUTCMonth() + 1)}_${pad(now.getUTCDate())}_` +
      `${pad(now.getUTCHours())}_${pad(now.getUTCMinutes())}_${pad(now.getUTCSeconds())}.`;
    const dir = await fs.mkdtemp(path.join(this.targetDir, stamp));
    await fs.chmod(dir, 0o755);
    return dir;
  }

  /** `name -> ..data/name` for every top-level name of the payload that has no link yet. */
  private async createUserVisibleFiles(files: Map<string, FileProjection>): Promise<void> {
    const tops = new Set([...files.keys()].map((relative) => relative.split('/')[0]));
    for (const top of tops) {
      const link = path.join(this.targetDir, top);
      const existing = await fs.lstat(link).catch(ignore('ENOENT'));
      if (!existing) await fs.symlink(path.join(DATA_DIR, top), link);
    }
  }
}

/** The payload with clean relative paths; throws the kubelet's message for a bad one. */
function validatePayload(payload: Record<string, FileProjection>): Map<string, FileProjection> {
  const files = new Map<string, FileProjection>();
  for (const [relative, file] of Object.entries(payload)) {
    validatePath(relative);
    files.set(path.posix.normalize(relative).replace(/\/+$/, ''), file);
  }
  return files;
}

function validatePath(target: string): void {
  if (target === '') throw new Error(`invalid path: must not be empty: "${target}"`);
  if (target.startsWith('/')) throw new Error(`invalid path: must be relative path: ${target}`);
  if (target.length > MAX_PATH_LENGTH) {
    throw new Error(`invalid path: must be less than or equal to ${MAX_PATH_LENGTH} characters`);
  }
  const items = target.split('/');
  for (const item of items) {
    if (item === '..') throw new Error(`invalid path: must not contain '..': ${target}`);
    if (item.length > MAX_FILE_NAME_LENGTH) {
      throw new Error(
        `invalid path: filenames must be less than or equal to ${MAX_FILE_NAME_LENGTH} characters`,
      );
    }
  }
  if (items[0].startsWith('..') && items[0].length > 2) {
    throw new Error(`invalid path: must not start with '..': ${target}`);
  }
}

/** Whether any file of the payload is missing from `dir` or differs in content or mode. */
async function differs(files: Map<string, FileProjection>, dir: string): Promise<boolean> {
  for (const [relative, file] of files) {
    const target = path.join(dir, relative);
    const stat = await fs.stat(target).catch(ignore('ENOENT', 'ENOTDIR'));
    if (!stat?.isFile() || (stat.mode & 0o777) !== file.mode || stat.size !== file.data.length) return true;
    if (!(await fs.readFile(target)).equals(file.data)) return true;
  }
  return false;
}

/** What the old directory holds (files and directories, relative) that the new payload does not. */
async function pathsToRemove(files: Map<string, FileProjection>, oldTsDir: string): Promise<Set<string>> {
  const existing = (await fs.readdir(oldTsDir, { recursive: true }).catch(ignore('ENOENT'))) ?? [];
  const wanted = new Set<string>();
  for (const relative of files.keys()) {
    // A file's parent directories stay too.
    for (let sub = relative; sub !== '.'; sub = path.posix.dirname(sub)) wanted.add(sub);
  }
  return new Set(existing.map((p) => p.split(path.sep).join('/')).filter((p) => !wanted.has(p)));
}

/** A catch handler that turns the given error codes into undefined. */
function ignore(...codes: string[]) {
  return (error: NodeJS.ErrnoException): undefined => {
    if (!codes.includes(error.code ?? '')) throw error;
    return undefined;
  };
}
