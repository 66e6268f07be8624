import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PropagationPolicy } from '../../client/index.ts';
import {
  condition,
  controllerOf,
  deployment,
  imagesOf,
  isPodActive,
  isPodAvailable,
  pods,
  record,
  replicaSetsOf,
  rolledOut,
  SIMULATE_EXIT_CODE,
  startE2ECluster,
  until,
  type DeploymentObject,
  type E2ECluster,
  type PodObject,
  type ReplicaSetObject,
} from '../support/e2e.ts';

// Deployments end to end: every controller, the scheduler and three hollow nodes in
// this process, driven only through the GraphQL endpoint over HTTP and WebSocket.

let e: E2ECluster;
beforeAll(async () => {
  e = await startE2ECluster({ nodes: 3 });
});
afterAll(() => e?.stop());

const CHANGE_CAUSE = 'kubernetes.io/change-cause';
const REVISION = 'deployment.kubernetes.io/revision';

const SET_IMAGE = `mutation($ns: String!, $n: String!, $image: String!, $cause: String) {
  setImage(kind: Deployment, namespace: $ns, name: $n, images: [{ container: "app", image: $image }], changeCause: $cause) { kind }
}`;
const HISTORY = `query($ns: String!, $n: String!) {
  rolloutHistory(kind: Deployment, namespace: $ns, name: $n) { revision changeCause template replicaSet { metadata { name } } }
}`;
const UNDO = `mutation($ns: String!, $n: String!, $to: Int) {
  rolloutUndoDeployment(namespace: $ns, name: $n, toRevision: $to) { revision skipped message }
}`;
const PAUSE = `mutation($ns: String!, $n: String!) { pauseDeployment(namespace: $ns, name: $n) { spec { paused } } }`;
const RESUME = `mutation($ns: String!, $n: String!) { resumeDeployment(namespace: $ns, name: $n) { spec { paused } } }`;
const STATUS = `subscription($ns: String!, $n: String!) {
  rolloutStatus(namespace: $ns, name: $n, timeoutSeconds: 30) { message done failed }
}`;

interface Revision {
  revision: number;
  changeCause: string | null;
  template: { spec: { containers: Array<{ image: string }> } };
  replicaSet: { metadata: { name: string } } | null;
}

type PausedResult = { spec: { paused: boolean | null } };
type RolloutStatus = { message: string; done: boolean; failed: boolean };
/** Every item of the rolloutStatus subscription, until it completes (done or failed). */
async function rolloutStatus(ns: string, name: string): Promise<RolloutStatus[]> {
  const items: RolloutStatus[] = [];
  for await (const item of e.api.subscribe<{ rolloutStatus: RolloutStatus }>(STATUS, { ns, n: name })) {
    items.push(item.rolloutStatus);
  }
  return items;
}

const setImage = (ns: string, name: string, image: string, cause?: string) =>
  e.api.request(SET_IMAGE, { ns, n: name, image, cause });
const history = async (ns: string, name: string) =>
  (await e.api.request<{ rolloutHistory: Revision[] }>(HISTORY, { ns, n: name })).rolloutHistory;

