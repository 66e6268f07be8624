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
  /** Standard input as a stream (for `exec -i`), when there is a real one. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(raw: boolean): unknown };
  env: Record<string, string | undefined>;
  cwd: string;
}

export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    readStdin: () => Promise.resolve(fs.readFileSync(0, 'utf8')),
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
}
