import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import type { Volume } from '../../schema/kinds/pod.ts';

type HostPathType = NonNullable<NonNullable<Volume['hostPath']>['type']>;

const WHAT: Partial<Record<HostPathType, [check: (stat: Stats) => boolean, what: string]>> = {
  Directory: [(s) => s.isDirectory(), 'a directory'],
  DirectoryOrCreate: [(s) => s.isDirectory(), 'a directory'],
  File: [(s) => s.isFile(), 'a file'],
  FileOrCreate: [(s) => s.isFile(), 'a file'],
  Socket: [(s) => s.isSocket(), 'a socket file'],
  CharDevice: [(s) => s.isCharacterDevice(), 'a character device'],
  BlockDevice: [(s) => s.isBlockDevice(), 'a block device'],
};

/**
 * Checks (and for the *OrCreate types creates) what a hostPath volume's `type` asks for,
 * as the kubelet does before mounting it: DirectoryOrCreate makes the directory and its
 * parents (0755), FileOrCreate an empty file (0644) but not its parent directory. Throws
 * the kubelet's message (`hostPath type check failed: /x is not a directory`); "" checks
 * nothing.
 */
export async function checkHostPath(hostPath: string, type: HostPathType | undefined): Promise<void> {
  if (!type) return;
  const expected = WHAT[type];
  if (!expected) throw new Error(`${type} is an invalid volume type`);
  const stat = await fs.stat(hostPath).catch(() => undefined);
  if (!stat && type === 'DirectoryOrCreate') {
    await fs.mkdir(hostPath, { recursive: true, mode: 0o755 }).catch(goError('mkdir', hostPath));
    return;
  }
  if (!stat && type === 'FileOrCreate') {
    await (await fs.open(hostPath, 'a', 0o644).catch(goError('open', hostPath))).close();
    return;
  }
  if (!stat || !expected[0](stat)) {
    throw new Error(`hostPath type check failed: ${hostPath} is not ${expected[1]}`);
  }
}

const STRERROR: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EACCES: 'permission denied',
  EEXIST: 'file exists',
  EROFS: 'read-only file system',
};

/** Node's errno errors in Go's words (`open /x/y: no such file or directory`), as the kubelet reports them. */
function goError(op: string, file: string) {
  return (error: NodeJS.ErrnoException): never => {
    throw new Error(`${op} ${file}: ${STRERROR[error.code ?? ''] ?? error.message}`);
  };
}
