import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '../../client/index.ts';
import type { ControllerContext } from '../../agent/controllers/controller.ts';
import { cronJobController } from '../../agent/controllers/cronjob.ts';
import { ALL_CONTROLLERS } from '../../agent/controllers/index.ts';
import { jobController, jobControllerWith } from '../../agent/controllers/job.ts';
import type { CronJob } from '../../schema/kinds/cronjob.ts';
import type { DaemonSet } from '../../schema/kinds/daemonset.ts';
import type { Job } from '../../schema/kinds/job.ts';
import type { PodTemplateSpec } from '../../schema/kinds/pod.ts';
import {
  condition,
  controllerOf,
  events,
  isPodReady,
  manualClock,
  pods,
  record,
  SIMULATE_EXIT_CODE,
  startE2ECluster,
  until,
  type E2ECluster,
  type PodObject,
} from '../support/e2e.ts';

// StatefulSets, DaemonSets, Jobs and CronJobs end to end, through the GraphQL endpoint.
// The Job controller backs off from 200 ms (not 10 s), and the CronJob controller reads
// a clock the tests move, to reach scheduled minutes without waiting for them.

type JobObject = Job & Resource;
type CronJobObject = CronJob & Resource;
type DaemonSetObject = DaemonSet & Resource;

/**
 * The Job controller's back-off, doubled per failure. 200 ms rather than 100: the gaps
 * between pod creations are the back-off plus how long the pod took to fail, and on a
 * loaded machine that varies by more than 100 ms now and then.
 */
const BACKOFF_BASE_MS = 200;
const clock = manualClock();

let e: E2ECluster;
beforeAll(async () => {
  e = await startE2ECluster({
    nodes: 3,
    controllers: ALL_CONTROLLERS.map((factory) =>
      factory === jobController
        ? jobControllerWith({ backoffBaseMs: BACKOFF_BASE_MS })
        : factory === cronJobController
          ? (ctx: ControllerContext) => cronJobController({ ...ctx, clock })
          : factory,
    ),
  });
});
afterAll(() => e?.stop());

const template = (labels: Record<string, string>, spec: Partial<NonNullable<PodTemplateSpec['spec']>> = {}) =>
  ({
    metadata: { labels },
    spec: { containers: [{ name: 'app', image: 'nginx:1' }], ...spec },
  }) as PodTemplateSpec;

/** The pods of a namespace from now on, and their current state by name. */
async function podRecording(ns: string) {
  const list = await e.api.list<PodObject>('Pod', { namespace: ns });
  return record<PodObject>(e.api, 'Pod', { namespace: ns, resourceVersion: list.resourceVersion });
}

