import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodObject } from '../../agent/objects.ts';
import { createClient, type KubeqlClient, type Subscription } from '../../client/index.ts';
import { kqEnv, kqProcess } from '../support/cli.ts';
import { startDockerCluster, type DockerCluster } from '../support/docker.ts';
import { startHollowCluster, type HollowCluster } from '../support/hollow.ts';
import { waitFor } from '../support/wait.ts';

// Interactive exec (execPodSession + execPodInput) on real containers, through the API
// server's WebSocket and the node agent's tunnel, and `kq exec -i` on top of it.

interface ExecEvent {
  session: string | null;
  stream: 'STDOUT' | 'STDERR' | null;
  data: string | null;
  exitCode: number | null;
}

const SESSION = `subscription($ns: String, $pod: String!, $cmd: [String!]!, $tty: Boolean) {
  execPodSession(namespace: $ns, name: $pod, command: $cmd, tty: $tty) { session stream data exitCode } }`;
const INPUT = `mutation($session: ID!, $data: String, $close: Boolean) {
  execPodInput(session: $session, data: $data, close: $close) }`;

/** One session as a user sees it: the events so far, and how it ended. */
function openSession(client: KubeqlClient, pod: string, command: string[], tty = false) {
  const events: Subscription<{ execPodSession: ExecEvent }> = client.subscribe(SESSION, {
    pod,
    cmd: command,
    tty,
  });
  const state = {
    id: undefined as string | undefined,
    stdout: '',
    stderr: '',
    exitCode: undefined as number | undefined,
    error: undefined as (Error & { code?: string }) | undefined,
    ended: false,
  };
  const done = (async () => {
    try {
      for await (const { execPodSession: e } of events) {
        if (e.session) state.id = e.session;
        if (e.data != null) state[e.stream === 'STDERR' ? 'stderr' : 'stdout'] += e.data;
        if (e.exitCode != null) state.exitCode = e.exitCode;
      }
    } catch (error) {
      state.error = error as Error;
    } finally {
      state.ended = true;
    }
  })();
  const started = () => waitFor(() => state.id ?? state.error, { ms: 15_000, what: 'the session id' });
  return {
    state,
    done,
    started,
    async write(data?: string, close?: boolean) {
      await started();
      return client.request<{ execPodInput: boolean }>(INPUT, { session: state.id, data, close });
    },
    output: (pattern: RegExp) =>
      waitFor(() => pattern.test(state.stdout), { ms: 15_000, what: `output ${pattern}` }),
    unsubscribe: () => events.return(),
  };
}

