import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCode, type Resource } from '../../client/index.ts';
import type { PodObject } from '../../agent/objects.ts';
import { statefulSetController } from '../../agent/controllers/statefulset.ts';
import { startHollowCluster, type HollowCluster } from '../support/hollow.ts';
import { waitFor } from '../support/wait.ts';

interface EventObject {
  involvedObject: { name?: string };
  type?: string;
  reason?: string;
  message?: string;
}

/**
 * What the nodes, the scheduler and the StatefulSet controller do with the newer PodSpec
 * fields, on hollow nodes: a volume no node can mount holds its pod in ContainerCreating
 * with the kubelet's FailedMount event (as a Docker node does), scheduling gates hold a
 * pod back from the scheduler, readiness gates from Ready, and a StatefulSet's pods mount
 * the claims of its volumeClaimTemplates.
 */
describe('newer pod fields on hollow nodes', () => {
  let h: HollowCluster;
  beforeAll(async () => {
    h = await startHollowCluster({
      nodes: 1,
      controllers: [statefulSetController],
      nodeOptions: { recordEvents: true },
    });
  });
  afterAll(() => h?.stop());

  const pod = (name: string, spec: Record<string, unknown>): PodObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [
        { name: 'app', image: 'nginx:1.27', volumeMounts: [{ name: 'data', mountPath: '/data' }] },
      ],
      ...spec,
    },
  });
  const get = (name: string) => h.client.get<PodObject>('Pod', name, 'default');
  const events = async (name: string) =>
    (await h.client.list<EventObject & Resource>('Event', { namespace: 'default' })).items.filter(
      (e) => e.involvedObject.name === name,
    );
  const running = (name: string) =>
    waitFor(async () => (await get(name))?.status?.phase === 'Running', { what: `${name} Running` });

  it('keeps a pod whose volume no node can mount in ContainerCreating, with a FailedMount event', async () => {
    const cases = [
      {
        name: 'ebs',
        volume: { name: 'data', awsElasticBlockStore: { volumeID: 'vol-0123456789abcdef0', fsType: 'ext4' } },
        reason:
          'driver name ebs.csi.aws.com not found in the list of registered CSI drivers (awsElasticBlockStore volumes are handled by that driver, which this node does not have)',
      },
      {
        name: 'nfs',
        volume: { name: 'data', nfs: { server: 'nfs.example.com', path: '/exports' } },
        reason: 'no volume plugin matched: this node cannot mount nfs volumes',
      },
      {
        name: 'bundle',
        volume: {
          name: 'data',
          projected: { sources: [{ clusterTrustBundle: { name: 'example.com:ca', path: 'ca.pem' } }] },
        },
        reason: 'ClusterTrustBundle objects are not served by this cluster',
      },
    ];
    for (const c of cases) await h.writer.create(pod(c.name, { volumes: [c.volume] }));
    // A pod with a volume the node can mount runs beside them on the same node.
    await h.writer.create(pod('scratch', { volumes: [{ name: 'data', emptyDir: {} }] }));
    await running('scratch');
    for (const c of cases) {
      const failed = await waitFor(
        async () => (await events(c.name)).find((e) => e.reason === 'FailedMount'),
        { what: `FailedMount for ${c.name}` },
      );
      expect(failed).toMatchObject({
        type: 'Warning',
        message: `MountVolume.SetUp failed for volume "data" : ${c.reason}`,
      });
      const current = await get(c.name);
      expect(current?.spec?.nodeName).toBe('hollow-1');
      expect(current?.status?.phase).toBe('Pending');
      expect(current?.status?.containerStatuses?.[0]).toMatchObject({
        ready: false,
        state: { waiting: { reason: 'ContainerCreating' } },
      });
    }
  });

  it('schedules a gated pod only once its gates are removed, and refuses a new gate', async () => {
    await h.writer.create(
      pod('gated', {
        volumes: [{ name: 'data', emptyDir: {} }],
        schedulingGates: [{ name: 'example.com/foo' }],
      }),
    );
    await h.writer.create(pod('ungated', { volumes: [{ name: 'data', emptyDir: {} }] }));
    await running('ungated');
    expect((await get('gated'))?.spec?.nodeName).toBeUndefined();

    const added = await h.writer
      .patch('Pod', 'gated', 'default', {
        spec: { schedulingGates: [{ name: 'example.com/foo' }, { name: 'example.com/bar' }] },
      })
      .catch((error: unknown) => error);
    expect(isCode(added, 'INVALID')).toBe(true);

    await h.writer.patch('Pod', 'gated', 'default', { spec: { schedulingGates: null } });
    await running('gated');
  });

  it('holds a running pod back from Ready until the condition of its readiness gate is True', async () => {
    await h.writer.create(
      pod('gate-ready', {
        volumes: [{ name: 'data', emptyDir: {} }],
        readinessGates: [{ conditionType: 'www.example.com/feature-1' }],
      }),
    );
    await running('gate-ready');
    const ready = async () => (await get('gate-ready'))?.status?.conditions?.find((c) => c.type === 'Ready');
    await waitFor(async () => (await ready())?.reason === 'ReadinessGatesNotReady', {
      what: 'gate not ready',
    });
    expect(await ready()).toMatchObject({
      status: 'False',
      message: 'corresponding condition of pod readiness gate "www.example.com/feature-1" does not exist.',
    });
    // A controller of its own sets the gate's condition; the node then reports the pod Ready.
    const current = (await get('gate-ready'))!;
    await h.writer.updateStatus(current, {
      ...current.status,
      conditions: [
        ...(current.status?.conditions ?? []),
        { type: 'www.example.com/feature-1', status: 'True', lastTransitionTime: new Date().toISOString() },
      ],
    });
    await waitFor(async () => (await ready())?.status === 'True', { what: 'gate-ready Ready' });
  });

  it("gives a StatefulSet's pods a volume per claim template, mounting their own claim", async () => {
    await h.writer.create({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'web', namespace: 'default' },
      spec: {
        serviceName: 'nginx',
        replicas: 2,
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: { app: 'nginx' } },
        template: {
          metadata: { labels: { app: 'nginx' } },
          spec: {
            containers: [
              {
                name: 'nginx',
                image: 'nginx:1.27',
                volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }],
              },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'www' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ],
      },
    });
    for (const ordinal of [0, 1]) {
      const member = await waitFor(() => get(`web-${ordinal}`), { what: `web-${ordinal}` });
      // Then the API access volume every pod gets, as in Kubernetes.
      expect(member.spec?.volumes).toEqual([
        { name: 'www', persistentVolumeClaim: { claimName: `www-web-${ordinal}` } },
        expect.objectContaining({ name: expect.stringMatching(/^kube-api-access-/) }),
      ]);
    }
  });
});
