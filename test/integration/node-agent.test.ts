import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '../../client/index.ts';
import type { LeaseObject, NodeObject, PodObject } from '../../agent/objects.ts';
import { buildPodStatus, planPod, podPhase, restartAt, type SyncPlan } from '../../agent/node/pod-status.ts';
import { PodWorkers } from '../../agent/node/pod-workers.ts';
import type { RuntimeContainer, RuntimePod } from '../../agent/node/runtime/runtime.ts';
import { SimulatedRuntime, simulatedRun } from '../../agent/node/runtime/simulated.ts';
import type { Container, PodSpec } from '../../schema/kinds/pod.ts';
import { startHollowCluster, type HollowCluster } from '../support/hollow.ts';
import { waitFor } from '../support/wait.ts';

// ---------------------------------------------------------------------------------------------
// Fixtures

function pod(spec: Partial<PodSpec> = {}, annotations?: Record<string, string>): PodObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: 'uid-p', annotations },
    spec: { containers: [{ name: 'c', image: 'img:1' }], ...spec },
    status: { phase: 'Pending' },
  };
}

const container = (command?: string[], args?: string[]): Container => ({
  name: 'c',
  image: 'i',
  command,
  args,
});

const T0 = Date.parse('2025-01-01T00:00:00Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();

function instance(name: string, fields: Partial<RuntimeContainer>): RuntimeContainer {
  return {
    name,
    id: `simulated://${name}-${fields.attempt ?? 0}`,
    attempt: 0,
    init: false,
    image: 'img:1',
    imageID: 'simulated://sha256:x',
    state: 'running',
    createdAt: iso(0),
    startedAt: iso(10),
    ...fields,
  };
}

function runtimePod(...containers: RuntimeContainer[]): RuntimePod {
  return { uid: 'uid-p', namespace: 'default', name: 'p', ip: '10.244.0.2', ready: true, containers };
}

const noPlan = (): SyncPlan => ({ start: [], backingOff: new Map() });
const BACKOFF = { baseMs: 10_000, maxMs: 300_000 };

// ---------------------------------------------------------------------------------------------
// Unit tests

describe('simulated runs', () => {
  it('annotations script the run of every container', () => {
    const p = pod({}, { 'kubeql.io/simulate-exit-code': '3', 'kubeql.io/simulate-run-ms': '250' });
    expect(simulatedRun(p, container(), false)).toEqual({ runMs: 250, exitCode: 3 });
    expect(simulatedRun(pod({}, { 'kubeql.io/simulate-run-ms': '10' }), container(), false)).toEqual({
      runMs: 10,
      exitCode: 0,
    });
    // Init containers are not scripted by the annotations: they finish at once.
    expect(simulatedRun(p, container(), true)).toEqual({ runMs: 0, exitCode: 0 });
  });

  it('reads sleep, exit, true, false and echo, directly or in sh -c', () => {
    const run = (command: string[], args?: string[], restartPolicy: PodSpec['restartPolicy'] = 'Always') =>
      simulatedRun(pod({ restartPolicy }), container(command, args), false);
    expect(run(['sleep', '2'])).toEqual({ runMs: 2000, exitCode: 0 });
    expect(run(['sleep'], ['1.5m'])).toEqual({ runMs: 90_000, exitCode: 0 });
    expect(run(['/bin/sh', '-c', 'echo hello; sleep 0.5; exit 4'])).toEqual({ runMs: 500, exitCode: 4 });
    expect(run(['sh', '-c', 'date && false'])).toEqual({ runMs: 0, exitCode: 1 });
    expect(run(['true'])).toEqual({ runMs: 0, exitCode: 0 });
    expect(run(['sleep', 'infinity'])).toBeUndefined();
    expect(run(['sh', '-c', 'while true; do sleep 1; done'])).toBeUndefined();
    // Not understood: a server runs until stopped, a Job's command finishes with 0.
    expect(run(['/app/server', '--port=80'])).toBeUndefined();
    expect(run(['perl', '-e', 'print 1'], undefined, 'Never')).toEqual({ runMs: 0, exitCode: 0 });
    expect(simulatedRun(pod({ restartPolicy: 'OnFailure' }), container(), false)).toEqual({
      runMs: 0,
      exitCode: 0,
    });
    expect(simulatedRun(pod(), container(), false)).toBeUndefined();
  });

  it('the runtime takes containers from created to running after the start delay, and gives pod IPs from the range', async () => {
    const runtime = new SimulatedRuntime({ startDelayMs: [20, 20] });
    const changes: string[] = [];
    runtime.onChange((uid) => changes.push(uid));
    const p = pod(
      { restartPolicy: 'Never' },
      { 'kubeql.io/simulate-run-ms': '30', 'kubeql.io/simulate-exit-code': '2' },
    );
    const config = { nodeName: 'n', hostIP: '10.0.0.2', podCIDR: '10.244.7.0/24' };
    expect(await runtime.runPodSandbox(p, config)).toEqual({ ip: '10.244.7.2' });
    expect(await runtime.runPodSandbox(p, config)).toEqual({ ip: '10.244.7.2' }); // idempotent
    await runtime.startContainer(p, p.spec!.containers[0], { attempt: 0, init: false });
    expect((await runtime.getPod('uid-p'))!.containers[0].state).toBe('created');
    await waitFor(async () => (await runtime.getPod('uid-p'))!.containers[0].state === 'running');
    const exited = await waitFor(async () => {
      const c = (await runtime.getPod('uid-p'))!.containers[0];
      return c.state === 'exited' && c;
    });
    expect(exited).toMatchObject({ exitCode: 2, reason: 'Error' });
    expect(changes).toEqual(['uid-p', 'uid-p']);
    // Another pod gets the next address; a stopped pod's address is reused.
    const q = { ...p, metadata: { ...p.metadata, uid: 'uid-q' } };
    expect(await runtime.runPodSandbox(q, config)).toEqual({ ip: '10.244.7.3' });
    await runtime.removePod('uid-p');
    expect(await runtime.getPod('uid-p')).toBeUndefined();
    const r = { ...p, metadata: { ...p.metadata, uid: 'uid-r' } };
    expect(await runtime.runPodSandbox(r, config)).toEqual({ ip: '10.244.7.2' });
    await runtime.close();
  });
});

describe('pod sync decisions', () => {
  it('starts every container of a new pod, init containers first and one at a time', () => {
    expect(planPod(pod(), undefined).start.map((a) => [a.container.name, a.attempt])).toEqual([['c', 0]]);
    const withInit = pod({
      initContainers: [
        { name: 'i1', image: 'i' },
        { name: 'i2', image: 'i' },
      ],
    });
    expect(planPod(withInit, runtimePod()).start.map((a) => a.container.name)).toEqual(['i1']);
    const i1Done = instance('i1', { init: true, state: 'exited', exitCode: 0, finishedAt: iso(20) });
    expect(planPod(withInit, runtimePod(i1Done)).start.map((a) => a.container.name)).toEqual(['i2']);
    const i2Running = instance('i2', { init: true });
    expect(planPod(withInit, runtimePod(i1Done, i2Running)).start).toEqual([]);
  });

  it('restarts by restart policy: at once the first time, then after a doubling back-off (CrashLoopBackOff)', () => {
    const exited = (attempt: number, exitCode: number) =>
      instance('c', { attempt, state: 'exited', exitCode, finishedAt: iso(1000) });
    // First exit: restarted at once.
    expect(planPod(pod(), runtimePod(exited(0, 1)), BACKOFF, T0 + 1000).start).toMatchObject([
      { attempt: 1 },
    ]);
    // Second: 10 s, then 20 s, capped at 5 min.
    expect(restartAt(exited(1, 1), BACKOFF)).toBe(T0 + 11_000);
    expect(restartAt(exited(2, 1), BACKOFF)).toBe(T0 + 21_000);
    expect(restartAt(exited(20, 1), BACKOFF)).toBe(T0 + 301_000);
    const waiting = planPod(pod(), runtimePod(exited(1, 1)), BACKOFF, T0 + 5000);
    expect(waiting.start).toEqual([]);
    expect(waiting.retryAfterMs).toBe(6000);
    expect(waiting.backingOff.get('c')).toBe(
      'back-off 10s restarting failed container=c pod=p_default(uid-p)',
    );
    expect(planPod(pod(), runtimePod(exited(1, 1)), BACKOFF, T0 + 11_000).start).toMatchObject([
      { attempt: 2 },
    ]);

    // OnFailure restarts only failures; Never restarts nothing.
    expect(planPod(pod({ restartPolicy: 'OnFailure' }), runtimePod(exited(0, 0))).start).toEqual([]);
    expect(planPod(pod({ restartPolicy: 'OnFailure' }), runtimePod(exited(0, 1))).start).toHaveLength(1);
    expect(planPod(pod({ restartPolicy: 'Never' }), runtimePod(exited(0, 1))).start).toEqual([]);
  });

  it('phases follow the kubelet: Pending, Running, Succeeded, Failed', () => {
    const statusOf = (p: PodObject, rp: RuntimePod | undefined, plan = noPlan(), terminating = false) =>
      buildPodStatus(p, rp, plan, {
        hostIP: '10.0.0.2',
        podIP: rp?.ip,
        terminating,
        now: '2025-01-01T00:00:05Z',
      });
    expect(statusOf(pod(), undefined).phase).toBe('Pending');
    expect(statusOf(pod(), runtimePod(instance('c', { state: 'created' }))).phase).toBe('Pending');
    expect(statusOf(pod(), runtimePod(instance('c', {}))).phase).toBe('Running');
    const done = (exitCode: number) =>
      runtimePod(
        instance('c', {
          state: 'exited',
          exitCode,
          reason: exitCode ? 'Error' : 'Completed',
          finishedAt: iso(100),
        }),
      );
    expect(statusOf(pod({ restartPolicy: 'Never' }), done(0)).phase).toBe('Succeeded');
    expect(statusOf(pod({ restartPolicy: 'Never' }), done(1)).phase).toBe('Failed');
    expect(statusOf(pod({ restartPolicy: 'OnFailure' }), done(0)).phase).toBe('Succeeded');
    // Waiting to restart: still Running.
    const backingOff: SyncPlan = { start: [], backingOff: new Map([['c', 'back-off 10s ...']]) };
    const crashing = statusOf(pod(), done(1), backingOff);
    expect(crashing.phase).toBe('Running');
    expect(crashing.containerStatuses![0]).toMatchObject({
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s ...' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error' } },
      ready: false,
    });
    // Stopped for deletion: terminal.
    expect(statusOf(pod(), done(143), noPlan(), true).phase).toBe('Failed');
    expect(statusOf(pod(), done(0), noPlan(), true).phase).toBe('Succeeded');
    // A failed init container fails a pod that never restarts, and keeps others Pending.
    const initFailed = (policy: PodSpec['restartPolicy']) =>
      podPhase(
        pod({ restartPolicy: policy, initContainers: [{ name: 'i', image: 'i' }] }),
        [{ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: {} } }],
        [
          {
            name: 'i',
            image: 'i',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 1 } },
          },
        ],
      );
    expect(initFailed('Never')).toBe('Failed');
    expect(initFailed('Always')).toBe('Pending');
  });

  it('reports conditions, container statuses and IPs, keeping unchanged timestamps', () => {
    const p = pod();
    p.status = {
      phase: 'Pending',
      qosClass: 'BestEffort',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' },
        { type: 'DisruptionTarget', status: 'False', reason: 'Other' },
      ],
    };
    const running = runtimePod(instance('c', {}));
    const status = buildPodStatus(p, running, noPlan(), {
      hostIP: '10.0.0.2',
      podIP: '10.244.0.2',
      now: '2025-01-01T00:00:01Z',
    });
    expect(status).toEqual({
      phase: 'Running',
      qosClass: 'BestEffort',
      hostIP: '10.0.0.2',
      podIP: '10.244.0.2',
      podIPs: [{ ip: '10.244.0.2' }],
      startTime: '2025-01-01T00:00:01Z',
      conditions: [
        { type: 'Initialized', status: 'True', lastTransitionTime: '2025-01-01T00:00:01Z' },
        { type: 'Ready', status: 'True', lastTransitionTime: '2025-01-01T00:00:01Z' },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: '2025-01-01T00:00:01Z' },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' },
        { type: 'DisruptionTarget', status: 'False', reason: 'Other' },
      ],
      containerStatuses: [
        {
          name: 'c',
          state: { running: { startedAt: '2025-01-01T00:00:00Z' } },
          ready: true,
          restartCount: 0,
          image: 'img:1',
          imageID: 'simulated://sha256:x',
          containerID: 'simulated://c-0',
          started: true,
        },
      ],
    });
    // The same facts later: the same status, so nothing is written.
    const again = buildPodStatus({ ...p, status }, running, noPlan(), {
      hostIP: '10.0.0.2',
      podIP: '10.244.0.2',
      now: '2025-01-01T00:09:00Z',
    });
    expect(again).toEqual(status);
    // Not started yet: waiting ContainerCreating, not ready, with the reason.
    const creating = buildPodStatus(p, undefined, noPlan(), { hostIP: '10.0.0.2' });
    expect(creating.containerStatuses![0]).toMatchObject({
      state: { waiting: { reason: 'ContainerCreating' } },
      ready: false,
    });
    expect(creating.conditions!.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [c]',
    });
  });
});

