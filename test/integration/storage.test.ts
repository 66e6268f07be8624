import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '../../client/index.ts';
import type { ClaimObject, VolumeObject } from '../../agent/controllers/persistent-volume/storage-objects.ts';
import type { PodObject } from '../../agent/objects.ts';
import type { PodSpec } from '../../schema/kinds/pod.ts';
import { startHollowCluster, type HollowCluster } from '../support/hollow.ts';
import { eventually, waitFor } from '../support/wait.ts';

/**
 * Storage as a Kubernetes user expects it, through the API of a whole hollow cluster:
 * the default StorageClass, static binding, local-path provisioning (Immediate and
 * WaitForFirstConsumer), reclaim policies, protection finalizers, the scheduler
 * following volumes, and StatefulSet claims with their retention policy.
 */
describe('persistent volumes and claims', () => {
  let h: HollowCluster;
  let namespaces = 0;

  beforeAll(async () => {
    h = await startHollowCluster({
      nodes: 3,
      schedulerOptions: { podInitialBackoffMs: 50, podMaxBackoffMs: 200 },
    });
  }, 30_000);
  afterAll(async () => {
    await h?.stop();
  });

  const namespace = async () => {
    const name = `storage-${++namespaces}`;
    await h.writer.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    return name;
  };
  const claim = (
    ns: string,
    name: string,
    spec: Record<string, unknown> = {},
    meta: Record<string, unknown> = {},
  ) =>
    h.writer.create<ClaimObject>({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, namespace: ns, ...meta },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
    });
  const volume = (name: string, spec: Record<string, unknown>, meta: Record<string, unknown> = {}) =>
    h.writer.create<VolumeObject>({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name, ...meta },
      spec: {
        accessModes: ['ReadWriteOnce'],
        ...(spec.local ? {} : { hostPath: { path: `/tmp/${name}` } }),
        ...spec,
      },
    });
  const storageClass = (name: string, fields: Record<string, unknown>) =>
    h.writer.create({
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name },
      provisioner: 'kubeql.io/local-path',
      ...fields,
    });
  const pod = (ns: string, name: string, claimName: string, spec: Partial<PodSpec> = {}) =>
    h.writer.create<PodObject>({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns },
      spec: {
        containers: [{ name: 'c', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName } }],
        ...spec,
      },
    });
  const getClaim = (ns: string, name: string) => h.client.get<ClaimObject>('PersistentVolumeClaim', name, ns);
  const getVolume = (name: string) => h.client.get<VolumeObject>('PersistentVolume', name);
  const getPod = (ns: string, name: string) => h.client.get<PodObject>('Pod', name, ns);
  const boundClaim = (ns: string, name: string) =>
    eventually(
      () => getClaim(ns, name),
      (c) => c?.status?.phase === 'Bound',
      { ms: 10_000, what: `claim ${ns}/${name} Bound` },
    ) as Promise<ClaimObject>;
  const scheduledTo = (ns: string, name: string) =>
    waitFor(async () => (await getPod(ns, name))?.spec?.nodeName, {
      ms: 10_000,
      what: `pod ${name} scheduled`,
    });
  const gone = (read: () => Promise<Resource | null>, what: string) =>
    eventually(read, (obj) => obj === null, { ms: 10_000, what: `${what} gone` });
  const reasons = async (ns: string, name: string) => {
    const { items } = await h.client.list<
      Resource & { involvedObject: { name: string }; reason: string; message: string }
    >('Event', { namespace: ns });
    return items.filter((e) => e.involvedObject.name === name).map((e) => `${e.reason}: ${e.message}`);
  };
  const nodeOf = (pv: VolumeObject | null) =>
    pv?.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0]?.matchExpressions?.[0]?.values?.[0];

  it('has a default StorageClass "standard" that claims without a class get', async () => {
    const sc = await h.client.get<Resource & Record<string, unknown>>('StorageClass', 'standard');
    expect(sc).toMatchObject({
      metadata: { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'kubeql.io/local-path',
      volumeBindingMode: 'WaitForFirstConsumer',
      reclaimPolicy: 'Delete',
    });
    const ns = await namespace();
    expect((await claim(ns, 'defaulted')).spec?.storageClassName).toBe('standard');
    expect((await claim(ns, 'none', { storageClassName: '' })).spec?.storageClassName).toBe('');
    // Left waiting, it would take the next fitting volume of no class another test makes.
    await h.writer.delete('PersistentVolumeClaim', 'none', ns);
  });

  it('binds a claim to the smallest static volume that fits, both ways, with the annotations Kubernetes sets', async () => {
    const ns = await namespace();
    await volume(
      'static-big',
      { storageClassName: 'manual', capacity: { storage: '10Gi' } },
      { labels: { tier: 'db' } },
    );
    await volume(
      'static-small',
      { storageClassName: 'manual', capacity: { storage: '5Gi' } },
      { labels: { tier: 'db' } },
    );
    await volume(
      'static-other',
      { storageClassName: 'manual', capacity: { storage: '4Gi' } },
      { labels: { tier: 'web' } },
    );
    const made = await claim(ns, 'db', {
      storageClassName: 'manual',
      resources: { requests: { storage: '3Gi' } },
      selector: { matchLabels: { tier: 'db' } },
    });
    const bound = await boundClaim(ns, 'db');
    expect(bound.spec?.volumeName).toBe('static-small');
    expect(bound.status?.capacity).toEqual({ storage: '5Gi' });
    expect(bound.status?.accessModes).toEqual(['ReadWriteOnce']);
    expect(bound.metadata.annotations).toMatchObject({
      'pv.kubernetes.io/bind-completed': 'yes',
      'pv.kubernetes.io/bound-by-controller': 'yes',
    });
    const pv = await eventually(
      () => getVolume('static-small'),
      (v) =>
        v?.status?.phase === 'Bound' && (v.metadata.finalizers ?? []).includes('kubernetes.io/pv-protection'),
      { what: 'static-small Bound and protected' },
    );
    expect(pv?.spec?.claimRef).toMatchObject({
      kind: 'PersistentVolumeClaim',
      namespace: ns,
      name: 'db',
      uid: made.metadata.uid,
    });
    expect(pv?.metadata.annotations?.['pv.kubernetes.io/bound-by-controller']).toBe('yes');
    expect((await getVolume('static-big'))?.status?.phase).toBe('Available');
    expect((await getClaim(ns, 'db'))?.metadata.finalizers).toContain('kubernetes.io/pvc-protection');
  });

  it('binds a claim to the volume it names once it appears, and leaves one no volume fits Pending with the reason', async () => {
    const ns = await namespace();
    // The claim first: the volume it waits for appears later.
    await claim(ns, 'named', { storageClassName: '', volumeName: 'named-pv' });
    await volume('named-pv', { storageClassName: '', capacity: { storage: '1Gi' } });
    expect((await boundClaim(ns, 'named')).spec?.volumeName).toBe('named-pv');
    await claim(ns, 'huge', { storageClassName: '', resources: { requests: { storage: '1Ti' } } });
    await waitFor(async () => (await reasons(ns, 'huge')).find((r) => r.startsWith('FailedBinding')), {
      what: 'FailedBinding event',
    });
    expect((await getClaim(ns, 'huge'))?.status?.phase).toBe('Pending');
  });

  it('provisions an Immediate claim at once, pinned to a node, and schedules its pod there', async () => {
    await storageClass('immediate', { volumeBindingMode: 'Immediate' });
    const ns = await namespace();
    const made = await claim(ns, 'now', { storageClassName: 'immediate' });
    const bound = await boundClaim(ns, 'now');
    expect(bound.spec?.volumeName).toBe(`pvc-${made.metadata.uid}`);
    expect(bound.metadata.annotations?.['volume.kubernetes.io/storage-provisioner']).toBe(
      'kubeql.io/local-path',
    );
    const pv = await getVolume(bound.spec!.volumeName!);
    expect(pv?.spec).toMatchObject({
      capacity: { storage: '1Gi' },
      storageClassName: 'immediate',
      persistentVolumeReclaimPolicy: 'Delete',
      csi: { driver: 'kubeql.io/local-path' },
    });
    expect(pv?.metadata.annotations?.['pv.kubernetes.io/provisioned-by']).toBe('kubeql.io/local-path');
    const node = nodeOf(pv);
    expect(node).toMatch(/^hollow-\d$/);
    expect(await reasons(ns, 'now')).toEqual(
      expect.arrayContaining([
        `Provisioning: External provisioner is provisioning volume for claim "${ns}/now"`,
        `ProvisioningSucceeded: Successfully provisioned volume pvc-${made.metadata.uid}`,
      ]),
    );
    for (const name of ['a', 'b', 'c']) await pod(ns, name, 'now');
    for (const name of ['a', 'b', 'c']) expect(await scheduledTo(ns, name)).toBe(node);
  });

  it("makes a WaitForFirstConsumer claim wait for its pod, then provisions it on the pod's node", async () => {
    const ns = await namespace();
    await claim(ns, 'later');
    await waitFor(
      async () =>
        (await reasons(ns, 'later')).includes(
          'WaitForFirstConsumer: waiting for first consumer to be created before binding',
        ),
      { what: 'WaitForFirstConsumer event' },
    );
    expect((await getClaim(ns, 'later'))?.status?.phase).toBe('Pending');
    await pod(ns, 'first', 'later', { nodeSelector: { 'kubernetes.io/hostname': 'hollow-2' } });
    expect(await scheduledTo(ns, 'first')).toBe('hollow-2');
    const bound = await boundClaim(ns, 'later');
    expect(bound.metadata.annotations?.['volume.kubernetes.io/selected-node']).toBe('hollow-2');
    expect(nodeOf(await getVolume(bound.spec!.volumeName!))).toBe('hollow-2');
    await pod(ns, 'second', 'later');
    expect(await scheduledTo(ns, 'second')).toBe('hollow-2');
  });

  it('keeps a pod whose claim is missing, or whose volume is on a node it cannot go to, unschedulable', async () => {
    const ns = await namespace();
    await pod(ns, 'orphan', 'missing');
    const unschedulable = (name: string) =>
      waitFor(
        async () => {
          const condition = (await getPod(ns, name))?.status?.conditions?.find(
            (c) => c.type === 'PodScheduled',
          );
          return condition?.status === 'False' && condition.message;
        },
        { what: `${name} Unschedulable` },
      );
    expect(await unschedulable('orphan')).toContain('persistentvolumeclaim "missing" not found');
    await volume('on-node-3', {
      storageClassName: 'local-disks',
      capacity: { storage: '1Gi' },
      local: { path: '/mnt/disk' },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['hollow-3'] }] },
          ],
        },
      },
    });
    await claim(ns, 'pinned', { storageClassName: 'local-disks', volumeName: 'on-node-3' });
    await boundClaim(ns, 'pinned');
    await pod(ns, 'elsewhere', 'pinned', { nodeSelector: { 'kubernetes.io/hostname': 'hollow-1' } });
    expect(await unschedulable('elsewhere')).toContain('volume node affinity conflict');
    await pod(ns, 'follows', 'pinned');
    expect(await scheduledTo(ns, 'follows')).toBe('hollow-3');
    // A claim appearing later lets the pod waiting for it be scheduled.
    await claim(ns, 'missing');
    expect(await scheduledTo(ns, 'orphan')).toMatch(/^hollow-\d$/);
  });

  it('keeps a claim a pod uses until the pod is gone, then deletes its provisioned volume (reclaim Delete)', async () => {
    const ns = await namespace();
    await claim(ns, 'used');
    await pod(ns, 'user', 'used');
    const pvName = (await boundClaim(ns, 'used')).spec!.volumeName!;
    await h.writer.delete('PersistentVolumeClaim', 'used', ns);
    const held = await eventually(
      () => getClaim(ns, 'used'),
      (c) => Boolean(c?.metadata.deletionTimestamp),
      { what: 'claim marked for deletion' },
    );
    expect(held?.metadata.finalizers).toContain('kubernetes.io/pvc-protection');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await getClaim(ns, 'used')).not.toBeNull();
    await h.writer.delete('Pod', 'user', ns, { gracePeriodSeconds: 0 });
    await gone(() => getClaim(ns, 'used'), 'claim used');
    await gone(() => getVolume(pvName), `volume ${pvName}`);
  });

  it('keeps a released volume with reclaim policy Retain, Released', async () => {
    const ns = await namespace();
    await volume('kept', {
      storageClassName: 'retained',
      capacity: { storage: '1Gi' },
      persistentVolumeReclaimPolicy: 'Retain',
    });
    await claim(ns, 'keeper', { storageClassName: 'retained' });
    await boundClaim(ns, 'keeper');
    await h.writer.delete('PersistentVolumeClaim', 'keeper', ns);
    await gone(() => getClaim(ns, 'keeper'), 'claim keeper');
    const released = await eventually(
      () => getVolume('kept'),
      (v) => v?.status?.phase === 'Released',
      { what: 'volume kept Released' },
    );
    expect(released?.spec?.claimRef?.name).toBe('keeper');
    // A released volume is not bound again to a new claim of the same class.
    await claim(ns, 'newcomer', { storageClassName: 'retained' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await getClaim(ns, 'newcomer'))?.status?.phase).toBe('Pending');
  });

  describe('StatefulSet volumeClaimTemplates', () => {
    const statefulSet = (ns: string, name: string, replicas: number, retention?: Record<string, string>) =>
      h.writer.create({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name, namespace: ns },
        spec: {
          serviceName: name,
          replicas,
          podManagementPolicy: 'Parallel',
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: {
              containers: [
                { name: 'c', image: 'busybox', volumeMounts: [{ name: 'data', mountPath: '/data' }] },
              ],
            },
          },
          volumeClaimTemplates: [
            {
              metadata: { name: 'data', labels: { kind: 'data' } },
              spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
            },
          ],
          ...(retention ? { persistentVolumeClaimRetentionPolicy: retention } : {}),
        },
      });

    it('gives each ordinal its claim, keeps it across the pod being recreated, and retains claims by default', async () => {
      const ns = await namespace();
      await statefulSet(ns, 'web', 2);
      const claims = await Promise.all([boundClaim(ns, 'data-web-0'), boundClaim(ns, 'data-web-1')]);
      expect(claims[0].metadata.labels).toEqual({ kind: 'data', app: 'web' });
      expect(claims[0].spec?.storageClassName).toBe('standard');
      expect(claims[0].metadata.ownerReferences ?? []).toEqual([]);
      const node = await scheduledTo(ns, 'web-0');
      expect(nodeOf(await getVolume(claims[0].spec!.volumeName!))).toBe(node);

      const before = await getPod(ns, 'web-0');
      await h.writer.delete('Pod', 'web-0', ns, { gracePeriodSeconds: 0 });
      const recreated = await eventually(
        () => getPod(ns, 'web-0'),
        (p) => Boolean(p?.spec?.nodeName) && p?.metadata.uid !== before?.metadata.uid,
        { ms: 10_000, what: 'web-0 recreated and scheduled' },
      );
      expect(recreated?.spec?.nodeName).toBe(node);
      expect(recreated?.spec?.volumes?.[0]).toMatchObject({
        persistentVolumeClaim: { claimName: 'data-web-0' },
      });
      expect((await getClaim(ns, 'data-web-0'))?.metadata.uid).toBe(claims[0].metadata.uid);

      await h.writer.delete('StatefulSet', 'web', ns);
      await gone(() => getPod(ns, 'web-1'), 'pod web-1');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await getClaim(ns, 'data-web-0'))?.metadata.deletionTimestamp).toBeFalsy();
      expect((await getClaim(ns, 'data-web-1'))?.metadata.deletionTimestamp).toBeFalsy();
    });

    it('deletes the claims of pods scaled away and, with the set, all of them, when the policy says Delete', async () => {
      const ns = await namespace();
      await statefulSet(ns, 'db', 2, { whenScaled: 'Delete', whenDeleted: 'Delete' });
      const first = await boundClaim(ns, 'data-db-0');
      await boundClaim(ns, 'data-db-1');
      expect(first.metadata.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'StatefulSet', name: 'db', controller: true }),
      ]);
      await h.writer.patch('StatefulSet', 'db', ns, { spec: { replicas: 1 } });
      await gone(() => getClaim(ns, 'data-db-1'), 'claim data-db-1');
      expect((await getClaim(ns, 'data-db-0'))?.metadata.deletionTimestamp).toBeFalsy();
      await h.writer.delete('StatefulSet', 'db', ns);
      await gone(() => getClaim(ns, 'data-db-0'), 'claim data-db-0');
    });
  });
});
