import { expect } from 'vitest';
import type { PersistentVolume } from '../../schema/kinds/persistentvolume.ts';
import type { PersistentVolumeClaim } from '../../schema/kinds/persistentvolumeclaim.ts';
import type { StorageClass } from '../../schema/kinds/storageclass.ts';
import { kindCase, type KindCase } from './kinds.ts';

/**
 * PersistentVolumes, their claims and StorageClasses, from Kubernetes' documentation:
 * their manifests and what the API makes of them (see KindCase), for kinds-lifecycle.test.ts.
 */
export const STORAGE_KIND_CASES: KindCase[] = [
  kindCase<PersistentVolume>({
    kind: 'PersistentVolume',
    namespaced: false,
    hasSpec: true,
    manifest: (name) => `apiVersion: v1
kind: PersistentVolume
metadata:
  name: ${name}
  labels:
    type: local
spec:
  storageClassName: manual
  capacity:
    storage: 10Gi
  accessModes:
    - ReadWriteOnce
  hostPath:
    path: "/mnt/data"
`,
    select: `spec { capacity accessModes hostPath { path type } persistentVolumeReclaimPolicy storageClassName volumeMode mountOptions }
      status { phase }`,
    created(pv) {
      expect(pv.spec?.capacity).toEqual({ storage: '10Gi' });
      expect(pv.spec?.hostPath).toEqual({ path: '/mnt/data', type: null });
      expect(pv.spec?.persistentVolumeReclaimPolicy).toBe('Retain');
      expect(pv.spec?.volumeMode).toBe('Filesystem');
      expect(pv.status?.phase).toBe('Pending');
    },
    change(m) {
      m.spec!.capacity = { storage: '20Gi' };
    },
    changed(pv) {
      expect(pv.spec?.capacity).toEqual({ storage: '20Gi' });
      expect(pv.status?.phase).toBe('Pending');
    },
    patch: { spec: { mountOptions: ['hard', 'nfsvers=4.1'] } },
    patched(pv) {
      expect(pv.spec?.mountOptions).toEqual(['hard', 'nfsvers=4.1']);
      expect(pv.spec?.storageClassName).toBe('manual');
    },
  }),
  kindCase<PersistentVolumeClaim>({
    kind: 'PersistentVolumeClaim',
    namespaced: true,
    hasSpec: true,
    manifest: (name) => `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: ${name}
spec:
  storageClassName: manual
  accessModes:
    - ReadWriteOnce
  resources:
    requests:
      storage: 3Gi
`,
    select:
      'spec { accessModes resources { requests } storageClassName volumeMode volumeName } status { phase }',
    created(pvc) {
      expect(pvc.spec?.resources?.requests).toEqual({ storage: '3Gi' });
      expect(pvc.spec?.volumeMode).toBe('Filesystem');
      expect(pvc.spec?.volumeName).toBeNull();
      expect(pvc.status?.phase).toBe('Pending');
    },
    change(m) {
      // The one change a claim's spec allows before it is bound: the volume it asks for.
      m.spec!.volumeName = 'task-pv-volume';
    },
    changed(pvc) {
      expect(pvc.spec?.volumeName).toBe('task-pv-volume');
      expect(pvc.status?.phase).toBe('Pending');
    },
    patch: { metadata: { labels: { app: 'task' } } },
    patched(pvc) {
      expect(pvc.metadata.labels).toEqual({ app: 'task' });
    },
  }),
  kindCase<StorageClass>({
    kind: 'StorageClass',
    namespaced: false,
    hasSpec: false,
    manifest: (name) => `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: ${name}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: WaitForFirstConsumer
`,
    select: 'provisioner parameters reclaimPolicy volumeBindingMode allowVolumeExpansion mountOptions',
    created(sc) {
      expect(sc.provisioner).toBe('kubernetes.io/no-provisioner');
      expect(sc.reclaimPolicy).toBe('Delete');
      expect(sc.volumeBindingMode).toBe('WaitForFirstConsumer');
    },
    change(m) {
      m.allowVolumeExpansion = true;
    },
    changed(sc) {
      expect(sc.allowVolumeExpansion).toBe(true);
    },
    patch: { mountOptions: ['debug'] },
    patched(sc) {
      expect(sc.mountOptions).toEqual(['debug']);
      expect(sc.reclaimPolicy).toBe('Delete');
    },
  }),
];