describe('pod workers', () => {
  it('run one sync at a time per pod, coalesce updates that arrive meanwhile, and never make pods wait for each other', async () => {
    const log: string[] = [];
    const inFlight = new Set<string>();
    const release = new Map<string, () => void>();
    const workers = new PodWorkers(
      async (key) => {
        expect(inFlight.has(key)).toBe(false);
        inFlight.add(key);
        log.push(`start ${key}`);
        await new Promise<void>((resolve) => release.set(key, resolve));
        inFlight.delete(key);
        log.push(`end ${key}`);
      },
      () => {},
    );
    workers.update('a');
    workers.update('b');
    await waitFor(() => release.has('a') && release.has('b'));
    workers.update('a');
    workers.update('a');
    workers.update('a');
    release.get('b')!();
    release.delete('b');
    await waitFor(() => log.includes('end b'));
    release.get('a')!();
    release.delete('a');
    await waitFor(() => release.has('a')); // exactly one more sync of a
    release.get('a')!();
    await waitFor(() => workers.busy === 0);
    expect(log).toEqual(['start a', 'start b', 'end b', 'end a', 'start a', 'end a']);
    await workers.stop();
  });

  it('retry a failing sync with back-off', async () => {
    let calls = 0;
    const errors: string[] = [];
    const workers = new PodWorkers(
      async () => {
        if (++calls < 3) throw new Error(`failure ${calls}`);
      },
      (key, error) => errors.push(`${key}: ${(error as Error).message}`),
    );
    workers.update('x');
    await waitFor(() => calls === 3, { ms: 5000 });
    expect(errors).toEqual(['x: failure 1', 'x: failure 2']);
    await workers.stop();
  });
});

