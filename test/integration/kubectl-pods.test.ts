import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { trustingFetch } from '../../client/node-tls.ts';
import type { PodObject } from '../../agent/objects.ts';
import type { Container } from '../../schema/kinds/pod.ts';
import { startHollowCluster, type HollowCluster } from '../support/hollow.ts';
import type { Untyped } from '../support/harness.ts';
import { kubectlBinaries, runKubectl } from '../support/kubectl-binaries.ts';
import { kubectlHome } from '../support/kubectl.ts';
import { waitFor } from '../support/wait.ts';

// A pod's streams through the Kubernetes REST API (server/rest/pod-log.ts, pod-exec.ts,
// pod-attach.ts, pod-portforward.ts, upgrades.ts) on a hollow cluster over TLS: the
// simulated runtime plays the containers' scripts, logs and one-shot commands, reached
// through the node agent's tunnel. Port-forward reaches a real port: a host-network pod on
// a hollow node whose address is loopback has this process' listeners for its ports.
// First over HTTP and raw WebSocket, then with the real kubectl.

const BINARIES = kubectlBinaries('kubectl-pods');
const NS = 'pod-streams';

let cluster: HollowCluster;
let home: string;
let kubeconfig: string;
let origin: string;
let https: ReturnType<typeof trustingFetch>;
let podCount = 0;

beforeAll(async () => {
  cluster = await startHollowCluster({ nodes: 1, serverOptions: { tls: { serve: true } } });
  ({ home, kubeconfig } = await kubectlHome(cluster, 'kubectl-pods'));
  origin = new URL(cluster.url).origin;
  https = trustingFetch(cluster.cluster.server.ca!);
  // Privileged: port-forward is tested to a hostNetwork pod, which the baseline default refuses.
  await cluster.writer.create({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: NS, labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } },
  });
}, 60_000);

afterAll(async () => {
  https?.close();
  await cluster?.stop();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

/** Creates a pod on the cluster's node and waits until its containers run (unless told not to). */
async function runPod(
  containers: Array<Partial<Container>> | string,
  options: { restartPolicy?: 'Always' | 'Never'; wait?: boolean } = {},
): Promise<string> {
  const name = `p${++podCount}`;
  const specs = typeof containers === 'string' ? [{ command: ['sh', '-c', containers] }] : containers;
  await cluster.writer.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS },
    spec: {
      nodeName: cluster.nodes[0].name,
      restartPolicy: options.restartPolicy ?? 'Always',
      containers: specs.map((c, i) => ({ name: `c${i}`, image: 'busybox', ...c })),
    },
  });
  if (options.wait ?? true) {
    await waitFor(
      async () => {
        const pod = await cluster.client.get<PodObject>('Pod', name, NS);
        return pod?.status?.containerStatuses?.every((s) => s.state?.running);
      },
      { what: `pod ${name} running` },
    );
  }
  return name;
}