describe('StatefulSet', () => {
  it('creates web-0, web-1, web-2 in order, each Ready before the next, and scales to 0 in reverse', async () => {
    const ns = await e.namespace('sts');
    await e.writer.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: ns },
      spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ port: 80 }] },
    });
    const rec = await podRecording(ns);
    await e.writer.create({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web', namespace: ns },
      spec: {
        replicas: 3,
        serviceName: 'web',
        selector: { matchLabels: { app: 'web' } },
        template: template({ app: 'web' }),
      },
    });
    const names = ['web-0', 'web-1', 'web-2'];
    const firstIndex = (name: string, match: (pod: PodObject, type: string) => boolean) =>
      rec.events.findIndex((ev) => ev.object.metadata.name === name && match(ev.object, ev.type));
    const added = (name: string) => firstIndex(name, (_pod, type) => type === 'ADDED');
    const ready = (name: string) => firstIndex(name, (pod) => isPodReady(pod));
    await rec.until(() => names.every((name) => ready(name) >= 0), 'web-0..2 to be Ready');
    const created = rec.events.filter((ev) => ev.type === 'ADDED').map((ev) => ev.object.metadata.name);
    expect(created).toEqual(names);
    // Each pod is created only once the one before it is Ready.
    const order = names.flatMap((name) => [added(name), ready(name)]);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    for (const pod of await pods(e.api, ns)) {
      expect(pod.spec).toMatchObject({ hostname: pod.metadata.name, subdomain: 'web' });
    }

    await e.api.request(
      `mutation($ns: String!) { scaleStatefulSet(namespace: $ns, name: "web", replicas: 0) { kind } }`,
      { ns },
    );
    const from = rec.events.length;
    const later = () => rec.events.slice(from);
    await rec.until(
      () => later().filter((ev) => ev.type === 'DELETED').length === 3,
      'the three pods to be deleted',
    );
    await rec.stop();
    // One at a time, from the highest ordinal: each marked only once the one above is gone.
    const steps = later()
      .map((ev) => {
        if (ev.type === 'DELETED') return `${ev.object.metadata.name} gone`;
        return ev.object.metadata.deletionTimestamp ? `${ev.object.metadata.name} terminating` : undefined;
      })
      .filter((step, i, all): step is string => !!step && step !== all[i - 1]);
    expect(steps).toEqual([
      'web-2 terminating',
      'web-2 gone',
      'web-1 terminating',
      'web-1 gone',
      'web-0 terminating',
      'web-0 gone',
    ]);
    await until(async () => {
      const set = await e.api.get<Resource & { status?: { replicas?: number } }>('StatefulSet', 'web', ns);
      return set?.status?.replicas === 0;
    }, 'status.replicas to reach 0');
  });
});

describe('Job', () => {
  it('recreates failed pods with growing back-off, and fails with BackoffLimitExceeded after backoffLimit + 1 pods', async () => {
    const ns = await e.namespace('job');
    const rec = await podRecording(ns);
    const backoffLimit = 3;
    await e.writer.create<JobObject>({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'flaky', namespace: ns },
      spec: {
        backoffLimit,
        template: {
          // Every container exits 1 as soon as it runs.
          metadata: { labels: { job: 'flaky' }, annotations: { [SIMULATE_EXIT_CODE]: '1' } },
          spec: { restartPolicy: 'Never', containers: [{ name: 'work', image: 'busybox:1' }] },
        },
      },
    } as JobObject);
    const failed = await until(
      async () => {
        const job = await e.api.get<JobObject>('Job', 'flaky', ns);
        return condition(job, 'Failed')?.status === 'True' && job;
      },
      'the Job to fail',
      20_000,
    );
    expect(condition(failed, 'Failed')).toMatchObject({
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
    });
    expect(failed.status).toMatchObject({ failed: backoffLimit + 1, active: 0 });
    const all = await pods(e.api, ns);
    const seenAs = (pod: PodObject, match: (ev: (typeof rec.events)[number]) => boolean) =>
      rec.events.find((ev) => ev.object.metadata.uid === pod.metadata.uid && match(ev));
    const created = (pod: PodObject) => seenAs(pod, (ev) => ev.type === 'ADDED');
    const failedPod = (pod: PodObject) => seenAs(pod, (ev) => ev.object.status?.phase === 'Failed');
    await rec.until(
      () => all.every((pod) => created(pod) && failedPod(pod)),
      'the watch to show every pod fail',
    );
    await rec.stop();

    expect(all).toHaveLength(backoffLimit + 1);
    expect(rec.events.filter((ev) => ev.type === 'ADDED')).toHaveLength(backoffLimit + 1);
    for (const pod of all) {
      expect(pod.status?.phase).toBe('Failed');
      expect(controllerOf(pod)?.uid).toBe(failed.metadata.uid);
    }
    // When each pod was created and when it was seen failed, as the watch delivered them.
    const createdAt = all.map((pod) => created(pod)!.at).sort((a, b) => a - b);
    const failedAt = all.map((pod) => failedPod(pod)!.at).sort((a, b) => a - b);
    // Each pod is created the back-off after the one before it failed: 200, 400, 800 ms...
    const waits = createdAt.slice(1).map((at, i) => at - failedAt[i]);
    // (Less some slack: this watch sees a failure a little after the controller does, not
    // always by the same amount.)
    waits.forEach((wait, i) => expect(wait).toBeGreaterThanOrEqual(BACKOFF_BASE_MS * 2 ** i - 75));
    // ...so the gaps between creations grow.
    const gaps = createdAt.slice(1).map((at, i) => at - createdAt[i]);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeGreaterThan(gaps[i - 1]);
    const warnings = (await events(e.api, ns, 'flaky')).filter((ev) => ev.reason === 'BackoffLimitExceeded');
    expect(warnings).toHaveLength(1);
  });
});

