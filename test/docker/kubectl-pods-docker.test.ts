import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodObject } from '../../agent/objects.ts';
import { BUSYBOX_IMAGE, DEMO_WEB_IMAGES } from '../../agent/node/images.ts';
import { startDockerCluster, type DockerCluster } from '../support/docker.ts';
import { kubectlBinaries } from '../support/kubectl-binaries.ts';
import { kubectlHome } from '../support/kubectl.ts';
import { waitFor } from '../support/wait.ts';

// The real kubectl against pods on real containers: exec's interactive path (the node
// agent streams the process both ways through its tunnel) rather than the simulated
// runtime's one-shot run, and port-forward (SPDY in WebSocket to the API server, a TCP
// connection from the node to the pod through the tunnel).

const BINARIES = kubectlBinaries('kubectl-pods-docker', ['1.33']);
const kubectlBinary = BINARIES['1.33'];

describe.skipIf(!kubectlBinary)('kubectl exec and logs on Docker', () => {
  let c: DockerCluster;
  let home: string;
  let kubeconfig: string;

  /** Creates a pod and waits until it runs. */
  const runPod = async (name: string, container: Record<string, unknown>) => {
    await c.writer.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: { containers: [{ name: 'main', ...container }] },
    });
    await waitFor(
      async () => (await c.client.get<PodObject>('Pod', name, 'default'))?.status?.phase === 'Running',
      { ms: 60_000, every: 100, what: `pod ${name} running` },
    );
  };

  /** Runs kubectl to its end with `input` as its stdin. */
  const kubectl = (args: string[], input = '') =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(kubectlBinary!, ['-n', 'default', ...args], {
        env: { PATH: process.env.PATH ?? '', HOME: home, KUBECONFIG: kubeconfig },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdin.end(input);
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });

  beforeAll(async () => {
    c = await startDockerCluster({ serverOptions: { tls: { serve: true } } });
    ({ home, kubeconfig } = await kubectlHome(c, 'kubectl-docker'));
    await runPod('shell', {
      image: BUSYBOX_IMAGE,
      command: ['sh', '-c', 'echo started; trap "exit 0" TERM; while true; do sleep 1; done'],
    });
  }, 120_000);

  afterAll(async () => {
    await c?.stop();
    if (home) fs.rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it('exec streams stdin to a real process and passes its exit code; logs reads its output', async () => {
    expect(await kubectl(['exec', 'shell', '--', 'echo', 'hi'])).toEqual({
      code: 0,
      stdout: 'hi\n',
      stderr: '',
    });
    // Without -i the process' stdin is at its end at once: cat prints nothing and exits.
    expect(await kubectl(['exec', 'shell', '--', 'cat'])).toEqual({ code: 0, stdout: '', stderr: '' });
    // Interactive: the first line comes back before the second is written.
    const cat = spawn(kubectlBinary!, ['-n', 'default', 'exec', '-i', 'shell', '--', 'cat'], {
      env: { PATH: process.env.PATH ?? '', HOME: home, KUBECONFIG: kubeconfig },
    });
    let echoed = '';
    cat.stdout.on('data', (chunk: Buffer) => (echoed += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => cat.on('close', resolve));
    cat.stdin.write('one\n');
    await waitFor(() => echoed === 'one\n', { ms: 10_000, what: 'the first line echoed' });
    cat.stdin.end('two, héllo ✓\n');
    expect(await exited).toBe(0);
    expect(echoed).toBe('one\ntwo, héllo ✓\n');
    const read = await kubectl(
      ['exec', '-i', 'shell', '--', 'sh', '-c', 'read x; echo got $x; echo oops >&2; exit 4'],
      'it\n',
    );
    expect(read).toEqual({
      code: 4,
      stdout: 'got it\n',
      stderr: 'oops\ncommand terminated with exit code 4\n',
    });
    expect(await kubectl(['logs', 'shell'])).toEqual({ code: 0, stdout: 'started\n', stderr: '' });
  }, 60_000);

  it('port-forward carries HTTP requests to the pod, one connection after another', async () => {
    await runPod('web', { image: DEMO_WEB_IMAGES.v1, ports: [{ containerPort: 8000 }] });
    const forward = spawn(kubectlBinary!, ['-n', 'default', 'port-forward', 'pod/web', ':8000'], {
      env: { PATH: process.env.PATH ?? '', HOME: home, KUBECONFIG: kubeconfig },
    });
    let output = '';
    forward.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    forward.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const local = await waitFor(() => /Forwarding from 127\.0\.0\.1:(\d+) -> 8000/.exec(output)?.[1], {
        ms: 15_000,
        what: `kubectl port-forward listening (${output})`,
      });
      for (const path of ['/', '/again']) {
        const response = await fetch(`http://127.0.0.1:${local}${path}`, {
          signal: AbortSignal.timeout(10_000),
        });
        expect(response.status).toBe(200);
        expect(await response.text()).toBe('Version 1.0\nHello kubeql cluster!\nHostName: web\n');
      }
      expect(await kubectl(['logs', 'web'])).toMatchObject({
        stdout: expect.stringContaining('Accessing: /again'),
      });
      expect(output).not.toMatch(/error/i);
    } finally {
      forward.kill();
    }
  }, 60_000);
});