/** A GET of the REST API with the admin token: status, content type and body text. */
async function get(url: string) {
  const res = await https.fetch(`${origin}${url}`, { headers: { authorization: `Bearer ${cluster.token}` } });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

const podPath = (name: string, subresource: string, query = '') =>
  `/api/v1/namespaces/${NS}/pods/${name}/${subresource}${query ? `?${query}` : ''}`;

interface ChannelRun {
  /** What came on each channel, as text. */
  channels: Record<number, string>;
  closeCode: number;
  protocol: string;
}

/**
 * Runs an exec or attach over the channel protocol with a raw WebSocket: sends `input` on
 * stdin (then v5's CLOSE signal for it), and gathers every channel until the server closes.
 */
function channelSession(
  url: string,
  { protocols = ['v5.channel.k8s.io'], input }: { protocols?: string[]; input?: string } = {},
): Promise<ChannelRun> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${origin.replace('https', 'wss')}${url}`, protocols, {
      ca: cluster.cluster.server.ca,
      headers: { authorization: `Bearer ${cluster.token}` },
    });
    const channels: Record<number, string> = {};
    ws.on('open', () => {
      if (input === undefined) return;
      ws.send(Buffer.concat([Buffer.of(0), Buffer.from(input)]));
      if (ws.protocol === 'v5.channel.k8s.io') ws.send(Buffer.of(255, 0));
    });
    ws.on('message', (data: Buffer) => {
      channels[data[0]] = (channels[data[0]] ?? '') + data.subarray(1).toString();
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => reject(new Error(`${res.statusCode} ${body}`)));
    });
    ws.on('close', (closeCode) => resolve({ channels, closeCode, protocol: ws.protocol }));
    ws.on('error', (error) => {
      if (!error.message.startsWith('Unexpected server response')) reject(error);
    });
  });
}

const exec = (name: string, command: string[], query = 'stdout=true&stderr=true') =>
  podPath(name, 'exec', [...command.map((c) => `command=${encodeURIComponent(c)}`), query].join('&'));

describe('pod streams over HTTP and WebSocket', () => {
  it('discovery lists pods/log, exec, attach and portforward with their verbs', async () => {
    const core = JSON.parse((await get('/api/v1')).text);
    const named = (name: string) => core.resources.find((r: Untyped) => r.name === name);
    expect(named('pods/log')).toMatchObject({ kind: 'Pod', namespaced: true, verbs: ['get'] });
    for (const [name, kind] of [
      ['pods/exec', 'PodExecOptions'],
      ['pods/attach', 'PodAttachOptions'],
      ['pods/portforward', 'PodPortForwardOptions'],
    ]) {
      expect(named(name)).toMatchObject({ kind, namespaced: true, verbs: ['create', 'get'] });
    }
  });

  it('log: text/plain, with tailLines, limitBytes and timestamps', async () => {
    const name = await runPod('echo one; echo two >&2; echo three; sleep infinity');
    const all = await get(podPath(name, 'log'));
    expect(all).toEqual({ status: 200, type: 'text/plain', text: 'one\ntwo\nthree\n' });
    expect((await get(podPath(name, 'log', 'tailLines=1'))).text).toBe('three\n');
    expect((await get(podPath(name, 'log', 'limitBytes=6'))).text).toBe('one\ntw');
    const stamped = (await get(podPath(name, 'log', 'timestamps=true&container=c0'))).text.split('\n');
    expect(stamped[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z one$/);
  });

  it('log: errors as Kubernetes Status, with its messages', async () => {
    const name = await runPod([
      { name: 'a', command: ['sh', '-c', 'echo a; sleep infinity'] },
      { name: 'b', command: ['sh', '-c', 'echo b; sleep infinity'] },
    ]);
    const status = async (url: string) => {
      const res = await get(url);
      return { code: res.status, ...JSON.parse(res.text) };
    };
    expect(await status(podPath(name, 'log'))).toMatchObject({
      code: 400,
      kind: 'Status',
      status: 'Failure',
      reason: 'BadRequest',
      message: `a container name must be specified for pod ${name}, choose one of: [a b]`,
    });
    expect((await get(podPath(name, 'log', 'container=b'))).text).toBe('b\n');
    expect(await status(podPath(name, 'log', 'container=nope'))).toMatchObject({
      code: 400,
      message: `container nope is not valid for pod ${name}`,
    });
    expect(await status(podPath('missing', 'log'))).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'pods "missing" not found',
    });
    expect(await status(podPath(name, 'log', 'container=a&tailLines=many'))).toMatchObject({
      code: 400,
      message: 'tailLines: Invalid value: "many": must be an integer',
    });
    expect(await status(podPath(name, 'log', 'container=a&previous=true'))).toMatchObject({
      code: 400,
      message: `previous terminated container "a" in pod "${name}" not found`,
    });
    expect(await status(podPath(name, 'exec', 'command=ls'))).toMatchObject({
      code: 400,
      message: 'Upgrade request required',
    });
  });

  it('log with follow: the body goes on as the container prints', async () => {
    const name = await runPod('echo one; sleep 1; echo two; sleep infinity');
    const res = await https.fetch(`${origin}${podPath(name, 'log', 'follow=true')}`, {
      headers: { authorization: `Bearer ${cluster.token}` },
    });
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('two\n')) {
      const { value, done } = await reader.read();
      expect(done).toBe(false);
      text += Buffer.from(value!).toString();
    }
    expect(text).toBe('one\ntwo\n');
    await reader.cancel();
  });

  it('exec over v5 and v4: output on its channels, the exit code as a NonZeroExitCode Status', async () => {
    const name = await runPod('sleep infinity');
    const ok = await channelSession(exec(name, ['echo', 'hello']));
    expect(ok).toEqual({
      channels: { 1: 'hello\n', 3: JSON.stringify({ metadata: {}, status: 'Success' }) },
      closeCode: 1000,
      protocol: 'v5.channel.k8s.io',
    });
    const failed = await channelSession(exec(name, ['sh', '-c', 'echo out; echo err >&2; exit 3']), {
      protocols: ['v4.channel.k8s.io'],
    });
    expect(failed.protocol).toBe('v4.channel.k8s.io');
    expect(failed.channels[1]).toBe('out\n');
    expect(failed.channels[2]).toBe('err\n');
    expect(JSON.parse(failed.channels[3])).toMatchObject({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
    // Without stderr, what the command writes there goes nowhere.
    const quiet = await channelSession(
      exec(name, ['sh', '-c', 'echo out; echo err >&2'], 'stdout=true&stderr=false'),
    );
    expect(quiet.channels).toMatchObject({ 1: 'out\n' });
    expect(quiet.channels[2]).toBeUndefined();
  });

  it('exec with stdin: what comes on channel 0 until the CLOSE signal', async () => {
    const name = await runPod('sleep infinity');
    const run = await channelSession(exec(name, ['cat'], 'stdin=true&stdout=true&stderr=true'), {
      input: 'line 1\nline 2 ünïcode\n',
    });
    expect(run.channels[1]).toBe('line 1\nline 2 ünïcode\n');
    expect(JSON.parse(run.channels[3])).toEqual({ metadata: {}, status: 'Success' });
  });

  it('refuses before upgrading: no token, no command, a missing pod, an unknown subprotocol', async () => {
    const name = await runPod('sleep infinity');
    const refused = (url: string, options: { protocols?: string[]; token?: string } = {}) =>
      new Promise<{ code: number; body: Untyped }>((resolve, reject) => {
        const ws = new WebSocket(
          `${origin.replace('https', 'wss')}${url}`,
          options.protocols ?? ['v5.channel.k8s.io'],
          {
            ca: cluster.cluster.server.ca,
            headers: { authorization: `Bearer ${options.token ?? cluster.token}` },
          },
        );
        ws.on('open', () => reject(new Error('upgraded')));
        ws.on('error', () => {});
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ code: res.statusCode!, body: JSON.parse(body) }));
        });
      });
    expect(await refused(exec(name, ['echo']), { token: 'wrong' })).toMatchObject({
      code: 401,
      body: { kind: 'Status', reason: 'Unauthorized' },
    });
    expect(await refused(podPath(name, 'exec', 'stdout=true'))).toMatchObject({
      code: 400,
      body: { message: 'you must specify at least one command for the container' },
    });
    expect(await refused(exec('missing', ['echo']))).toMatchObject({
      code: 404,
      body: { message: 'pods "missing" not found' },
    });
    expect(await refused(exec(name, ['echo']), { protocols: ['channel.k8s.io'] })).toMatchObject({
      code: 400,
      body: { reason: 'BadRequest' },
    });
    expect(await refused(exec(name, ['echo'], 'stdin=false&stdout=false&stderr=false'))).toMatchObject({
      code: 400,
      body: { message: 'you must specify at least 1 of stdin, stdout, stderr' },
    });
    // A ServiceAccount no role is bound to may not exec, any more than it may read logs.
    const issued = await https.fetch(`${origin}/api/v1/namespaces/${NS}/serviceaccounts/default/token`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cluster.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} }),
    });
    const token: string = (await issued.json()).status.token;
    const forbidden = await refused(exec(name, ['echo']), { token });
    expect(forbidden).toMatchObject({ code: 403, body: { kind: 'Status', reason: 'Forbidden' } });
    expect(forbidden.body.message).toContain('cannot create resource "pods/exec"');
  });
});

/** A kubectl process whose output is read while it runs (logs -f), or which is given stdin. */
function startKubectl(binary: string, args: string[], input?: string) {
  const child = spawn(binary, args, {
    env: { PATH: process.env.PATH ?? '', HOME: home, KUBECONFIG: kubeconfig },
  });
  const run = { stdout: '', stderr: '', code: undefined as number | undefined };
  child.stdout.on('data', (chunk: Buffer) => (run.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
  if (input !== undefined) child.stdin.end(input);
  const exited = new Promise<typeof run>((resolve) =>
    child.on('close', (code) => {
      run.code = code ?? 1;
      resolve(run);
    }),
  );
  return { run, exited, kill: () => child.kill() };
}

for (const [version, binary] of Object.entries(BINARIES)) {
  describe.skipIf(!binary)(`kubectl ${version} pod streams`, () => {
    const bin = binary!;
    const kubectl = (...args: string[]) => runKubectl(bin, ['-n', NS, ...args], { home, kubeconfig });

    it('logs, logs --tail, logs -c on a pod of two containers', async () => {
      const name = await runPod('echo one; echo two; echo three; sleep infinity');
      expect(await kubectl('logs', name)).toMatchObject({ code: 0, stdout: 'one\ntwo\nthree\n' });
      expect(await kubectl('logs', name, '--tail=2')).toMatchObject({ code: 0, stdout: 'two\nthree\n' });

      const pair = await runPod([
        { name: 'a', command: ['sh', '-c', 'echo from a; sleep infinity'] },
        { name: 'b', command: ['sh', '-c', 'echo from b; sleep infinity'] },
      ]);
      expect(await kubectl('logs', pair, '-c', 'b')).toMatchObject({ code: 0, stdout: 'from b\n' });
      const missing = await kubectl('logs', pair, '-c', 'nope');
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain(`container nope is not valid for pod ${pair}`);
    });

    it('logs -f prints a line the container writes after it started, and keeps following', async () => {
      const name = await runPod('echo before; sleep 3; echo after; sleep infinity');
      const follow = startKubectl(bin, ['-n', NS, 'logs', '-f', name]);
      try {
        await waitFor(() => follow.run.stdout.includes('before\n'), { what: 'the first line' });
        expect(follow.run.stdout).toBe('before\n');
        await waitFor(() => follow.run.stdout.includes('after\n'), { ms: 8000, what: 'the later line' });
        expect(follow.run.stdout).toBe('before\nafter\n');
        expect(follow.run.code).toBeUndefined();
      } finally {
        follow.kill();
      }
    });

    it('exec: output, stderr and the exit code of the command', async () => {
      const name = await runPod('sleep infinity');
      expect(await kubectl('exec', name, '--', 'echo', 'hi')).toEqual({
        code: 0,
        stdout: 'hi\n',
        stderr: '',
      });
      const failed = await kubectl('exec', name, '--', 'sh', '-c', 'echo out; echo err >&2; exit 3');
      expect(failed.code).toBe(3);
      expect(failed.stdout).toBe('out\n');
      expect(failed.stderr).toBe('err\ncommand terminated with exit code 3\n');
    });

    it('exec -i: stdin reaches the command', async () => {
      const name = await runPod('sleep infinity');
      const cat = await startKubectl(bin, ['-n', NS, 'exec', '-i', name, '--', 'cat'], 'hello\nworld\n')
        .exited;
      expect(cat).toMatchObject({ code: 0, stdout: 'hello\nworld\n', stderr: '' });
    });

    it('attach prints what the container prints from then on, until it exits', async () => {
      const name = await runPod('echo early; sleep 3; echo late; sleep 1', { restartPolicy: 'Never' });
      const attached = await kubectl('attach', name);
      expect(attached.code).toBe(0);
      expect(attached.stdout).toBe('late\n');
    });
  });
}

describe.skipIf(!BINARIES['1.33'])('kubectl 1.33 port-forward', () => {
  const bin = BINARIES['1.33']!;
  let server: net.Server;
  let port: number;
  let pod: string;

  beforeAll(async () => {
    // Echoes what it is sent, prefixed by a greeting, until the other side ends.
    server = net.createServer((socket) => {
      socket.write('hello\n');
      socket.pipe(socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
    await cluster.addNode({ name: 'loopback', address: '127.0.0.1' });
    pod = `p${++podCount}`;
    await cluster.writer.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: pod, namespace: NS },
      spec: {
        nodeName: 'loopback',
        hostNetwork: true,
        containers: [{ name: 'c0', image: 'busybox', command: ['sleep', 'infinity'] }],
      },
    });
    await waitFor(
      async () => (await cluster.client.get<PodObject>('Pod', pod, NS))?.status?.phase === 'Running',
      {
        what: `pod ${pod} running`,
      },
    );
  });

  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  /** Starts kubectl port-forward to `remote` and resolves with its local port once it listens. */
  async function portForward(remote: number) {
    const forward = startKubectl(bin, ['-n', NS, 'port-forward', `pod/${pod}`, `:${remote}`]);
    const local = await waitFor(
      () => new RegExp(`Forwarding from 127\\.0\\.0\\.1:(\\d+) -> ${remote}`).exec(forward.run.stdout)?.[1],
      { ms: 10_000, what: 'kubectl port-forward listening' },
    );
    return { ...forward, local: Number(local) };
  }

  /** Sends `data` through a new connection to `local`, ends it, and resolves with all that came back. */
  function roundTrip(local: number, data: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(local, '127.0.0.1', () => socket.end(data));
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', () => resolve(Buffer.concat(chunks)));
      socket.on('error', reject);
    });
  }

  it('carries bytes both ways, binary and large, over one connection after another', async () => {
    const forward = await portForward(port);
    try {
      expect((await roundTrip(forward.local, Buffer.from('ping\n'))).toString()).toBe('hello\nping\n');
      const payload = crypto.randomBytes(3 * 1024 * 1024);
      const echoed = await roundTrip(forward.local, payload);
      expect(echoed.subarray(0, 6).toString()).toBe('hello\n');
      expect(echoed.subarray(6).equals(payload)).toBe(true);
      const together = await Promise.all(
        ['a', 'b', 'c'].map((tag) => roundTrip(forward.local, Buffer.from(tag))),
      );
      expect(together.map(String)).toEqual(['hello\na', 'hello\nb', 'hello\nc']);
      expect(forward.run.stderr).toBe('');
    } finally {
      forward.kill();
    }
  });

  it('reports a port nothing listens on', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const forward = await portForward(closed);
    try {
      expect((await roundTrip(forward.local, Buffer.from('x')).catch(() => Buffer.alloc(0))).length).toBe(0);
      await waitFor(() => forward.run.stderr.includes(`error forwarding port ${closed} to pod ${pod}`), {
        what: `the error on kubectl's stderr (${forward.run.stderr})`,
      });
      expect(forward.run.stderr).toContain('ECONNREFUSED');
    } finally {
      forward.kill();
    }
  });
});
