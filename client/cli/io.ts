import fs from 'node:fs';

/**
 * Where a command reads and writes: the process's streams for `kq`, buffers in tests
 * that run a command in-process. Verbs never touch `process` directly.
 */
export interface CliIO {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** All of standard input (for `-f -`). */
  readStdin(): Promise<string>;
  env: Record<string, string | undefined>;
  cwd: string;
}

export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    readStdin: () => Promise.resolve(fs.readFileSync(0, 'utf8')),
    env: process.env,
    cwd: process.cwd(),
  };
}
