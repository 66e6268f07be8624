import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type KubeqlClient } from '../../client/index.ts';
import { startHollowCluster, type HollowCluster } from '../support/hollow.ts';
import { waitFor } from '../support/wait.ts';
import type { PodObject } from '../support/e2e.ts';
import { files, kq, kqEnv, kqStream } from '../support/cli.ts';

// kq logs, exec and top against hollow nodes: the simulated runtime plays the pods'
// shell scripts (their output, exec'd commands) and their scripted CPU and memory use.

let cluster: HollowCluster;
let api: KubeqlClient;
let env: Record<string, string>;
beforeAll(async () => {
  cluster = await startHollowCluster({ nodes: 1, nodeOptions: { metricsIntervalMs: 200 } });
  api = createClient({ url: cluster.url, token: cluster.token });
  env = kqEnv(cluster);
  await ok(['apply', '-f', '-'], {
    stdin: `apiVersion: v1
kind: Pod
metadata:
  name: talker
  labels: {app: talk}
  annotations: {kubeql.io/simulate-cpu: "250m", kubeql.io/simulate-memory: "64Mi"}
spec:
  containers:
  - name: main
    image: busybox
    command: [sh, -c, "echo one; echo two; echo three; while true; do echo tick; sleep 1; done"]
    env: [{name: GREETING, value: hello}]
  - name: side
    image: busybox
    command: [sh, -c, "echo from-side; sleep 3600"]
---
apiVersion: v1
kind: Pod
metadata:
  name: quiet
  labels: {app: talk}
spec:
  containers:
  - name: only
    image: busybox
    command: [sh, -c, "echo quiet-one; sleep 3600"]
`,
  });
  await waitFor(
    async () =>
      (await api.list<PodObject>('Pod', { namespace: 'default', labelSelector: 'app=talk' })).items.every(
        (p) => p.status?.phase === 'Running',
      ),
    { ms: 15_000, what: 'running pods' },
  );
});
afterAll(async () => {
  await api?.close();
  await cluster?.stop();
});

async function ok(argv: string[], options: Parameters<typeof kq>[2] = {}): Promise<string> {
  const result = await kq(cluster, argv, { env, ...options });
  if (result.code !== 0) throw new Error(`kq ${argv.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

describe('logs', () => {
  it('a container, defaulted to the first with kubectl note; -c; --tail; --timestamps', async () => {
    const result = await kq(cluster, ['logs', 'talker', '--tail=-1'], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^one\ntwo\nthree\n(tick\n)*$/);
    expect(result.stderr).toBe('Defaulted container "main" out of: main, side\n');
    expect(await ok(['logs', 'talker', '-c', 'side'])).toBe('from-side\n');
    expect(await ok(['logs', 'pod/quiet', '--tail=1'])).toBe('quiet-one\n');
    expect(await ok(['logs', 'quiet', '--timestamps'])).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z quiet-one\n$/,
    );
  });

  it('-l across pods, prefixed', async () => {
    const all = await ok(['logs', '-l', 'app=talk', '--prefix']);
    expect(all).toContain('[pod/quiet/only] quiet-one\n');
    expect(all).toMatch(/\[pod\/talker\/main\] (three|tick)\n/);
  });

  it('-f streams new lines until stopped', async () => {
    const follow = kqStream(['logs', '-f', 'talker', '-c', 'main', '--tail=1'], env);
    await follow.waitFor(/tick\n(.|\n)*tick\n/, 10_000);
    await follow.stop();
  });

  it('a missing pod and a missing container', async () => {
    expect(await kq(cluster, ['logs', 'nobody'], { env })).toMatchObject({
      code: 1,
      stderr: 'Error from server (NotFound): pods "nobody" not found\n',
    });
    const result = await kq(cluster, ['logs', 'talker', '-c', 'nope'], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error from server \(BadRequest\): .*nope/);
  });
});

describe('exec', () => {
  it('runs the command, prints its output and exits with its code', async () => {
    expect(await ok(['exec', 'talker', '--', 'echo', 'hi there'])).toBe('hi there\n');
    expect(await ok(['exec', 'talker', '-c', 'main', '--', 'sh', '-c', 'echo $GREETING'])).toBe('hello\n');
    expect(await ok(['exec', '-i', 'quiet', '--', 'cat'], { stdin: 'piped\n' })).toBe('piped\n');
    const failing = await kq(cluster, ['exec', 'quiet', '--', 'sh', '-c', 'echo oops >&2; exit 3'], { env });
    expect(failing).toEqual({ code: 3, stdout: '', stderr: 'oops\ncommand terminated with exit code 3\n' });
    const noCommand = await kq(cluster, ['exec', 'quiet'], { env });
    expect(noCommand).toMatchObject({
      code: 1,
      stderr: 'error: you must specify at least one command for the container\n',
    });
  });
});

describe('top', () => {
  it('pods and nodes, as kubectl top prints them', async () => {
    const pods = await waitFor(
      async () => {
        const out = await ok(['top', 'pods']);
        return /talker +500m +128Mi/.test(out) && out;
      },
      { ms: 10_000, what: 'pod metrics' },
    );
    expect(pods.split('\n')[0]).toBe('NAME     CPU(cores)   MEMORY(bytes)');
    expect(await ok(['top', 'pod', 'talker', '--containers'])).toBe(
      'POD      NAME   CPU(cores)   MEMORY(bytes)\ntalker   main   250m         64Mi\ntalker   side   250m         64Mi\n',
    );
    expect((await ok(['top', 'pods', '-A', '--sort-by=cpu'])).split('\n')[1]).toMatch(
      /^default +talker +500m/,
    );
    const nodes = await ok(['top', 'nodes']);
    expect(nodes).toMatch(
      /^NAME +CPU\(cores\) {3}CPU% {3}MEMORY\(bytes\) {3}MEMORY%\nhollow-1 +\d+m +\d+% +\d+Mi +\d+%\n$/,
    );
    const empty = files({});
    expect(await kq(cluster, ['top', 'pods', '-n', 'kube-public'], { env, cwd: empty })).toMatchObject({
      code: 0,
      stderr: 'No resources found in kube-public namespace.\n',
    });
  });
});
