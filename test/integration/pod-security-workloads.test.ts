import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '../../client/index.ts';
import { startHollowCluster, type HollowCluster } from '../support/hollow.ts';
import { waitFor } from '../support/wait.ts';

// Workloads under Pod Security, with their controllers: a workload is stored (and warned
// about), and the pods its controller makes are what the enforce level refuses, as in
// Kubernetes; labelling the namespace privileged lets them run.

let h: HollowCluster;

beforeAll(async () => {
  h = await startHollowCluster({ nodes: 1 });
}, 60_000);

afterAll(() => h?.stop());

interface EventObject extends Resource {
  reason?: string;
  message?: string;
  involvedObject?: { kind?: string; name?: string };
}

const daemonSet = (name: string, namespace: string) => ({
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name, namespace },
  spec: {
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [{ name: 'agent', image: 'busybox:1.36' }],
        volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }],
      },
    },
  },
});

describe('Pod Security with controllers', () => {
  it("refuses a DaemonSet's host-path pods in a baseline namespace, with the controller's FailedCreate event", async () => {
    await h.writer.create(daemonSet('logs', 'default'));
    const event = await waitFor(
      async () =>
        (await h.client.list<EventObject>('Event', { namespace: 'default' })).items.find(
          (e) => e.reason === 'FailedCreate' && e.involvedObject?.name === 'logs',
        ),
      { what: 'a FailedCreate event of the DaemonSet' },
    );
    expect(event.message).toContain(
      'is forbidden: violates PodSecurity "baseline:latest": hostPath volumes (volume "logs")',
    );
    expect((await h.client.list('Pod', { namespace: 'default', labelSelector: 'app=logs' })).items).toEqual(
      [],
    );
  });

  it('runs them in a namespace labelled privileged', async () => {
    await h.writer.create({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'node-agents', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } },
    });
    await h.writer.create(daemonSet('logs', 'node-agents'));
    await waitFor(
      async () =>
        (await h.client.list('Pod', { namespace: 'node-agents', labelSelector: 'app=logs' })).items.length ===
        1,
      { what: 'the DaemonSet pod in node-agents' },
    );
  });
});
