import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '../../client/index.ts';
import { jobControllerWith } from '../../agent/controllers/job.ts';
import { namespaceController } from '../../agent/controllers/namespace.ts';
import { serviceAccountController } from '../../agent/controllers/service-account.ts';
import type { Job } from '../../schema/kinds/job.ts';
import {
  condition,
  pods,
  record,
  startE2ECluster,
  until,
  type E2ECluster,
  type PodObject,
} from '../support/e2e.ts';

// The DisruptionTarget pod condition: the eviction subresource writes it just before it
// deletes the pod, so the pod's last state says it was disrupted, and a Job's
// podFailurePolicy can leave such a pod out of its failures.

type JobObject = Job & Resource;

let e: E2ECluster;
beforeAll(async () => {
  e = await startE2ECluster({
    nodes: 1,
    controllers: [namespaceController, serviceAccountController, jobControllerWith({ backoffBaseMs: 100 })],
  });
});
afterAll(() => e?.stop());

/** POSTs a policy/v1 Eviction for the pod to its REST `eviction` subresource. */
async function evict(namespace: string, name: string) {
  const response = await fetch(
    `${new URL(e.hollow.url).origin}/api/v1/namespaces/${namespace}/pods/${name}/eviction`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${e.hollow.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        apiVersion: 'policy/v1',
        kind: 'Eviction',
        metadata: { name, namespace },
        deleteOptions: { gracePeriodSeconds: 0 },
      }),
    },
  );
  expect(response.status).toBe(201);
}

const running = (pod: PodObject) => pod.status?.phase === 'Running' && !pod.metadata.deletionTimestamp;

describe('DisruptionTarget', () => {
  it("is the evicted pod's last state: True, reason EvictionByEvictionAPI", async () => {
    const ns = await e.namespace('evicted');
    await e.writer.create<PodObject>({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'solo', namespace: ns, labels: { app: 'solo' } },
      spec: { containers: [{ name: 'main', image: 'busybox:1', command: ['sleep', '3600'] }] },
    } as PodObject);
    await until(async () => (await pods(e.api, ns, 'app=solo')).some(running), 'solo to run');
    const { resourceVersion } = await e.api.list<PodObject>('Pod', { namespace: ns });
    const watch = record<PodObject>(e.api, 'Pod', { namespace: ns, resourceVersion });
    try {
      await evict(ns, 'solo');
      await watch.until((events) => events.some((ev) => ev.type === 'DELETED'), 'solo deleted');
      const last = watch.events.find((ev) => ev.type === 'DELETED')!.object;
      expect(condition(last, 'DisruptionTarget')).toMatchObject({
        status: 'True',
        reason: 'EvictionByEvictionAPI',
        message: 'Eviction API: evicting',
      });
    } finally {
      await watch.stop();
    }
  });

  it('lets a podFailurePolicy Ignore rule on DisruptionTarget leave an evicted pod out of the failures', async () => {
    const ns = await e.namespace('ignored');
    await e.writer.create<JobObject>({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'drained', namespace: ns },
      spec: {
        // Without the rule, one failure would fail the Job.
        backoffLimit: 0,
        podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] },
        template: {
          metadata: { labels: { job: 'drained' } },
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'main', image: 'busybox:1', command: ['sleep', '3600'] }],
          },
        },
      },
    } as JobObject);
    const first = await until(
      async () => (await pods(e.api, ns, 'job=drained')).find(running),
      'a pod to run',
    );
    await evict(ns, first.metadata.name!);
    await until(
      async () =>
        (await pods(e.api, ns, 'job=drained')).some(
          (pod) => pod.metadata.uid !== first.metadata.uid && running(pod),
        ),
      'a replacement pod to run',
    );
    const job = await e.api.get<JobObject>('Job', 'drained', ns);
    expect(condition(job, 'Failed')).toBeUndefined();
    expect(job?.status?.failed ?? 0).toBe(0);
  });
});
