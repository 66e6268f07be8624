import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, resourceWriter, type KubeqlClient, type ResourceWriter } from '../../client/index.ts';
import type { PodObject } from '../../agent/objects.ts';
import { startHollowNode, type HollowNode } from '../../agent/node/hollow.ts';
import { linesBetween, nextLineAt } from '../../agent/node/runtime/simulated-logs.ts';
import { playScript } from '../../agent/node/runtime/simulated-script.ts';
import type { Container } from '../../schema/kinds/pod.ts';
import { collect, startCluster, type TestCluster } from '../support/harness.ts';
import { startHollowCluster } from '../support/hollow.ts';
import { waitFor } from '../support/wait.ts';

// A real API server; hollow nodes whose agents reach it over HTTP and WebSocket like any
// remote agent; users over HTTP (podLog, execPod) and graphql-ws (podLogs).

let cluster: TestCluster;
let user: KubeqlClient;
let writer: ResourceWriter;
/** The agents' client, counting the replies they send through the tunnel. */
let agentClient: KubeqlClient;
let replies = 0;
let node: HollowNode;

const NODE = 'streams-node';

beforeAll(async () => {
  // A fixed port, so that the agents find the server again after it restarts.
  cluster = await startCluster({ port: await freePort() });
  user = createClient({ url: cluster.url, token: cluster.token });
  writer = resourceWriter(user);
  // No controllers run here: the CA ConfigMap every pod's API access volume names is made by hand.
  await writer.create({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'kube-root-ca.crt', namespace: 'default' },
    data: { 'ca.crt': '' },
  });
  const remote = createClient({ url: cluster.url, token: cluster.token });
  agentClient = {
    ...remote,
    request: (query, variables) => {
      if (query.includes('nodeStreamReply')) replies++;
      return remote.request(query, variables);
    },
  };
  node = await startHollowNode(agentClient, NODE, {
    simulation: { startDelayMs: [0, 5] },
    crashLoopBackoff: { baseMs: 50, maxMs: 200 },
    log: () => {},
  });
  await waitFor(() => cluster.server.resources.tunnels.connected(NODE), { what: 'the tunnel' });
});