describe('CronJob', () => {
  const MINUTE = 60_000;
  let poke = 0;

  /** A CronJob every minute whose runs last until their pod is told to end. */
  async function cronJob(ns: string, name: string, concurrencyPolicy: 'Forbid' | 'Replace') {
    // Frozen a minute in the past: nothing is due when the controller first looks.
    clock.set(Date.now() - MINUTE);
    const created = await e.writer.create<CronJobObject>({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name, namespace: ns },
      spec: {
        schedule: '* * * * *',
        concurrencyPolicy,
        jobTemplate: {
          spec: {
            template: {
              metadata: { labels: { cron: name } },
              spec: {
                restartPolicy: 'Never',
                containers: [{ name: 'work', image: 'busybox:1', command: ['sleep', '3600'] }],
              },
            },
          },
        },
      },
    } as CronJobObject);
    // The first scheduled minute after the CronJob's creation.
    const first =
      (Math.floor(Date.parse(created.metadata.creationTimestamp as string) / MINUTE) + 1) * MINUTE;
    return { first, jobName: (scheduled: number) => `${name}-${Math.floor(scheduled / MINUTE)}` };
  }

  /** Moves the controller's clock, and makes it look at the CronJob (a change to it) now. */
  async function moveClockTo(ms: number, ns: string, name: string) {
    clock.set(ms);
    await e.writer.patch('CronJob', name, ns, {
      metadata: { annotations: { 'e2e.kubeql.io/poke': String(++poke) } },
    });
  }

  const jobsOf = async (ns: string) =>
    (await e.api.list<JobObject>('Job', { namespace: ns })).items.filter(
      (job) => !job.metadata.deletionTimestamp,
    );
  const names = (jobs: Resource[]) => jobs.map((job) => job.metadata.name).sort();
  const running = (ns: string, job: string) =>
    until(async () => {
      const list = await pods(e.api, ns, `job-name=${job}`);
      return list.length === 1 && list[0].status?.phase === 'Running' && list[0];
    }, `the pod of ${job} to run`);
  const activeOf = async (ns: string, name: string) =>
    ((await e.api.get<CronJobObject>('CronJob', name, ns))?.status?.active ?? []).map((ref) => ref.name);

  it('Forbid: no second run while one is active; the missed run starts once it finishes', async () => {
    const ns = await e.namespace('forbid');
    const { first, jobName } = await cronJob(ns, 'nightly', 'Forbid');
    try {
      await moveClockTo(first + 1000, ns, 'nightly');
      await until(async () => names(await jobsOf(ns)).length === 1, 'the first run');
      expect(names(await jobsOf(ns))).toEqual([jobName(first)]);
      await running(ns, jobName(first));

      // The next minute comes while the first run is active.
      await moveClockTo(first + MINUTE + 1000, ns, 'nightly');
      await until(
        async () => (await events(e.api, ns, 'nightly')).some((ev) => ev.reason === 'JobAlreadyActive'),
        'the JobAlreadyActive event',
      );
      expect(names(await jobsOf(ns))).toEqual([jobName(first)]);
      expect(await activeOf(ns, 'nightly')).toEqual([jobName(first)]);

      // The first run ends: the run of the second minute starts, and only it.
      const ended = e.hollow.nodes.reduce(
        (n, node) => n + node.failContainers((pod) => pod.namespace === ns, 0),
        0,
      );
      expect(ended).toBe(1);
      await until(async () => names(await jobsOf(ns)).length === 2, 'the second run');
      expect(names(await jobsOf(ns))).toEqual([jobName(first), jobName(first + MINUTE)].sort());
      const done = await e.api.get<JobObject>('Job', jobName(first), ns);
      expect(condition(done, 'Complete')?.status).toBe('True');
      await until(
        async () => (await activeOf(ns, 'nightly')).join() === jobName(first + MINUTE),
        'the second run to be the active one',
      );
    } finally {
      await e.writer.delete('CronJob', 'nightly', ns);
      clock.release();
    }
  });

  it('Replace: the next scheduled time deletes the active run and starts a new one', async () => {
    const ns = await e.namespace('replace');
    const { first, jobName } = await cronJob(ns, 'sync', 'Replace');
    try {
      await moveClockTo(first + 1000, ns, 'sync');
      await until(async () => names(await jobsOf(ns)).length === 1, 'the first run');
      const firstRun = await e.api.get<JobObject>('Job', jobName(first), ns);
      const firstPod = await running(ns, jobName(first));

      await moveClockTo(first + MINUTE + 1000, ns, 'sync');
      await until(
        async () => names(await jobsOf(ns)).join() === jobName(first + MINUTE),
        'the second run to replace the first',
      );
      // The first run is deleted with its pod; the second one is the active run.
      await until(async () => !(await e.api.get('Job', jobName(first), ns)), 'the first run to go');
      await until(
        async () => !(await pods(e.api, ns)).some((pod) => pod.metadata.uid === firstPod.metadata.uid),
        'the pod of the first run to go',
      );
      await until(
        async () => (await activeOf(ns, 'sync')).join() === jobName(first + MINUTE),
        'the active list to name the second run',
      );
      await running(ns, jobName(first + MINUTE));
      const deleted = (await events(e.api, ns, 'sync')).filter((ev) => ev.reason === 'SuccessfulDelete');
      expect(deleted.map((ev) => ev.message)).toEqual([`Deleted job ${jobName(first)}`]);
      expect(firstRun?.metadata.uid).toBeTruthy();
    } finally {
      await e.writer.delete('CronJob', 'sync', ns);
      clock.release();
    }
  });
});

