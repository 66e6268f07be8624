import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runVerb } from '../../cli/verbs/runner.ts';

// Shared by the kq tests (test/cli-*.test.ts): the CLI run in-process with captured
// streams, or as the real `kq` process, against a server given by URL and token.

export interface KqResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KqTarget {
  url: string;
  token: string;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** What users run: the launcher, which runs the build (and makes it first when missing or stale). */
const KQ = path.join(ROOT, 'bin', 'kq.mjs');

/** An environment for kq that knows nothing of the caller's own config. */
export function kqEnv(
  target: KqTarget | undefined,
  extra: Record<string, string> = {},
): Record<string, string> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'kq-home-'));
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    ...(target ? { KQ_SERVER: target.url, KQ_TOKEN: target.token } : {}),
    ...extra,
  };
}

/** `kq VERB ARGS` in this process, through the same runVerb the binary uses. */
export async function kq(
  target: KqTarget | undefined,
  argv: string[],
  options: { env?: Record<string, string>; stdin?: string; cwd?: string } = {},
): Promise<KqResult> {
  let stdout = '';
  let stderr = '';
  const [verb, ...rest] = argv;
  const code = await runVerb(verb, rest, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    readStdin: async () => options.stdin ?? '',
    env: options.env ?? kqEnv(target),
    cwd: options.cwd ?? process.cwd(),
  });
  return { code, stdout, stderr };
}

/** The real `kq` process (bin/kq.mjs ARGS, as installed). */
export function kqProcess(
  argv: string[],
  options: { env?: Record<string, string>; stdin?: string; cwd?: string; timeoutMs?: number } = {},
): Promise<KqResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KQ, ...argv], {
      env: options.env ?? kqEnv(undefined),
      cwd: options.cwd ?? ROOT,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

/** A long-running `kq` (get -w): its output so far, a wait for a pattern, and a stop. */
export function kqStream(argv: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [KQ, ...argv], { env, cwd: ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return {
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    async waitFor(pattern: RegExp, ms = 15_000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!pattern.test(stdout)) {
        if (Date.now() > deadline)
          throw new Error(`kq ${argv.join(' ')}: no ${pattern} in:\n${stdout}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop(): Promise<void> {
      return new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.on('close', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}

/** A temporary directory with these files. */
export function files(contents: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kq-files-'));
  for (const [name, text] of Object.entries(contents)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** One line on stderr, no stack trace: what every failure must look like. */
export function expectOneLineError(result: KqResult): string {
  const lines = result.stderr.split('\n').filter((line) => line.trim() && !/^npm warn/.test(line));
  if (result.code === 0) throw new Error(`expected a failure, got exit 0: ${result.stdout}`);
  if (lines.some((line) => /^\s+at |\.ts:\d+/.test(line)))
    throw new Error(`stack trace in stderr:\n${result.stderr}`);
  return lines[0] ?? '';
}