// ---------------------------------------------------------------------------------------------
// Integration: hollow nodes against a real API server

describe('node agent on a hollow cluster', () => {
  let h: HollowCluster;
  beforeAll(async () => {
    h = await startHollowCluster({
      nodes: 2,
      controllers: [],
      nodeOptions: {
        leaseRenewIntervalMs: 100,
        crashLoopBackoff: { baseMs: 300, maxMs: 1000 },
        capacity: { cpu: '8', memory: '16Gi', pods: '50' },
        labels: { 'node-role.kubeql.io/worker': '' },
      },
    });
  });
  afterAll(() => h?.stop());

  let seq = 0;
  /** A pod bound to a node directly (no scheduler involved). */
  const create = (
    nodeName: string,
    spec: Partial<PodSpec> = {},
    annotations?: Record<string, string>,
    name = `pod-${seq++}`,
  ) =>
    h.writer.create<PodObject>({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', annotations },
      spec: { nodeName, containers: [{ name: 'app', image: 'nginx:1.27' }], ...spec },
    });
  const get = (p: Resource) => h.client.get<PodObject>('Pod', p.metadata.name!, 'default');
  const until = (p: Resource, check: (pod: PodObject) => unknown, what = 'pod state') =>
    waitFor(
      async () => {
        const current = await get(p);
        return current && check(current) ? current : undefined;
      },
      { what: `${p.metadata.name}: ${what}` },
    );
  const lease = () => h.client.get<LeaseObject>('Lease', 'hollow-1', 'kube-node-lease');

  it('registers its node: labels, capacity, allocatable, Ready, addresses, nodeInfo', async () => {
    const node = (await h.client.get<NodeObject>('Node', 'hollow-1'))!;
    expect(node.metadata.labels).toMatchObject({
      'kubernetes.io/hostname': 'hollow-1',
      'kubernetes.io/os': 'linux',
      'node-role.kubeql.io/worker': '',
    });
    expect(node.spec).toMatchObject({ podCIDR: '10.244.0.0/24', providerID: 'simulated://hollow-1' });
    expect(node.status?.capacity).toEqual({ cpu: '8', memory: '16Gi', pods: '50' });
    expect(node.status?.allocatable).toEqual({ cpu: '8', memory: '16Gi', pods: '50' });
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'True',
      reason: 'KubeletReady',
    });
    expect(node.status?.addresses).toEqual([
      { type: 'InternalIP', address: '10.0.0.2' },
      { type: 'Hostname', address: 'hollow-1' },
    ]);
    expect(node.status?.nodeInfo).toMatchObject({
      containerRuntimeVersion: 'simulated://0.1.0',
      kubeletVersion: 'kubeql-0.1.0',
      operatingSystem: 'linux',
    });
  });

  it('renews its Lease, and stops while silenced', async () => {
    const first = (await lease())!;
    expect(first.spec).toMatchObject({ holderIdentity: 'hollow-1', leaseDurationSeconds: 40 });
    const node = (await h.client.get('Node', 'hollow-1'))!;
    expect(first.metadata.ownerReferences).toEqual([
      { apiVersion: 'v1', kind: 'Node', name: 'hollow-1', uid: node.metadata.uid },
    ]);
    await waitFor(async () => (await lease())!.spec!.renewTime! > first.spec!.renewTime!, {
      what: 'a renewal',
    });

    h.nodes[0].silence();
    await new Promise((resolve) => setTimeout(resolve, 150));
    const silent = (await lease())!.spec!.renewTime;
    // Nor does a silent node run anything it is given.
    const p = await create('hollow-1');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await lease())!.spec!.renewTime).toBe(silent);
    expect((await get(p))!.status?.containerStatuses).toBeUndefined();

    h.nodes[0].resume();
    await waitFor(async () => (await lease())!.spec!.renewTime! > silent!, { what: 'renewal after resume' });
    await until(p, (x) => x.status?.phase === 'Running', 'Running after resume');
  });

  it('runs a pod to Running and Ready, reporting its containers, IPs and start time', async () => {
    const p = await create('hollow-1', {
      containers: [
        { name: 'web', image: 'nginx:1.27' },
        { name: 'sidecar', image: 'busybox:1.36', command: ['sleep', '3600'] },
      ],
    });
    const running = await until(
      p,
      (x) => x.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True',
      'Ready',
    );
    const status = running.status!;
    expect(status.phase).toBe('Running');
    expect(Object.fromEntries(status.conditions!.map((c) => [c.type, c.status]))).toEqual({
      Initialized: 'True',
      Ready: 'True',
      ContainersReady: 'True',
      PodScheduled: 'True',
    });
    expect(
      status.containerStatuses!.map((c) => [c.name, c.image, c.ready, c.restartCount, c.started]),
    ).toEqual([
      ['web', 'nginx:1.27', true, 0, true],
      ['sidecar', 'busybox:1.36', true, 0, true],
    ]);
    for (const c of status.containerStatuses!) {
      expect(c.state?.running?.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(c.containerID).toMatch(/^simulated:\/\/[0-9a-f]{32}$/);
    }
    expect(status.hostIP).toBe('10.0.0.2');
    expect(status.podIP).toMatch(/^10\.244\.0\.\d+$/);
    expect(status.podIPs).toEqual([{ ip: status.podIP }]);
    expect(status.startTime).toBeDefined();

    // A hostNetwork pod has the node's IP.
    const host = await create('hollow-2', { hostNetwork: true });
    const onHost = await until(host, (x) => x.status?.phase === 'Running');
    expect(onHost.status).toMatchObject({ podIP: '10.0.0.3', hostIP: '10.0.0.3' });
  });

  it('runs init containers first, then the containers', async () => {
    const p = await create('hollow-2', {
      initContainers: [{ name: 'setup', image: 'busybox', command: ['sh', '-c', 'echo init; sleep 0.1'] }],
    });
    const running = await until(p, (x) => x.status?.phase === 'Running');
    expect(running.status!.initContainerStatuses).toMatchObject([
      { name: 'setup', ready: true, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
    ]);
    expect(running.status!.conditions!.find((c) => c.type === 'Initialized')?.status).toBe('True');
  });

  it('finishes Job-like pods: Succeeded or Failed by their exit code', async () => {
    const ok = await create(
      'hollow-1',
      { restartPolicy: 'Never' },
      {
        'kubeql.io/simulate-run-ms': '100',
        'kubeql.io/simulate-exit-code': '0',
      },
    );
    const bad = await create('hollow-2', { restartPolicy: 'Never' }, { 'kubeql.io/simulate-exit-code': '3' });
    const scripted = await create('hollow-1', {
      restartPolicy: 'Never',
      containers: [{ name: 'job', image: 'busybox', command: ['sh', '-c', 'echo working; exit 2'] }],
    });

    const succeeded = await until(ok, (x) => x.status?.phase === 'Succeeded', 'Succeeded');
    expect(succeeded.status!.containerStatuses![0]).toMatchObject({
      ready: false,
      restartCount: 0,
      state: { terminated: { exitCode: 0, reason: 'Completed' } },
    });
    expect(succeeded.status!.conditions!.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'PodCompleted',
    });
    const failed = await until(bad, (x) => x.status?.phase === 'Failed', 'Failed');
    expect(failed.status!.containerStatuses![0].state?.terminated).toMatchObject({
      exitCode: 3,
      reason: 'Error',
    });
    const exited = await until(scripted, (x) => x.status?.phase === 'Failed', 'Failed');
    expect(exited.status!.containerStatuses![0].state?.terminated?.exitCode).toBe(2);

    // OnFailure: a failing container is restarted, the pod keeps Running.
    const retried = await create(
      'hollow-2',
      { restartPolicy: 'OnFailure' },
      { 'kubeql.io/simulate-exit-code': '1' },
    );
    const restarted = await until(
      retried,
      (x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1,
      'a restart',
    );
    expect(restarted.status!.phase).not.toBe('Failed');
  });

  it('fails a pod past its activeDeadlineSeconds', async () => {
    const p = await create('hollow-2', { activeDeadlineSeconds: 1 });
    const failed = await until(p, (x) => x.status?.phase === 'Failed', 'Failed');
    expect(failed.status).toMatchObject({
      reason: 'DeadlineExceeded',
      message: 'Pod was active on the node longer than the specified deadline',
    });
    expect(failed.status!.containerStatuses![0].state?.terminated).toBeDefined();
  });

  it('restarts a failing container of a restartPolicy Always pod with CrashLoopBackOff waits', async () => {
    const p = await create(
      'hollow-1',
      {},
      { 'kubeql.io/simulate-exit-code': '1', 'kubeql.io/simulate-run-ms': '20' },
    );
    const crashing = await until(
      p,
      (x) => x.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff',
      'CrashLoopBackOff',
    );
    const container = crashing.status!.containerStatuses![0];
    expect(container.restartCount).toBeGreaterThanOrEqual(1);
    expect(container.state!.waiting!.message).toMatch(/^back-off \d+s restarting failed container=app pod=/);
    expect(container.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    expect(crashing.status!.phase).toBe('Running');
    expect(crashing.status!.conditions!.find((c) => c.type === 'Ready')?.status).toBe('False');
    // After the back-off it runs again, one more restart.
    await until(
      p,
      (x) => (x.status?.containerStatuses?.[0]?.restartCount ?? 0) > container.restartCount,
      'another restart',
    );
  });

  it('restarts containers failed on purpose', async () => {
    const p = await create('hollow-2');
    const running = await until(p, (x) => x.status?.phase === 'Running');
    const uid = running.metadata.uid;
    expect(h.nodes[1].failContainers((rp) => rp.uid === uid, 137)).toBe(1);
    const restarted = await until(
      p,
      (x) =>
        x.status?.containerStatuses?.[0]?.restartCount === 1 && x.status.containerStatuses[0].state?.running,
      'restarted',
    );
    expect(restarted.status!.containerStatuses![0].lastState?.terminated).toMatchObject({ exitCode: 137 });
    expect(restarted.status!.containerStatuses![0].containerID).not.toBe(
      running.status!.containerStatuses![0].containerID,
    );
  });

  it('stops and deletes a pod marked for deletion', async () => {
    const p = await create('hollow-1');
    const running = await until(p, (x) => x.status?.phase === 'Running');
    const marked = await h.writer.delete('Pod', p.metadata.name!, 'default');
    expect(marked?.metadata.deletionTimestamp).toBeDefined();
    await waitFor(async () => (await get(p)) === null, { what: 'the pod to be gone' });
    await waitFor(async () => (await h.nodes[0].runtime.getPod(running.metadata.uid!)) === undefined, {
      what: 'the runtime to forget it',
    });
  });

  it('adopts its pods after an agent restart without restarting them', async () => {
    const node = h.nodes[1];
    const keep = await until(await create('hollow-2'), (x) => x.status?.phase === 'Running');
    const gone = await until(await create('hollow-2'), (x) => x.status?.phase === 'Running');
    await node.agent.stop();
    // While the agent is down: one pod is force-deleted, another is bound to the node.
    await h.writer.delete('Pod', gone.metadata.name!, 'default', { gracePeriodSeconds: 0 });
    const fresh = await create('hollow-2');

    await node.restart();
    await until(fresh, (x) => x.status?.phase === 'Running', 'the new pod Running');
    await waitFor(async () => (await node.runtime.getPod(gone.metadata.uid!)) === undefined, {
      what: 'the deleted pod stopped',
    });
    // The kept pod: the same containers, not restarted, its status not even rewritten.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = (await get(keep))!;
    expect(after.metadata.resourceVersion).toBe(keep.metadata.resourceVersion);
    expect(after.status!.containerStatuses![0]).toEqual(keep.status!.containerStatuses![0]);
    const inRuntime = (await node.runtime.getPod(keep.metadata.uid!))!;
    expect(inRuntime.containers.map((c) => [c.attempt, c.state, c.id])).toEqual([
      [0, 'running', keep.status!.containerStatuses![0].containerID],
    ]);
  });
});
