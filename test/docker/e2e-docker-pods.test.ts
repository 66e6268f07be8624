import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodObject } from '../../agent/objects.ts';
import { LABEL } from '../../agent/node/runtime/docker-labels.ts';
import { execIn, startDockerCluster, type DockerCluster } from '../support/docker.ts';
import { waitFor } from '../support/wait.ts';

/** Pods on real containers: what the kubelet does for one pod, checked from inside it through exec and logs. */
describe('pods on Docker', () => {
  let c: DockerCluster;
  const ns = 'default';
  const hostDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-hostpath-'));

  const exec = (pod: string, command: string[], container?: string) =>
    execIn(c.client, ns, pod, command, container);
  const log = async (pod: string, container?: string, extra: Record<string, unknown> = {}) =>
    (
      await c.client.request<{ podLog: string }>(
        `query($ns: String!, $pod: String!, $c: String, $tail: Int, $previous: Boolean) {
          podLog(namespace: $ns, name: $pod, container: $c, tailLines: $tail, previous: $previous) }`,
        { ns, pod, c: container, ...extra },
      )
    ).podLog;
  const getPod = (name: string) => c.client.get<PodObject>('Pod', name, ns);
  const running = (name: string, ms = 30_000) =>
    waitFor(
      async () => {
        const pod = await getPod(name);
        return pod?.status?.phase === 'Running' && pod.status.containerStatuses?.every((s) => s.ready) && pod;
      },
      { ms, every: 100, what: `pod ${name} running` },
    );
  const pod = (name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}) =>
    c.writer.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels }, spec });
  const sleeper = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    image: 'kubeql/busybox:stable',
    command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'],
    ...extra,
  });

  beforeAll(async () => {
    c = await startDockerCluster();
    // hostPID, hostPath and seccomp Unconfined are what some of these pods test: beyond the baseline default.
    await c.writer.patch('Namespace', ns, undefined, {
      metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } },
    });
  }, 120_000);
  afterAll(async () => {
    await c?.stop();
    fs.rmSync(hostDir, { recursive: true, force: true });
  }, 60_000);

  it("registers the node with the host's capacity and the engine's info", async () => {
    const node = (await c.client.get('Node', c.nodes[0].name)) as unknown as {
      spec: { podCIDR: string };
      status: { capacity: Record<string, string>; nodeInfo: Record<string, string> };
    };
    expect(node.spec.podCIDR).toBe(c.nodes[0].network.subnet);
    expect(node.status.capacity.cpu).toBe(String(os.cpus().length));
    expect(node.status.capacity.memory).toBe(`${Math.floor(os.totalmem() / 1024)}Ki`);
    expect(node.status.nodeInfo.kernelVersion).toBe(os.release());
    expect(node.status.nodeInfo.containerRuntimeVersion).toMatch(/^docker:\/\/\d+\./);
  });

  it('runs two containers that share localhost and an emptyDir; HOSTNAME is the pod name', async () => {
    await pod('duo', {
      volumes: [{ name: 'shared', emptyDir: {} }],
      containers: [
        {
          name: 'web',
          image: 'kubeql/busybox:stable',
          command: ['httpd', '-f', '-p', '8080', '-h', '/shared'],
          volumeMounts: [{ name: 'shared', mountPath: '/shared' }],
        },
        sleeper('writer', { volumeMounts: [{ name: 'shared', mountPath: '/data' }] }),
      ],
    });
    await running('duo');
    expect((await exec('duo', ['sh', '-c', 'echo hello > /data/index.html'], 'writer')).exitCode).toBe(0);
    const fetched = await exec('duo', ['wget', '-qO-', 'http://localhost:8080/index.html'], 'writer');
    expect(fetched).toMatchObject({ stdout: 'hello\n', exitCode: 0 });
    expect((await exec('duo', ['sh', '-c', 'echo $HOSTNAME; hostname'], 'writer')).stdout).toBe('duo\nduo\n');
    const failed = await exec('duo', ['sh', '-c', 'echo oops >&2; exit 3'], 'writer');
    expect(failed).toMatchObject({ stdout: '', stderr: 'oops\n', exitCode: 3 });
  }, 60_000);

  it("runs a pod in the node's process namespace, with its extra groups and without seccomp", async () => {
    await pod('host-pid', {
      hostPID: true,
      securityContext: { supplementalGroups: [4000], fsGroup: 2000, seccompProfile: { type: 'Unconfined' } },
      containers: [sleeper('app')],
    });
    await running('host-pid');
    const groups = await exec('host-pid', ['id', '-G']);
    expect(groups.stdout.trim().split(' ')).toEqual(expect.arrayContaining(['4000', '2000']));
    const seccomp = await exec('host-pid', ['grep', 'Seccomp:', '/proc/self/status']);
    expect(seccomp.stdout).toMatch(/^Seccomp:\s+0$/m);
    // The node's first process, as the node sees it.
    const init = await exec('host-pid', ['cat', '/proc/1/cmdline']);
    expect(init.stdout).toBe(fs.readFileSync('/proc/1/cmdline', 'utf8'));
  }, 60_000);

  it('gives ConfigMaps and Secrets as env and as files, and updates the files', async () => {
    await c.writer.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: ns },
      data: { greeting: 'hello', mode: 'fast' },
    });
    await c.writer.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds', namespace: ns },
      stringData: { password: 's3cr3t' },
    });
    await pod('configured', {
      volumes: [
        { name: 'config', configMap: { name: 'settings' } },
        { name: 'secret', secret: { secretName: 'creds' } },
      ],
      containers: [
        sleeper('app', {
          env: [
            { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'settings', key: 'greeting' } } },
            { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'MESSAGE', value: '$(GREETING) from $(POD_NAME)' },
          ],
          envFrom: [{ configMapRef: { name: 'settings' }, prefix: 'CFG_' }],
          volumeMounts: [
            { name: 'config', mountPath: '/etc/config' },
            { name: 'secret', mountPath: '/etc/secret' },
          ],
        }),
      ],
    });
    await running('configured');
    const env = await exec('configured', ['sh', '-c', 'echo "$GREETING|$PASSWORD|$MESSAGE|$CFG_mode"']);
    expect(env.stdout).toBe('hello|s3cr3t|hello from configured|fast\n');
    const files = await exec('configured', [
      'sh',
      '-c',
      'cat /etc/config/greeting; echo; cat /etc/secret/password',
    ]);
    expect(files.stdout).toBe('hello\ns3cr3t');
    await c.writer.patch('ConfigMap', 'settings', ns, { data: { greeting: 'bonjour' } });
    await waitFor(
      async () => (await exec('configured', ['cat', '/etc/config/greeting'])).stdout === 'bonjour',
      {
        ms: 15_000,
        every: 200,
        what: 'the updated ConfigMap in the file',
      },
    );
  }, 60_000);

  it('runs init containers in order, to completion, before the app', async () => {
    const step = (name: string, word: string) => ({
      name,
      image: 'kubeql/busybox:stable',
      command: ['sh', '-c', `echo ${word} >> /steps/order; sleep 0.3`],
      volumeMounts: [{ name: 'work', mountPath: '/steps' }],
    });
    await pod('ordered', {
      volumes: [{ name: 'work', emptyDir: {} }],
      initContainers: [step('first', 'one'), step('second', 'two')],
      containers: [
        sleeper('main', {
          command: ['sh', '-c', 'cat /steps/order; trap "exit 0" TERM; while true; do sleep 1; done'],
          volumeMounts: [{ name: 'work', mountPath: '/steps' }],
        }),
      ],
    });
    const ready = await running('ordered');
    expect(ready.status?.initContainerStatuses?.map((s) => s.state?.terminated?.reason)).toEqual([
      'Completed',
      'Completed',
    ]);
    expect(ready.status?.conditions?.find((cond) => cond.type === 'Initialized')?.status).toBe('True');
    // The engine writes the log a moment after the process printed it.
    await waitFor(async () => (await log('ordered', 'main')) === 'one\ntwo\n', { what: 'the main log' });
  }, 60_000);

  it('runs a Job to completion', async () => {
    await c.writer.create({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'once', namespace: ns },
      spec: {
        completions: 2,
        parallelism: 2,
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [
              { name: 'work', image: 'kubeql/busybox:stable', command: ['sh', '-c', 'echo done'] },
            ],
          },
        },
      },
    });
    const job = await waitFor(
      async () => {
        const found = await c.client.get<PodObject>('Job', 'once', ns);
        const status = found?.status as {
          succeeded?: number;
          conditions?: Array<{ type: string; status: string }>;
        };
        return (
          status?.conditions?.some((cond) => cond.type === 'Complete' && cond.status === 'True') && status
        );
      },
      { ms: 30_000, every: 200, what: 'the Job complete' },
    );
    expect(job.succeeded).toBe(2);
    const pods = (await c.client.listAll<PodObject>('Pod', { namespace: ns, labelSelector: 'job-name=once' }))
      .items;
    expect(pods.map((p) => p.status?.phase)).toEqual(['Succeeded', 'Succeeded']);
    expect(pods[0].status?.containerStatuses?.[0].state?.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
    });
    expect(await log(pods[0].metadata.name!)).toBe('done\n');
  }, 60_000);

  it('reports an image that cannot be pulled as ErrImagePull, then ImagePullBackOff', async () => {
    await pod('unpullable', { containers: [{ name: 'app', image: 'kubeql/no-such-image:v9' }] });
    const reasons = new Set<string>();
    await waitFor(
      async () => {
        const waiting = (await getPod('unpullable'))?.status?.containerStatuses?.[0].state?.waiting;
        if (waiting?.reason) reasons.add(waiting.reason);
        return reasons.has('ImagePullBackOff') && waiting;
      },
      { ms: 30_000, every: 50, what: 'ImagePullBackOff' },
    );
    const status = (await getPod('unpullable'))!.status!;
    expect(status.phase).toBe('Pending');
    expect(status.containerStatuses?.[0].state?.waiting?.message).toBe(
      'Back-off pulling image "kubeql/no-such-image:v9"',
    );
    expect(reasons.has('ErrImagePull') || reasons.size === 1).toBe(true);
  }, 60_000);

  it('runs postStart, then on delete preStop, SIGTERM, and waits for the container to finish', async () => {
    await pod('graceful', {
      terminationGracePeriodSeconds: 20,
      volumes: [{ name: 'host', hostPath: { path: hostDir } }],
      containers: [
        sleeper('app', {
          command: [
            'sh',
            '-c',
            'trap "echo TERM >> /host/signal; sleep 2; echo done >> /host/signal; exit 0" TERM; while true; do sleep 0.2; done',
          ],
          volumeMounts: [{ name: 'host', mountPath: '/host' }],
          lifecycle: {
            postStart: { exec: { command: ['sh', '-c', 'echo started > /host/poststart'] } },
            preStop: { exec: { command: ['sh', '-c', 'echo preStop >> /host/signal'] } },
          },
        }),
      ],
    });
    await running('graceful');
    expect(fs.readFileSync(path.join(hostDir, 'poststart'), 'utf8')).toBe('started\n');
    const started = Date.now();
    await c.writer.delete('Pod', 'graceful', ns);
    await waitFor(async () => (await getPod('graceful')) === null, {
      ms: 30_000,
      every: 100,
      what: 'pod gone',
    });
    const took = Date.now() - started;
    expect(fs.readFileSync(path.join(hostDir, 'signal'), 'utf8')).toBe('preStop\nTERM\ndone\n');
    expect(took).toBeGreaterThanOrEqual(2000);
    expect(took).toBeLessThan(15_000);
  }, 60_000);

  it('keeps the previous instance’s log after a restart', async () => {
    await pod('restarter', {
      containers: [
        {
          name: 'app',
          image: 'kubeql/busybox:stable',
          command: ['sh', '-c', 'echo run at $RANDOM$RANDOM; sleep 1; exit 2'],
        },
      ],
    });
    const restarted = await waitFor(
      async () => {
        const status = (await getPod('restarter'))?.status?.containerStatuses?.[0];
        return (status?.restartCount ?? 0) >= 1 && status;
      },
      { ms: 30_000, every: 100, what: 'a restart' },
    );
    expect(restarted.lastState?.terminated).toMatchObject({ exitCode: 2, reason: 'Error' });
    const previous = await log('restarter', undefined, { previous: true });
    expect(previous).toMatch(/^run at \d+\n$/);
  }, 60_000);

  it('follows a container’s log over a subscription, and ends with the container', async () => {
    await pod('ticker', {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'app',
          image: 'kubeql/busybox:stable',
          command: ['sh', '-c', 'for i in 1 2 3 4 5 6; do echo tick $i; echo tock $i >&2; sleep 0.3; done'],
        },
      ],
    });
    // Started (on a loaded engine it may even have finished: following its log then reads it whole).
    await waitFor(
      async () => ['Running', 'Succeeded'].includes((await getPod('ticker'))?.status?.phase ?? ''),
      {
        ms: 20_000,
        what: 'ticker started',
      },
    );
    const lines: Array<{ stream: string; text: string }> = [];
    const subscription = c.client.subscribe<{ podLogs: { stream: string; text: string } }>(
      `subscription($ns: String!) { podLogs(namespace: $ns, name: "ticker", follow: true) { stream text } }`,
      { ns },
    );
    for await (const { podLogs } of subscription) lines.push(podLogs);
    expect(lines.filter((l) => l.stream === 'STDOUT').map((l) => l.text)).toEqual(
      [1, 2, 3, 4, 5, 6].map((i) => `tick ${i}`),
    );
    expect(lines.filter((l) => l.stream === 'STDERR').map((l) => l.text)).toEqual(
      [1, 2, 3, 4, 5, 6].map((i) => `tock ${i}`),
    );
    // The log ends when the process does; the agent reports the pod a moment later.
    await waitFor(async () => (await getPod('ticker'))?.status?.phase === 'Succeeded', {
      what: 'ticker Succeeded',
    });
  }, 60_000);

  it('adopts running containers after an agent restart, starting nothing twice', async () => {
    const node = c.nodes[0];
    // The pods that run steadily (the crash-looping one makes new containers on its own).
    const steady = await Promise.all(
      ['duo', 'configured', 'ordered'].map(async (name) => (await getPod(name))!.metadata.uid),
    );
    const containersOfNode = async () =>
      (await c.docker.listContainers({ all: true, filters: { label: [`${LABEL.node}=${node.name}`] } }))
        .filter((x) => steady.includes(x.Labels[LABEL.podUid]))
        .map((x) => `${x.Names[0]} ${x.State}`)
        .sort();
    const before = await containersOfNode();
    const duo = await getPod('duo');
    await node.restart();
    // Give the new agent time to sync every pod.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await containersOfNode()).toEqual(before);
    const after = await getPod('duo');
    expect(after?.status?.containerStatuses?.map((s) => s.restartCount)).toEqual(
      duo?.status?.containerStatuses?.map((s) => s.restartCount),
    );
    expect(after?.status?.phase).toBe('Running');
  }, 60_000);

  it('removes the containers of a pod deleted while its agent was away', async () => {
    const node = c.nodes[0];
    await pod('orphan', { containers: [sleeper('app')] });
    await running('orphan');
    const uid = (await getPod('orphan'))!.metadata.uid!;
    const containersOf = async () =>
      (await c.docker.listContainers({ all: true, filters: { label: [`${LABEL.podUid}=${uid}`] } })).length;
    expect(await containersOf()).toBe(2);
    await node.agent.stop();
    await c.writer.delete('Pod', 'orphan', ns, { gracePeriodSeconds: 0 });
    expect(await containersOf()).toBe(2);
    await node.restart();
    await waitFor(async () => (await containersOf()) === 0, {
      ms: 20_000,
      what: 'the orphan containers removed',
    });
  }, 60_000);
});