describe('rolling update', () => {
  it('replaces 10 replicas with maxSurge 3 / maxUnavailable 2, within both bounds at every event', async () => {
    const ns = await e.namespace('rolling');
    const [replicas, surge, unavailable, minReadySeconds] = [10, 3, 2, 1];
    await e.writer.create(
      deployment(ns, 'web', {
        replicas,
        minReadySeconds,
        maxSurge: surge,
        maxUnavailable: unavailable,
        image: 'nginx:1',
      }),
    );
    await rolledOut(e.api, ns, 'web');

    // From a snapshot of the rolled-out v1, every change to pods and ReplicaSets.
    const podList = await e.api.list<PodObject>('Pod', { namespace: ns });
    const rsList = await e.api.list<ReplicaSetObject>('ReplicaSet', { namespace: ns });
    const state = new Map(podList.items.map((pod) => [pod.metadata.uid!, pod]));
    const violations: string[] = [];
    let checks = 0;
    let maxTotal = 0;
    let minAvailable = Infinity;
    const check = (what: string) => {
      checks++;
      const live = [...state.values()].filter(isPodActive);
      const now = Date.now();
      const available = live.filter((pod) => isPodAvailable(pod, minReadySeconds, now)).length;
      maxTotal = Math.max(maxTotal, live.length);
      minAvailable = Math.min(minAvailable, available);
      if (available < replicas - unavailable || live.length > replicas + surge) {
        violations.push(`after ${what}: ${live.length} pods, ${available} available`);
      }
    };
    check('the snapshot');
    const podWatch = record<PodObject>(
      e.api,
      'Pod',
      { namespace: ns, resourceVersion: podList.resourceVersion },
      (event) => {
        if (event.type === 'DELETED') state.delete(event.object.metadata.uid!);
        else state.set(event.object.metadata.uid!, event.object);
        check(`${event.type} pod ${event.object.metadata.name}`);
      },
    );
    const rsWatch = record<ReplicaSetObject>(
      e.api,
      'ReplicaSet',
      { namespace: ns, resourceVersion: rsList.resourceVersion },
      (event) => check(`${event.type} replicaset ${event.object.metadata.name}`),
    );

    await setImage(ns, 'web', 'nginx:2');
    const statuses = rolloutStatus(ns, 'web');
    const done = await rolledOut(e.api, ns, 'web', 40_000);
    expect((await statuses).at(-1)).toEqual({
      message: 'deployment "web" successfully rolled out',
      done: true,
      failed: false,
    });
    await until(() => {
      const live = [...state.values()].filter(isPodActive);
      return live.length === replicas && live.every((pod) => imagesOf(pod)?.[0] === 'nginx:2');
    }, 'the watcher to see 10 pods of nginx:2 and no other');
    await podWatch.stop();
    await rsWatch.stop();

    expect(violations).toEqual([]);
    expect(checks).toBeGreaterThan(40);
    // The bounds were used, not just respected from afar.
    expect(maxTotal).toBeGreaterThan(replicas);
    expect(minAvailable).toBeLessThan(replicas);
    const rss = await replicaSetsOf(e.api, ns, done);
    const imageOf = (rs: ReplicaSetObject) => rs.spec?.template?.spec?.containers[0].image;
    const newRS = rss.find((rs) => imageOf(rs) === 'nginx:2')!;
    expect(rss.map((rs) => [imageOf(rs), rs.spec?.replicas]).sort()).toEqual([
      ['nginx:1', 0],
      ['nginx:2', 10],
    ]);
    const final = (await pods(e.api, ns)).filter(isPodActive);
    expect(final).toHaveLength(replicas);
    for (const pod of final) {
      expect(imagesOf(pod)).toEqual(['nginx:2']);
      expect(controllerOf(pod)?.uid).toBe(newRS.metadata.uid);
      expect(pod.metadata.labels?.['pod-template-hash']).toBe(newRS.metadata.labels?.['pod-template-hash']);
    }
  });
});

describe('rollout history and undo', () => {
  it('lists revisions 1 and 2 with their change causes; undo to 1 brings v1 back as revision 3', async () => {
    const ns = await e.namespace('history');
    await e.writer.create(
      deployment(ns, 'app', { replicas: 3, image: 'nginx:1', annotations: { [CHANGE_CAUSE]: 'create v1' } }),
    );
    await rolledOut(e.api, ns, 'app');
    await setImage(ns, 'app', 'nginx:2', 'image to v2');
    await rolledOut(e.api, ns, 'app');

    const before = await history(ns, 'app');
    expect(before.map((r) => [r.revision, r.changeCause, r.template.spec.containers[0].image])).toEqual([
      [1, 'create v1', 'nginx:1'],
      [2, 'image to v2', 'nginx:2'],
    ]);
    const v1ReplicaSet = before[0].replicaSet!.metadata.name;

    const { rolloutUndoDeployment: undo } = await e.api.request<{
      rolloutUndoDeployment: { revision: number; skipped: boolean; message: string };
    }>(UNDO, { ns, n: 'app', to: 1 });
    expect(undo).toEqual({
      revision: 1,
      skipped: false,
      message: 'deployment "app" rolled back to revision 1',
    });
    const d = await rolledOut(e.api, ns, 'app');
    expect(d.metadata.annotations?.[REVISION]).toBe('3');
    const after = await history(ns, 'app');
    // Revision 1's ReplicaSet is brought back as revision 3, with its change cause.
    expect(after.map((r) => [r.revision, r.changeCause, r.replicaSet?.metadata.name])).toEqual([
      [2, 'image to v2', before[1].replicaSet!.metadata.name],
      [3, 'create v1', v1ReplicaSet],
    ]);
    const live = (await pods(e.api, ns)).filter(isPodActive);
    expect(live).toHaveLength(3);
    for (const pod of live) expect(imagesOf(pod)).toEqual(['nginx:1']);
  });
});

