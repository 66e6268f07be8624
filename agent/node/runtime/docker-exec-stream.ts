import fs from 'node:fs';
import type { Duplex } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type Docker from 'dockerode';
import { chunksOf, FrameDecoder } from './docker-stream.ts';
import type { ExecProcess, ExecStreamOptions } from './runtime.ts';

/**
 * An interactive `docker exec`: the command runs with stdin attached over a hijacked
 * connection (in a TTY when asked: raw output, one stream). Output is decoded as UTF-8
 * per stream, so a character cut between two chunks stays whole.
 *
 * The engine has no call to kill an exec, and dropping the connection leaves the
 * process running (a shell reading a TTY included). So when `signal` aborts, the
 * process is killed by its host pid, which works when the engine runs on this host
 * and the agent may signal its processes; the pid is first checked to be in the
 * container's cgroup, so a pid of another host (or reused) is never signalled.
 */
export async function startExecStream(
  target: Docker.Container,
  command: string[],
  options: ExecStreamOptions,
): Promise<ExecProcess> {
  const exec = await target.exec({
    Cmd: command,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: options.tty,
  });
  const stream = (await exec.start({ hijack: true, stdin: true, Tty: options.tty })) as unknown as Duplex;
  const { signal } = options;
  const kill = () => void killExec(exec, target.id).catch(() => {});
  signal.addEventListener('abort', kill, { once: true });
  let ended!: () => void;
  const outputEnded = new Promise<void>((resolve) => (ended = resolve));

  async function* output(): AsyncGenerator<{ stream: 'stdout' | 'stderr'; data: string }> {
    const decoder = new FrameDecoder(options.tty);
    const text = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
    try {
      for await (const chunk of chunksOf(stream, signal)) {
        for (const frame of decoder.push(chunk)) {
          const data = text[frame.stream].write(frame.data);
          if (data) yield { stream: frame.stream, data };
        }
      }
      for (const name of ['stdout', 'stderr'] as const) {
        const rest = text[name].end();
        if (rest) yield { stream: name, data: rest };
      }
    } finally {
      signal.removeEventListener('abort', kill);
      ended();
    }
  }

  return {
    stdin: {
      write: (data) => void stream.write(data),
      // Half-closes the connection: the engine closes the command's stdin and keeps its output coming.
      end: () => void stream.end(),
    },
    output: output(),
    exit: outputEnded.then(async () => (await exec.inspect()).ExitCode ?? -1),
  };
}

async function killExec(exec: Docker.Exec, containerId: string): Promise<void> {
  const { Running, Pid } = await exec.inspect();
  if (!Running || !Pid) return;
  const cgroup = await fs.promises.readFile(`/proc/${Pid}/cgroup`, 'utf8').catch(() => '');
  if (!cgroup.includes(containerId)) return;
  process.kill(Pid, 'SIGKILL');
}
