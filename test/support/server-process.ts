import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const KQ = path.join(ROOT, 'cmd', 'kq.ts');
const EXIT_WITH_PARENT = pathToFileURL(path.join(ROOT, 'test', 'support', 'exit-with-parent.mjs')).href;

/**
 * `kq server` as a process of its own, to be killed with SIGKILL, paused with SIGSTOP and
 * started again on the same port and data directory, as a crash or an OOM kill would.
 * It runs as `node --import tsx` rather than through `node_modules/.bin/tsx`: tsx's CLI
 * runs the program in a child process, which a SIGKILL to the CLI would leave running
 * (and holding the port).
 */
export class ServerProcess {
  readonly dataDir: string;
  port = 0;
  token = '';
  /** How long each start took (ms), to the line that says it listens. */
  readonly startTimes: number[] = [];
  /** Every line the server wrote, over all its lives: what a failure report shows. */
  readonly output: string[] = [];
  private readonly env: Record<string, string>;
  private readonly ownsDataDir: boolean;
  private child?: ChildProcess;
  private exited?: Promise<void>;

  constructor(options: { dataDir?: string; port?: number; env?: Record<string, string> } = {}) {
    this.env = options.env ?? {};
    this.ownsDataDir = options.dataDir === undefined;
    this.dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-proc-'));
    this.port = options.port ?? 0;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/graphql`;
  }

  /** Starts the server and resolves once it listens (the first start picks a free port, kept after). */
  async start(timeoutMs = 60_000): Promise<void> {
    if (this.child) throw new Error('the server is already running');
    const began = Date.now();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        EXIT_WITH_PARENT,
        KQ,
        'server',
        '--port',
        String(this.port),
        '--address',
        '127.0.0.1',
        '--data',
        this.dataDir,
      ],
      { cwd: ROOT, env: { ...process.env, ...this.env }, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const lines = (chunk: Buffer) => this.output.push(...chunk.toString().split('\n').filter(Boolean));
    child.stderr!.on('data', lines);
    const listening = new Promise<number>((resolve, reject) => {
      let buffered = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        lines(chunk);
        buffered += chunk.toString();
        const found = /listening on http:\/\/[^:]+:(\d+)\//.exec(buffered);
        if (found) resolve(Number(found[1]));
      });
      child.once('exit', (code, signal) =>
        reject(new Error(`the server exited (${signal ?? code}) before it listened:\n${this.tail()}`)),
      );
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the server did not listen within ${timeoutMs} ms:\n${this.tail()}`)),
        timeoutMs,
      );
    });
    try {
      this.port = await Promise.race([listening, timeout]);
    } catch (error) {
      await this.kill();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    this.startTimes.push(Date.now() - began);
    this.token ||= fs.readFileSync(path.join(this.dataDir, 'admin.token'), 'utf8').trim();
  }

  /** Sends `signal` (SIGKILL: no shutdown at all) and resolves once the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child) return;
    // A stopped process only acts on SIGKILL; SIGCONT lets it handle any other signal.
    if (signal !== 'SIGKILL') child.kill('SIGCONT');
    child.kill(signal);
    await this.exited;
    this.child = undefined;
  }

  /** SIGSTOP: the process holds its sockets open and answers nothing, as a hung server does. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  async restart(): Promise<void> {
    await this.kill('SIGKILL');
    await this.start();
  }

  /** Kills the server and removes the data directory it made. */
  async dispose(): Promise<void> {
    await this.kill('SIGKILL');
    if (this.ownsDataDir) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** The last lines the server wrote. */
  tail(n = 30): string {
    return this.output.slice(-n).join('\n');
  }
}