describe('interactive exec on Docker', () => {
  let c: DockerCluster;
  let user: KubeqlClient;
  const ns = 'default';

  const ps = async (pod: string) =>
    (
      await c.client.request<{ execPod: { stdout: string } }>(
        `mutation($ns: String!, $pod: String!) { execPod(namespace: $ns, name: $pod, command: ["ps"]) { stdout } }`,
        { ns, pod },
      )
    ).execPod.stdout;

  beforeAll(async () => {
    c = await startDockerCluster();
    user = createClient({ url: c.url, token: c.token });
    await c.writer.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'shell', namespace: ns },
      spec: {
        containers: [
          {
            name: 'main',
            image: 'kubeql/busybox:stable',
            command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'],
          },
        ],
      },
    });
    await waitFor(
      async () => (await c.client.get<PodObject>('Pod', 'shell', ns))?.status?.phase === 'Running',
      { ms: 60_000, every: 100, what: 'pod shell running' },
    );
  }, 120_000);
  afterAll(async () => {
    await user?.close();
    await c?.stop();
  }, 60_000);

  it('runs a shell fed line by line, and ends with its exit code', async () => {
    const s = openSession(user, 'shell', ['sh']);
    await s.write('echo hello\n');
    await s.output(/^hello\n$/);
    await s.write('echo oops >&2\n');
    await waitFor(() => s.state.stderr === 'oops\n', { what: 'stderr' });
    await s.write('exit 3\n');
    await s.done;
    expect(s.state).toMatchObject({ stdout: 'hello\n', stderr: 'oops\n', exitCode: 3, error: undefined });
  }, 30_000);

  it('echoes stdin with cat until end of file, then exits 0', async () => {
    const s = openSession(user, 'shell', ['cat']);
    await s.write('one\n');
    await s.output(/^one\n$/);
    await s.write('two, héllo ✓\n', true);
    await s.done;
    expect(s.state).toMatchObject({ stdout: 'one\ntwo, héllo ✓\n', exitCode: 0, error: undefined });
    // The session is over: its stdin is gone.
    await expect(s.write('late\n')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  }, 30_000);

  it('runs in a terminal with tty: raw output on one stream, echo included', async () => {
    const s = openSession(user, 'shell', ['sh'], true);
    await s.write('echo $((6*7))\n');
    await s.output(/\r\n42\r\n/);
    await s.write('exit 5\n');
    await s.done;
    expect(s.state).toMatchObject({ stderr: '', exitCode: 5, error: undefined });
  }, 30_000);

  it('kills the command when the user unsubscribes', async () => {
    const s = openSession(user, 'shell', ['sleep', '1234']);
    await s.started();
    await waitFor(async () => (await ps('shell')).includes('sleep 1234'), { what: 'sleep running' });
    await s.unsubscribe();
    await waitFor(async () => !(await ps('shell')).includes('sleep 1234'), {
      ms: 10_000,
      every: 200,
      what: 'sleep killed',
    });
  }, 30_000);

  it('fails as execPod does: no pod, no command, unknown session', async () => {
    const missing = openSession(user, 'nope', ['sh']);
    await missing.done;
    expect(missing.state.error).toMatchObject({ code: 'NOT_FOUND' });
    expect(missing.state.error?.message).toMatch(/pods "nope" not found/);
    const empty = openSession(user, 'shell', []);
    await empty.done;
    expect(empty.state.error).toMatchObject({ code: 'BAD_REQUEST' });
    await expect(
      user.request(INPUT, { session: '00000000-0000-0000-0000-000000000000', data: 'x' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  }, 30_000);

  it('kq exec -i streams piped stdin; -t without a terminal warns and goes on', async () => {
    const env = kqEnv(c);
    const piped = await kqProcess(['exec', '-i', 'shell', '--', 'cat'], { env, stdin: 'hi\nthere\n' });
    expect(piped).toMatchObject({ code: 0, stdout: 'hi\nthere\n', stderr: '' });
    const failing = await kqProcess(
      ['exec', '-it', 'shell', '--', 'sh', '-c', 'read x; echo got $x; exit 4'],
      {
        env,
        stdin: 'it\n',
      },
    );
    expect(failing).toMatchObject({ code: 4, stdout: 'got it\n' });
    expect(failing.stderr).toBe(
      'Unable to use a TTY - input is not a terminal or the right kind of file\ncommand terminated with exit code 4\n',
    );
  }, 60_000);

  it.skipIf(!hasScript)(
    "kq exec -it on a terminal: a remote shell, its exit code kq's",
    async () => {
      const term = kqOnTerminal(['exec', '-it', 'shell', '--', 'sh'], kqEnv(c));
      try {
        // The remote shell's prompt.
        await term.waitFor(/# $/);
        term.type('echo $((6*7))\r');
        // Node's raw mode keeps the terminal's own newline translation: \r\n arrives as \r\r\n.
        await term.waitFor(/\n42\r+\n/);
        // Raw mode: Ctrl-C goes to the remote terminal (it stops the sleep), not to kq.
        term.type('sleep 100\r');
        // The terminal echoes the line before the shell starts the command: a Ctrl-C in
        // between would reach the shell instead, so wait for the sleep itself.
        await waitFor(async () => (await ps('shell')).includes('sleep 100'), { what: 'sleep running' });
        term.type('\x03');
        await term.waitFor(/sleep 100\r+\n[\s\S]*# $/);
        term.type('exit 6\r');
        expect(await term.exited).toBe(6);
        expect(term.output).toContain('command terminated with exit code 6');
      } finally {
        term.kill();
      }
    },
    60_000,
  );
});

/** util-linux `script`: runs a command on a pseudo-terminal, as a user at a terminal would. */
const hasScript = spawnSync('script', ['--version']).status === 0;

/** `kq ARGS` on a terminal, fed `input` a piece at a time (each once `after` shows in its output). */
function kqOnTerminal(args: string[], env: Record<string, string>) {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const kq = [path.join(root, 'node_modules', '.bin', 'tsx'), path.join(root, 'cmd', 'kq.ts'), ...args];
  const child = spawn('script', ['-qec', kq.join(' '), '/dev/null'], { env, cwd: root });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  return {
    get output() {
      return output;
    },
    type: (text: string) => child.stdin.write(text),
    /** Busybox's shell asks the terminal where its cursor is after each prompt: left out. */
    waitFor: (pattern: RegExp) =>
      waitFor(() => pattern.test(output.replaceAll('\u001b[6n', '')), { ms: 20_000, what: `${pattern}` }),
    exited,
    kill: () => child.kill('SIGKILL'),
  };
}

describe('interactive exec on simulated nodes', () => {
  let h: HollowCluster;
  let user: KubeqlClient;

  beforeAll(async () => {
    h = await startHollowCluster({ nodes: 1 });
    user = createClient({ url: h.url, token: h.token });
    await h.writer.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'sim', namespace: 'default' },
      spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] },
    });
    await waitFor(
      async () => (await h.client.get<PodObject>('Pod', 'sim', 'default'))?.status?.phase === 'Running',
      { ms: 15_000, what: 'pod sim running' },
    );
  }, 60_000);
  afterAll(async () => {
    await user?.close();
    await h?.stop();
  });

  it('fails with BAD_REQUEST: the runtime runs no processes', async () => {
    const s = openSession(user, 'sim', ['sh']);
    await s.done;
    expect(s.state.id).toBeUndefined();
    expect(s.state.error).toMatchObject({
      code: 'BAD_REQUEST',
      message: 'interactive exec needs a runtime that runs processes',
    });
  });

  it('kq exec -i falls back to sending stdin at once', async () => {
    const piped = await kqProcess(['exec', '-i', 'sim', '--', 'cat'], { env: kqEnv(h), stdin: 'piped\n' });
    expect(piped).toMatchObject({ code: 0, stdout: 'piped\n', stderr: '' });
  }, 30_000);
});
