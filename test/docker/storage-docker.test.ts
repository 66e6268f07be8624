import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClaimObject } from '../../agent/controllers/persistent-volume/storage-objects.ts';
import type { PodObject } from '../../agent/objects.ts';
import { execIn, startDockerCluster, type DockerCluster } from '../support/docker.ts';
import { eventually, waitFor } from '../support/wait.ts';

/**
 * Persistent storage on real containers: a StatefulSet's claim, provisioned by the
 * default StorageClass as a directory on the node, outlives its pod; a recreated pod of
 * the same ordinal reads back what the first one wrote, a read-only mount refuses
 * writes, and deleting the claim deletes the volume and its data on the node.
 */
describe('persistent volumes on Docker', () => {
  let c: DockerCluster;
  const ns = 'default';

  const exec = (pod: string, command: string[]) => execIn(c.client, ns, pod, command);
  const getPod = (name: string) => c.client.get<PodObject>('Pod', name, ns);
  const running = (name: string, other?: string) =>
    waitFor(
      async () => {
        const pod = await getPod(name);
        const ready = pod?.status?.phase === 'Running' && pod.status.containerStatuses?.every((s) => s.ready);
        return ready && pod.metadata.uid !== other && pod;
      },
      { ms: 60_000, every: 200, what: `pod ${name} running` },
    );
  const sleeper = 'trap "exit 0" TERM; echo started >> /data/starts; while true; do sleep 1; done';

  beforeAll(async () => {
    c = await startDockerCluster();
    // hostPath volumes are what some of these pods test: beyond the baseline default.
    await c.writer.patch('Namespace', ns, undefined, {
      metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } },
    });
  }, 120_000);
  afterAll(async () => {
    await c?.stop();
  }, 60_000);

  it("keeps a StatefulSet pod's data across the pod being deleted and recreated, then deletes it with the claim", async () => {
    await c.writer.create({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'keeper', namespace: ns },
      spec: {
        serviceName: 'keeper',
        replicas: 1,
        selector: { matchLabels: { app: 'keeper' } },
        template: {
          metadata: { labels: { app: 'keeper' } },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [
              {
                name: 'main',
                image: 'kubeql/busybox:stable',
                command: ['sh', '-c', sleeper],
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
              },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '100Mi' } } },
          },
        ],
      },
    });
    const first = await running('keeper-0');
    const written = await exec('keeper-0', [
      'sh',
      '-c',
      'echo "kept across pods" > /data/note && cat /data/note',
    ]);
    expect(written).toMatchObject({ exitCode: 0, stdout: 'kept across pods\n' });

    const claim = await c.client.get<ClaimObject>('PersistentVolumeClaim', 'data-keeper-0', ns);
    expect(claim?.status?.phase).toBe('Bound');
    const volumeName = claim!.spec!.volumeName!;
    const onNode = path.join(c.dataDir, 'nodes', c.nodes[0].name, 'local-path', volumeName);
    expect(fs.readFileSync(path.join(onNode, 'note'), 'utf8')).toBe('kept across pods\n');

    await c.writer.delete('Pod', 'keeper-0', ns);
    await running('keeper-0', first.metadata.uid);
    expect(await exec('keeper-0', ['cat', '/data/note'])).toMatchObject({
      exitCode: 0,
      stdout: 'kept across pods\n',
    });
    expect((await exec('keeper-0', ['cat', '/data/starts'])).stdout).toBe('started\nstarted\n');

    // The same claim mounted read-only by another pod on the node: readable, not writable.
    await c.writer.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'reader', namespace: ns },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'main',
            image: 'kubeql/busybox:stable',
            command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'],
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
          },
        ],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-keeper-0', readOnly: true } }],
      },
    });
    await running('reader');
    expect(await exec('reader', ['cat', '/data/note'])).toMatchObject({ stdout: 'kept across pods\n' });
    expect((await exec('reader', ['sh', '-c', 'echo no > /data/other'])).exitCode).not.toBe(0);

    await c.writer.delete('StatefulSet', 'keeper', ns);
    await c.writer.delete('Pod', 'reader', ns);
    await c.writer.delete('PersistentVolumeClaim', 'data-keeper-0', ns);
    await eventually(
      () => c.client.get('PersistentVolume', volumeName),
      (pv) => pv === null,
      { ms: 30_000, every: 200, what: `volume ${volumeName} deleted` },
    );
    await waitFor(() => !fs.existsSync(onNode), { ms: 10_000, what: 'the volume directory removed' });
  }, 180_000);

  it('keeps a pod whose claim is not bound waiting with a FailedMount event, then starts it once bound', async () => {
    await c.writer.create({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'late', namespace: ns },
      spec: {
        storageClassName: '',
        volumeName: 'late-pv',
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '1Mi' } },
      },
    });
    // Scheduled by hand (nodeName), as the scheduler would not place a pod whose claim is unbound.
    await c.writer.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'waiter', namespace: ns },
      spec: {
        nodeName: c.nodes[0].name,
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'main',
            image: 'kubeql/busybox:stable',
            command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'],
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
          },
        ],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'late' } }],
      },
    });
    const events = async () =>
      (
        await c.client.list<
          PodObject & { involvedObject: { name: string }; reason: string; message: string }
        >('Event', { namespace: ns })
      ).items
        .filter((e) => e.involvedObject.name === 'waiter')
        .map((e) => `${e.reason}: ${e.message}`);
    expect(
      await waitFor(async () => (await events()).find((e) => e.startsWith('FailedMount')), {
        ms: 30_000,
        what: 'FailedMount event',
      }),
    ).toBe(
      'FailedMount: MountVolume.SetUp failed for volume "data" : persistentvolumeclaim "late" is not bound',
    );
    expect((await getPod('waiter'))?.status?.phase).toBe('Pending');

    const hostDir = fs.mkdtempSync(path.join(c.dataDir, 'late-'));
    fs.writeFileSync(path.join(hostDir, 'hello'), 'from the host\n');
    await c.writer.create({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'late-pv' },
      spec: {
        storageClassName: '',
        capacity: { storage: '1Mi' },
        accessModes: ['ReadWriteOnce'],
        hostPath: { path: hostDir, type: 'Directory' },
      },
    });
    await running('waiter');
    expect(await exec('waiter', ['cat', '/data/hello'])).toMatchObject({ stdout: 'from the host\n' });
    await c.writer.delete('Pod', 'waiter', ns);
  }, 120_000);
});
