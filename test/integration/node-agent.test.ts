import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '../../client/index.ts';
import type { LeaseObject, NodeObject, PodObject } from '../../agent/objects.ts';
import type { PodSpec } from '../../schema/kinds/pod.ts';
import { startHollowCluster, type HollowCluster } from '../support/hollow.ts';
import { waitFor } from '../support/wait.ts';

// The node agent against a real API server, on hollow nodes (simulated runtime): its
// Node, its Lease, and the pods it runs. Its decisions, its pod workers and the
// simulated runtime have their own node-agent-*.test.ts files.

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
    // Node-level pods (hostNetwork) are what this file tests: beyond the baseline default.
    await h.writer.patch('Namespace', 'default', undefined, {
      metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } },
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