describe('DaemonSet', () => {
  it('runs a pod on every node, and on a node that joins later', async () => {
    const ns = await e.namespace('ds');
    await e.writer.create<DaemonSetObject>({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: ns },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: template({ app: 'agent' }) },
    } as DaemonSetObject);
    /** Node name → its daemon pod, once every node has one Ready pod and the status says so. */
    const everywhere = (count: number) =>
      until(async () => {
        const nodes = (await e.api.list('Node')).items.map((node) => node.metadata.name!);
        const list = (await pods(e.api, ns)).filter((pod) => !pod.metadata.deletionTimestamp);
        const ds = await e.api.get<DaemonSetObject>('DaemonSet', 'agent', ns);
        const byNode = new Map(list.map((pod) => [pod.spec?.nodeName, pod]));
        return (
          nodes.length === count &&
          list.length === count &&
          nodes.every((node) => byNode.get(node) && isPodReady(byNode.get(node)!)) &&
          ds?.status?.desiredNumberScheduled === count &&
          ds.status.numberReady === count &&
          byNode
        );
      }, `a Ready daemon pod on each of ${count} nodes`);

    const before = await everywhere(3);
    const joined = await e.hollow.addNode();
    const after = await everywhere(4);
    expect([...after.keys()].sort()).toEqual([...before.keys(), joined.name].sort());
    // The pods already there stay; the new node gets its own.
    for (const [node, pod] of before) expect(after.get(node)?.metadata.uid).toBe(pod.metadata.uid);
    expect(after.get(joined.name)?.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'DaemonSet',
      name: 'agent',
    });
  });
});