describe('pause and resume', () => {
  it('batches two template changes made while paused into one rollout: one new ReplicaSet', async () => {
    const ns = await e.namespace('pause');
    await e.writer.create(deployment(ns, 'app', { replicas: 3, image: 'nginx:1' }));
    const d = await rolledOut(e.api, ns, 'app');
    expect(
      (await e.api.request<{ pauseDeployment: PausedResult }>(PAUSE, { ns, n: 'app' })).pauseDeployment.spec
        .paused,
    ).toBe(true);

    await setImage(ns, 'app', 'nginx:2');
    await e.writer.patch('Deployment', 'app', ns, {
      spec: {
        template: {
          spec: {
            containers: [{ name: 'app', image: 'nginx:2', env: [{ name: 'MODE', value: 'batched' }] }],
          },
        },
      },
    });
    // The controller has seen both changes, and rolled nothing out.
    const paused = await until(async () => {
      const now = await e.api.get<DeploymentObject>('Deployment', 'app', ns);
      return now?.status?.observedGeneration === now?.metadata.generation && now;
    }, 'the paused deployment to be observed');
    expect(paused.metadata.generation).toBe(4);
    expect(condition(paused, 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused' });
    expect(await replicaSetsOf(e.api, ns, d)).toHaveLength(1);
    expect((await pods(e.api, ns)).filter(isPodActive).map(imagesOf)).toEqual([
      ['nginx:1'],
      ['nginx:1'],
      ['nginx:1'],
    ]);

    const rsList = await e.api.list<ReplicaSetObject>('ReplicaSet', { namespace: ns });
    const rsWatch = record<ReplicaSetObject>(e.api, 'ReplicaSet', {
      namespace: ns,
      resourceVersion: rsList.resourceVersion,
    });
    expect(
      (await e.api.request<{ resumeDeployment: PausedResult }>(RESUME, { ns, n: 'app' })).resumeDeployment
        .spec.paused,
    ).toBeFalsy();
    const resumed = await rolledOut(e.api, ns, 'app');
    await rsWatch.stop();

    const added = rsWatch.events.filter((event) => event.type === 'ADDED');
    expect(added).toHaveLength(1);
    const container = added[0].object.spec?.template?.spec?.containers[0];
    expect(container).toMatchObject({ image: 'nginx:2', env: [{ name: 'MODE', value: 'batched' }] });
    expect(resumed.metadata.annotations?.[REVISION]).toBe('2');
    expect((await history(ns, 'app')).map((r) => r.revision)).toEqual([1, 2]);
    for (const pod of (await pods(e.api, ns)).filter(isPodActive)) {
      expect(pod.spec?.containers[0]).toMatchObject({
        image: 'nginx:2',
        env: [{ name: 'MODE', value: 'batched' }],
      });
    }
  });
});

describe('progress deadline', () => {
  it('pods that crash-loop exceed progressDeadlineSeconds: Progressing=False and rolloutStatus reports failure', async () => {
    const ns = await e.namespace('deadline');
    await e.writer.create(
      deployment(ns, 'stuck', {
        replicas: 2,
        progressDeadlineSeconds: 3,
        // Every container exits 1 as soon as it runs; restartPolicy Always: CrashLoopBackOff.
        // A pod is Ready for the few ms its container runs, never for minReadySeconds.
        minReadySeconds: 2,
        podAnnotations: { [SIMULATE_EXIT_CODE]: '1' },
      }),
    );
    const items = await rolloutStatus(ns, 'stuck');
    const last = items.at(-1)!;
    expect(last).toEqual({
      message: 'deployment "stuck" exceeded its progress deadline',
      done: false,
      failed: true,
    });
    expect(items.slice(0, -1).every((item) => !item.failed && !item.done)).toBe(true);

    const d = await e.api.get<DeploymentObject>('Deployment', 'stuck', ns);
    expect(condition(d, 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: expect.stringContaining('has timed out progressing'),
    });
    expect(d?.status?.availableReplicas ?? 0).toBe(0);
    // The pods are there, crash-looping.
    const crashing = await pods(e.api, ns);
    expect(crashing).toHaveLength(2);
    for (const pod of crashing) {
      const status = pod.status?.containerStatuses?.[0];
      expect(status?.ready).toBe(false);
      expect((status?.restartCount ?? 0) > 0 || status?.lastState?.terminated?.exitCode === 1).toBe(true);
    }
  });
});

describe('cascading deletion of a Deployment', () => {
  async function rolledOutDeployment(prefix: string) {
    const ns = await e.namespace(prefix);
    await e.writer.create(deployment(ns, 'app', { replicas: 3 }));
    const d = await rolledOut(e.api, ns, 'app');
    const [rs] = await replicaSetsOf(e.api, ns, d);
    const owned = (await pods(e.api, ns)).filter((pod) => controllerOf(pod)?.uid === rs.metadata.uid);
    expect(owned).toHaveLength(3);
    return { ns, d, rs, owned };
  }
  const remove = (ns: string, propagationPolicy: PropagationPolicy) =>
    e.writer.delete('Deployment', 'app', ns, { propagationPolicy });
  const emptied = (ns: string) =>
    until(async () => {
      const [rss, left] = await Promise.all([
        e.api.list('ReplicaSet', { namespace: ns }),
        e.api.list('Pod', { namespace: ns }),
      ]);
      return rss.items.length === 0 && left.items.length === 0;
    }, `${ns} to have no ReplicaSet and no pod`);

  it('Background: the Deployment goes at once, its ReplicaSet and pods after it', async () => {
    const { ns } = await rolledOutDeployment('background');
    await remove(ns, 'Background');
    expect(await e.api.get('Deployment', 'app', ns)).toBeNull();
    await emptied(ns);
  });

  it('Foreground: the Deployment stays, marked, until its ReplicaSet and pods are gone', async () => {
    const { ns, rs, owned } = await rolledOutDeployment('foreground');
    const from = (await e.api.list('Deployment', { namespace: ns })).resourceVersion;
    const watches = ['Deployment', 'ReplicaSet', 'Pod'].map((kind) =>
      record(e.api, kind, { namespace: ns, resourceVersion: from }),
    );
    const marked = await remove(ns, 'Foreground');
    expect(marked?.metadata.deletionTimestamp).toBeTruthy();
    expect(marked?.metadata.finalizers).toContain('foregroundDeletion');
    const [deployments, replicaSets, podEvents] = watches;
    await deployments.until((events) => events.some((ev) => ev.type === 'DELETED'), 'the Deployment to go');
    const deletedAt = (recording: typeof podEvents, uid: string) =>
      recording.events.find((ev) => ev.type === 'DELETED' && ev.object.metadata.uid === uid)?.revision;
    // Each watch delivers at its own pace: wait for every dependent's deletion to show.
    const dependents = [
      [replicaSets, rs.metadata.uid!],
      ...owned.map((pod) => [podEvents, pod.metadata.uid!] as const),
    ] as const;
    await until(
      () => dependents.every(([recording, uid]) => deletedAt(recording, uid)),
      'the dependents to go',
    );
    await Promise.all(watches.map((w) => w.stop()));

    // Every dependent was deleted for good, each before the Deployment was.
    const deploymentGone = deployments.events.find((ev) => ev.type === 'DELETED')!.revision;
    for (const [recording, uid] of dependents)
      expect(deletedAt(recording, uid)!).toBeLessThan(deploymentGone);
    // Until then the Deployment stayed readable, marked for deletion.
    const lastSeen = deployments.events.filter((ev) => ev.type === 'MODIFIED').at(-1);
    expect(lastSeen?.object.metadata.deletionTimestamp).toBeTruthy();
    await emptied(ns);
  });

  it('Orphan: the ReplicaSet and its pods stay, the ReplicaSet without owner reference', async () => {
    const { ns, rs, owned } = await rolledOutDeployment('orphan');
    await remove(ns, 'Orphan');
    await until(async () => !(await e.api.get('Deployment', 'app', ns)), 'the Deployment to go');
    const orphan = await until(async () => {
      const now = await e.api.get<ReplicaSetObject>('ReplicaSet', rs.metadata.name!, ns);
      return !now?.metadata.ownerReferences?.length && now;
    }, 'the ReplicaSet to lose its owner reference');
    expect(orphan.metadata.uid).toBe(rs.metadata.uid);
    expect(orphan.spec?.replicas).toBe(3);
    // Its pods are untouched: still its own, none replaced.
    const left = await pods(e.api, ns);
    expect(left.map((pod) => pod.metadata.uid).sort()).toEqual(owned.map((pod) => pod.metadata.uid).sort());
    for (const pod of left) {
      expect(pod.metadata.deletionTimestamp).toBeUndefined();
      expect(pod.metadata.ownerReferences?.map((ref) => ref.uid)).toEqual([rs.metadata.uid]);
    }
  });
});
