import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '../../client/index.ts';
import { BUSYBOX_IMAGE } from '../../agent/node/images.ts';
import type { PodObject } from '../../agent/objects.ts';
import type { Job } from '../../schema/kinds/job.ts';
import { startDockerCluster, type DockerCluster } from '../support/docker.ts';
import { waitFor } from '../support/wait.ts';

type JobObject = Job & Resource;

/** A Job's podFailurePolicy on a real container: busybox's `sh -c 'exit 42'` fails the Job at once. */
describe('Job podFailurePolicy on Docker', () => {
  let c: DockerCluster;
  const ns = 'default';

  beforeAll(async () => {
    c = await startDockerCluster();
  }, 120_000);
  afterAll(async () => {
    await c?.stop();
  }, 60_000);

  it('FailJob: exit code 42 of container main fails the Job with reason PodFailurePolicy', async () => {
    await c.writer.create<JobObject>({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'answer', namespace: ns },
      spec: {
        backoffLimit: 6,
        podFailurePolicy: {
          rules: [
            { action: 'Ignore', onExitCodes: { containerName: 'main', operator: 'In', values: [1] } },
            { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
          ],
        },
        template: {
          metadata: { labels: { job: 'answer' } },
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'main', image: BUSYBOX_IMAGE, command: ['sh', '-c', 'exit 42'] }],
          },
        },
      },
    } as JobObject);

    const failed = await waitFor(
      async () => {
        const job = await c.client.get<JobObject>('Job', 'answer', ns);
        return (
          job?.status?.conditions?.some((cond) => cond.type === 'Failed' && cond.status === 'True') && job
        );
      },
      { ms: 60_000, every: 200, what: 'the Job to fail' },
    );
    const { items } = await c.client.list<PodObject>('Pod', { namespace: ns, labelSelector: 'job=answer' });
    expect(items).toHaveLength(1);
    const [pod] = items;
    expect(pod.status?.containerStatuses?.[0].state?.terminated).toMatchObject({
      exitCode: 42,
      reason: 'Error',
    });
    const message = `Container main for pod ${ns}/${pod.metadata.name} failed with exit code 42 matching FailJob rule at index 1`;
    for (const type of ['FailureTarget', 'Failed']) {
      expect(failed.status?.conditions?.find((cond) => cond.type === type)).toMatchObject({
        status: 'True',
        reason: 'PodFailurePolicy',
        message,
      });
    }
    expect(failed.status).toMatchObject({ failed: 1, active: 0 });
  }, 90_000);
});
