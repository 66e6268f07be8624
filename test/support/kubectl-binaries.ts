import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The real kubectl binaries the REST API is tested with: each minor version is installed
 * as `kubectl.1.NN` beside the file `kubectl` on the PATH links to. A missing one is
 * reported loudly once, and the tests that need it skip.
 */
export function kubectlBinaries(
  suite: string,
  versions = ['1.33', '1.32'],
): Record<string, string | undefined> {
  let dir: string | undefined;
  try {
    dir = path.dirname(fs.realpathSync(execFileSync('which', ['kubectl'], { encoding: 'utf8' }).trim()));
  } catch {
    dir = undefined;
  }
  const found: Record<string, string | undefined> = {};
  for (const version of versions) {
    const file = dir && path.join(dir, `kubectl.${version}`);
    found[version] = file && fs.existsSync(file) ? file : undefined;
    if (!found[version])
      console.warn(`\n!!! kubectl ${version} NOT FOUND: the ${suite} tests for it are SKIPPED !!!\n`);
  }
  return found;
}

export interface KubectlRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one kubectl command with only the given kubeconfig and home: nothing of the machine's. */
export function runKubectl(
  binary: string,
  args: readonly string[],
  env: { home: string; kubeconfig: string },
  timeoutMs = 30_000,
): Promise<KubectlRun> {
  return new Promise((resolve) => {
    execFile(
      binary,
      args,
      {
        env: { PATH: process.env.PATH ?? '', HOME: env.home, KUBECONFIG: env.kubeconfig },
        timeout: timeoutMs,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}
