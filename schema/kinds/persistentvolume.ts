import { defineKind } from '../kind.ts';
import { alwaysSet, described, s, type Infer } from '../shape.ts';
import { ObjectMeta, ObjectReference } from './meta.ts';
import {
  PersistentVolumeAccessMode,
  PersistentVolumeMode,
  PersistentVolumeReclaimPolicy,
} from './storage-enums.ts';
import { NodeSelector, persistentVolumeSources } from './volume-sources.ts';

export const PersistentVolumeSpec = s.object(
  'PersistentVolumeSpec',
  {
    capacity: s.resources('How much storage the volume has: { storage: 10Gi }.'),
    ...persistentVolumeSources,
    accessModes: s.list(PersistentVolumeAccessMode, 'How the volume can be mounted.'),
    claimRef: described(ObjectReference, 'The claim bound to this volume, or the only claim it may bind to.'),
    persistentVolumeReclaimPolicy: described(
      PersistentVolumeReclaimPolicy,
      'What happens when the claim is released: Retain (the default for volumes made by hand), Delete or Recycle.',
    ),
    storageClassName: s.string('The StorageClass the volume belongs to; "" for none.'),
    mountOptions: s.list(s.string(), 'Options for mounting, not validated: a wrong one fails the mount.'),
    volumeMode: described(PersistentVolumeMode, 'Filesystem (the default) or Block.'),
    nodeAffinity: s.object(
      'VolumeNodeAffinity',
      { required: NodeSelector },
      'The nodes the volume can be reached from; pods using it are scheduled there.',
    ),
    volumeAttributesClassName: s.string('The VolumeAttributesClass of the volume.'),
  },
  'A piece of storage and how it may be used; exactly one source says where it is.',
);
export type PersistentVolumeSpec = Infer<typeof PersistentVolumeSpec>;

export const PersistentVolumeStatus = s.object(
  'PersistentVolumeStatus',
  {
    phase: alwaysSet(
      s.enum(
        'PersistentVolumePhase',
        ['Pending', 'Available', 'Bound', 'Released', 'Failed'],
        'Pending on creation; Available once free to bind; Bound to a claim; Released when the claim is gone; Failed if reclaiming failed.',
      ),
    ),
    message: s.string(),
    reason: s.string(),
    lastPhaseTransitionTime: s.string(),
  },
  'Observed state of a PersistentVolume.',
);

const description = 'Storage in the cluster, made by an administrator or a provisioner, that claims bind to.';

export const PersistentVolume = s.object(
  'PersistentVolume',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    spec: PersistentVolumeSpec,
    status: alwaysSet(PersistentVolumeStatus),
  },
  description,
);
export type PersistentVolume = Infer<typeof PersistentVolume>;

export const persistentVolumeKind = defineKind({
  kind: 'PersistentVolume',
  apiVersion: 'v1',
  plural: 'persistentvolumes',
  shortNames: ['pv'],
  namespaced: false,
  shape: PersistentVolume,
  description,
});