afterAll(async () => {
  await node?.stop();
  await agentClient?.close();
  await user?.close();
  await cluster?.stop();
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

let podCount = 0;

/** Creates a pod bound to `nodeName` and waits until its containers run (unless told not to wait). */
async function runPod(
  containers: Array<Partial<Container>> | string,
  options: { nodeName?: string | null; restartPolicy?: 'Always' | 'Never'; wait?: 'Running' | 'none' } = {},
): Promise<PodObject> {
  const name = `p${++podCount}`;
  const specs = typeof containers === 'string' ? [{ command: ['sh', '-c', containers] }] : containers;
  const pod = await writer.create<PodObject>({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      ...(options.nodeName === null ? {} : { nodeName: options.nodeName ?? NODE }),
      restartPolicy: options.restartPolicy ?? 'Always',
      containers: specs.map((c, i) => ({ name: `c${i}`, image: 'busybox', ...c })) as Container[],
    },
  });
  if ((options.wait ?? 'Running') === 'Running') {
    await waitFor(
      async () => {
        const current = await user.get<PodObject>('Pod', name);
        return current?.status?.containerStatuses?.every((s) => s.state?.running) && current;
      },
      { what: `pod ${name} running` },
    );
  }
  return pod;
}

const POD_LOG = `query ($name: String!, $container: String, $tailLines: Int, $sinceSeconds: Int, $timestamps: Boolean, $previous: Boolean) {
  podLog(name: $name, container: $container, tailLines: $tailLines, sinceSeconds: $sinceSeconds, timestamps: $timestamps, previous: $previous)
}`;

const POD_LOGS = `subscription ($name: String!, $container: String, $follow: Boolean, $tailLines: Int, $timestamps: Boolean) {
  podLogs(name: $name, container: $container, follow: $follow, tailLines: $tailLines, timestamps: $timestamps) {
    container stream time text line
  }
}`;

const EXEC = `mutation ($name: String!, $container: String, $command: [String!]!, $stdin: String, $timeoutSeconds: Int) {
  execPod(name: $name, container: $container, command: $command, stdin: $stdin, timeoutSeconds: $timeoutSeconds) {
    stdout stderr exitCode
  }
}`;

async function podLog(variables: Record<string, unknown>): Promise<string> {
  return (await cluster.ok(POD_LOG, variables)).podLog;
}

/** The error of an operation that must fail: its code and message. */
async function failure(query: string, variables: Record<string, unknown>) {
  const result = await cluster.gql(query, variables);
  expect(result.errors, JSON.stringify(result.data)).toHaveLength(1);
  const [error] = result.errors!;
  return { code: error.extensions?.code, message: error.message };
}

describe('podLog and podLogs', () => {
  it('gives what the container printed, each stream, with tail and timestamps', async () => {
    const pod = await runPod('echo one; echo "two  words" >&2; echo three; sleep infinity');
    const name = pod.metadata.name!;
    expect(await podLog({ name })).toBe('one\ntwo  words\nthree\n');
    expect(await podLog({ name, tailLines: 2 })).toBe('two  words\nthree\n');
    expect(await podLog({ name, tailLines: 0 })).toBe('');
    const stamped = (await podLog({ name, timestamps: true })).split('\n');
    expect(stamped[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z one$/);

    const sub = collect(cluster.wsClient(), POD_LOGS, { name, timestamps: true });
    await sub.until(() => sub.completed);
    expect(sub.errors).toEqual([]);
    const lines = sub.items.map((item) => item.podLogs);
    expect(lines.map((l) => [l.container, l.stream, l.text])).toEqual([
      ['c0', 'STDOUT', 'one'],
      ['c0', 'STDERR', 'two  words'],
      ['c0', 'STDOUT', 'three'],
    ]);
    expect(lines[0].line).toBe(`${lines[0].time} one`);
  });

  it('keeps to sinceSeconds', async () => {
    const pod = await runPod('echo early; sleep 1.5; echo late; sleep infinity');
    const name = pod.metadata.name!;
    await waitFor(async () => (await podLog({ name })).includes('late'), { what: 'the late line' });
    expect(await podLog({ name, sinceSeconds: 1 })).toBe('late\n');
    expect(await podLog({ name, sinceSeconds: 60 })).toBe('early\nlate\n');
  });

  it('follows new lines and completes when the container exits', async () => {
    const pod = await runPod('echo one; sleep 1; echo two; sleep 1; echo three', { restartPolicy: 'Never' });
    const sub = collect(cluster.wsClient(), POD_LOGS, { name: pod.metadata.name, follow: true });
    await sub.until(() => sub.items.length >= 1);
    expect(sub.items.map((item) => item.podLogs.text)).toEqual(['one']);
    expect(sub.completed).toBe(false);
    await sub.until(() => sub.items.length >= 2, 3000);
    expect(sub.completed).toBe(false);
    await sub.until(() => sub.completed, 4000);
    expect(sub.errors).toEqual([]);
    expect(sub.items.map((item) => item.podLogs.text)).toEqual(['one', 'two', 'three']);
  });

  it('shows the previous instance after a restart', async () => {
    const pod = await runPod('echo hello from $HOSTNAME; sleep infinity');
    const name = pod.metadata.name!;
    expect(await failure(POD_LOG, { name, previous: true })).toEqual({
      code: 'BAD_REQUEST',
      message: `previous terminated container "c0" in pod "${name}" not found`,
    });
    const first = (await podLog({ name, timestamps: true })).trim();
    expect(first).toMatch(new RegExp(`Z hello from ${name}$`));
    node.failContainers((p) => p.name === name);
    await waitFor(
      async () => {
        const current = await user.get<PodObject>('Pod', name);
        const status = current?.status?.containerStatuses?.[0];
        return status?.restartCount === 1 && status.state?.running && status.lastState?.terminated;
      },
      { what: 'the restart' },
    );
    expect((await podLog({ name, previous: true, timestamps: true })).trim()).toBe(first);
    const now = (await podLog({ name, timestamps: true })).trim();
    expect(now).toMatch(new RegExp(`Z hello from ${name}$`));
    expect(now > first).toBe(true);
  });

  it('cancels the agent side when the user unsubscribes', async () => {
    const chatty = await runPod('while true; do echo tick; sleep 0.05; done');
    const sub = collect(cluster.wsClient(), POD_LOGS, { name: chatty.metadata.name, follow: true });
    await sub.until(() => sub.items.length >= 3);
    sub.unsubscribe();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = replies;
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Ten more ticks printed meanwhile, none of them sent.
    expect(replies).toBe(after);

    // A quiet container: nothing to refuse, the CANCEL message ends it on the node.
    const quiet = await runPod('echo once; sleep infinity');
    const followers = () => (node.runtime as unknown as { followers: Set<unknown> }).followers.size;
    const before = followers();
    const second = collect(cluster.wsClient(), POD_LOGS, { name: quiet.metadata.name, follow: true });
    await second.until(() => second.items.length === 1);
    await waitFor(() => followers() === before + 1, { what: 'the follower on the node' });
    second.unsubscribe();
    await waitFor(() => followers() === before, { what: 'the follower to go' });
  });

  it('batches a chatty container into few replies', async () => {
    const lines = Array.from({ length: 300 }, (_, i) => `echo line${i}`).join('; ');
    const pod = await runPod(`${lines}; sleep infinity`);
    const before = replies;
    const text = await podLog({ name: pod.metadata.name });
    expect(text.split('\n')).toHaveLength(301);
    expect(replies - before).toBeLessThan(10);
  });
});

describe('execPod', () => {
  it('runs a command: stdout, stderr, exit code, stdin', async () => {
    const pod = await runPod([
      { command: ['sleep', 'infinity'], env: [{ name: 'GREETING', value: 'hi there' }] },
    ]);
    const name = pod.metadata.name!;
    const exec = async (variables: Record<string, unknown>) =>
      (await cluster.ok(EXEC, { name, ...variables })).execPod;
    expect(await exec({ command: ['echo', 'hello'] })).toEqual({
      stdout: 'hello\n',
      stderr: '',
      exitCode: 0,
    });
    expect(await exec({ command: ['sh', '-c', 'echo out; echo err >&2; exit 3'] })).toEqual({
      stdout: 'out\n',
      stderr: 'err\n',
      exitCode: 3,
    });
    expect(await exec({ command: ['hostname'] })).toMatchObject({ stdout: `${name}\n` });
    expect((await exec({ command: ['env'] })).stdout).toContain('GREETING=hi there\n');
    expect(await exec({ command: ['sh', '-c', 'echo "$GREETING"'] })).toMatchObject({ stdout: 'hi there\n' });
    expect(await exec({ command: ['cat'], stdin: 'line 1\nline 2\n' })).toMatchObject({
      stdout: 'line 1\nline 2\n',
      exitCode: 0,
    });
    expect(await exec({ command: ['false'] })).toMatchObject({ exitCode: 1 });
    expect(await failure(EXEC, { name, command: ['ls', '/'] })).toEqual({
      code: 'BAD_REQUEST',
      message: 'the simulated runtime cannot run ls /',
    });
    expect(await failure(EXEC, { name, command: [] })).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('refuses a completed pod', async () => {
    const pod = await runPod('echo done', { restartPolicy: 'Never', wait: 'none' });
    const name = pod.metadata.name!;
    await waitFor(async () => (await user.get<PodObject>('Pod', name))?.status?.phase === 'Succeeded', {
      what: 'the pod to succeed',
    });
    expect(await failure(EXEC, { name, command: ['true'] })).toEqual({
      code: 'BAD_REQUEST',
      message: 'cannot exec into a container in a completed pod; current phase is Succeeded',
    });
    // Its logs are still there.
    expect(await podLog({ name })).toBe('done\n');
  });
});

describe('errors as Kubernetes reports them', () => {
  it('a missing pod, a missing or ambiguous container, an unscheduled pod', async () => {
    expect(await failure(POD_LOG, { name: 'nope' })).toEqual({
      code: 'NOT_FOUND',
      message: 'pods "nope" not found',
    });
    expect(await failure(EXEC, { name: 'nope', command: ['true'] })).toMatchObject({ code: 'NOT_FOUND' });

    const two = await runPod([
      { name: 'web', command: ['sleep', 'infinity'] },
      { name: 'sidecar', command: ['sleep', 'infinity'] },
    ]);
    const name = two.metadata.name!;
    expect(await failure(POD_LOG, { name })).toEqual({
      code: 'BAD_REQUEST',
      message: `a container name must be specified for pod ${name}, choose one of: [web sidecar]`,
    });
    expect(await failure(EXEC, { name, command: ['true'] })).toMatchObject({ code: 'BAD_REQUEST' });
    expect(await failure(POD_LOG, { name, container: 'db' })).toEqual({
      code: 'BAD_REQUEST',
      message: `container db is not valid for pod ${name}`,
    });
    expect(
      (await cluster.ok(EXEC, { name, container: 'sidecar', command: ['hostname'] })).execPod.stdout,
    ).toBe(`${name}\n`);

    const pending = await runPod('echo hi', { nodeName: null, wait: 'none' });
    expect(await failure(POD_LOG, { name: pending.metadata.name })).toEqual({
      code: 'BAD_REQUEST',
      message: `pod ${pending.metadata.name} does not have a host assigned`,
    });

    const sub = collect(cluster.wsClient(), POD_LOGS, { name: 'nope' });
    await sub.until(() => sub.completed);
    expect(sub.errors).toMatchObject([
      { message: 'pods "nope" not found', extensions: { code: 'NOT_FOUND' } },
    ]);
  });

  it('a node without a connected agent is UNAVAILABLE', async () => {
    const pod = await runPod('echo hi', { nodeName: 'ghost', wait: 'none' });
    expect(await failure(POD_LOG, { name: pod.metadata.name })).toEqual({
      code: 'UNAVAILABLE',
      message: 'no agent of node "ghost" is connected to the API server',
    });
    expect(await failure(EXEC, { name: pod.metadata.name, command: ['true'] })).toMatchObject({
      code: 'UNAVAILABLE',
    });
  });

  it('an agent that disconnects fails the streams it serves', async () => {
    const other = await startHollowNode(agentClient, 'leaving-node', {
      simulation: { startDelayMs: [0, 5] },
      log: () => {},
    });
    let stopped = false;
    try {
      await waitFor(() => cluster.server.resources.tunnels.connected('leaving-node'), { what: 'the tunnel' });
      const pod = await runPod('while true; do echo tick; sleep 0.1; done', { nodeName: 'leaving-node' });
      const sub = collect(cluster.wsClient(), POD_LOGS, { name: pod.metadata.name, follow: true });
      await sub.until(() => sub.items.length >= 2);
      await other.stop();
      stopped = true;
      await sub.until(() => sub.completed);
      expect(sub.errors).toMatchObject([
        { message: 'the agent of node "leaving-node" disconnected', extensions: { code: 'UNAVAILABLE' } },
      ]);
      expect(await failure(POD_LOG, { name: pod.metadata.name })).toMatchObject({ code: 'UNAVAILABLE' });
    } finally {
      if (!stopped) await other.stop();
    }
  });

  it('a request no agent takes up times out; the latest subscription of a node gets the requests', async () => {
    const tunnels = cluster.server.resources.tunnels;
    const pickup = tunnels.pickupTimeoutMs;
    tunnels.pickupTimeoutMs = 300;
    const REQUESTS = `subscription { nodeStreamRequests(nodeName: "mute") { id kind container exec { command } } }`;
    const older = collect(cluster.wsClient(), REQUESTS);
    await waitFor(() => tunnels.connected('mute'), { what: 'the first mute agent' });
    const mute = collect(cluster.wsClient(), REQUESTS);
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const pod = await runPod('sleep infinity', { nodeName: 'mute', wait: 'none' });
      await writer.updateStatus(pod, {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'c0',
            ready: true,
            restartCount: 0,
            image: 'busybox',
            imageID: 'x',
            state: { running: { startedAt: new Date().toISOString() } },
          },
        ],
      });
      expect(await failure(EXEC, { name: pod.metadata.name, command: ['true'] })).toEqual({
        code: 'UNAVAILABLE',
        message: 'the agent of node "mute" did not take up the request within 0.3s',
      });
      await mute.until(() => mute.items.length === 2);
      const [request, cancel] = mute.items.map((item) => item.nodeStreamRequests);
      expect(request).toMatchObject({ kind: 'EXEC', container: 'c0', exec: { command: ['true'] } });
      expect(cancel).toMatchObject({ kind: 'CANCEL', id: request.id });
      expect(older.items).toEqual([]);
    } finally {
      tunnels.pickupTimeoutMs = pickup;
      mute.unsubscribe();
      older.unsubscribe();
    }
  });
});

describe('the tunnel across an API server restart', () => {
  it('is held again by the agent once the server is back', async () => {
    const pod = await runPod('echo still here; sleep infinity');
    await cluster.restart();
    await waitFor(() => cluster.server.resources.tunnels.connected(NODE), {
      ms: 15_000,
      what: 'the tunnel again',
    });
    expect(await podLog({ name: pod.metadata.name })).toBe('still here\n');
  });
});

describe('the simulated runtime plays scripts', () => {
  const context = { env: { WHO: 'world' }, hostname: 'pod-a', strict: false };
  const texts = (argv: string[]) =>
    playScript(argv, context).lines.map((l) => `${l.atMs} ${l.stream} ${l.text}`);

  it('prints over time: quotes, variables, redirections, && and ||, for loops, exit', () => {
    expect(
      texts(['sh', '-c', `echo "hello; $WHO"; sleep 0.5; echo 'as $WHO' >&2; false && echo no || echo yes`]),
    ).toEqual(['0 stdout hello; world', '500 stderr as $WHO', '500 stdout yes']);
    expect(
      texts(['/bin/sh', '-c', 'for i in a b; do echo "i=$i"; sleep 1; done; exit 2; echo never']),
    ).toEqual(['0 stdout i=a', '1000 stdout i=b']);
    expect(playScript(['sh', '-c', 'echo x; exit 2'], context).exitCode).toBe(2);
    // What it does not know prints nothing; a loop it cannot follow ends what it can tell.
    expect(texts(['sh', '-c', 'mystery; echo after; while [ -f x ]; do echo no; done; echo never'])).toEqual([
      '0 stdout after',
    ]);
  });

  it('repeats an endless loop for as long as the container runs, keeping the last lines', () => {
    const output = playScript(
      ['sh', '-c', 'echo start; sleep 1; while true; do echo tick; sleep 2; done'],
      context,
    );
    const at = (after: number, until: number) =>
      [...linesBetween(output, after, until)].map((l) => `${l.atMs} ${l.text}`);
    expect(at(-1, 5000)).toEqual(['0 start', '1000 tick', '3000 tick', '5000 tick']);
    expect(at(3000, 7000)).toEqual(['5000 tick', '7000 tick']);
    expect(nextLineAt(output, 5000)).toBe(7000);
    expect(nextLineAt(output, -1)).toBe(0);
    // A day of ticks every 2 s: the runtime keeps the last 10,000.
    const day = [...linesBetween(output, -1, 86_400_000)];
    expect(day.length).toBeLessThanOrEqual(10_000);
    expect(day.at(-1)!.atMs).toBe(86_399_000);
  });

  it('refuses in exec what it cannot run', () => {
    expect(() => playScript(['sh', '-c', 'echo ok; curl x'], { ...context, strict: true })).toThrow(
      'the simulated runtime cannot run curl x',
    );
    expect(() => playScript(['sh', '-c', 'while true; do date; done'], { ...context, strict: true })).toThrow(
      'the simulated runtime cannot run while true',
    );
  });
});

describe('a whole local cluster', () => {
  it('serves logs and exec of its in-process nodes (kq up)', async () => {
    const h = await startHollowCluster({ nodes: 1, nodeOptions: { simulation: { startDelayMs: [0, 5] } } });
    try {
      const client = createClient({ url: h.url, token: h.token });
      await resourceWriter(client).create({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'local', namespace: 'default' },
        spec: {
          containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', 'echo up; sleep infinity'] }],
        },
      });
      await waitFor(
        async () =>
          (await client.get<PodObject>('Pod', 'local'))?.status?.containerStatuses?.[0]?.state?.running,
        { what: 'the pod to run' },
      );
      const log = await client.request<{ podLog: string }>('{ podLog(name: "local") }');
      expect(log.podLog).toBe('up\n');
      const exec = await client.request<{ execPod: { stdout: string } }>(
        'mutation { execPod(name: "local", command: ["hostname"]) { stdout } }',
      );
      expect(exec.execPod.stdout).toBe('local\n');
      await client.close();
    } finally {
      await h.stop();
    }
  });
});
