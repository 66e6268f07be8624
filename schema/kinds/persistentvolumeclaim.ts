import { defineKind } from '../kind.ts';
import { alwaysSet, described, keyedBy, s, type Infer } from '../shape.ts';
import { conditionShape, LabelSelector, ObjectMeta } from './meta.ts';
import { PersistentVolumeAccessMode, PersistentVolumeMode } from './storage-enums.ts';
import { TypedLocalObjectReference, TypedObjectReference } from './typed-references.ts';

export const PersistentVolumeClaimSpec = s.object(
  'PersistentVolumeClaimSpec',
  {
    accessModes: s.list(PersistentVolumeAccessMode, 'How the volume must be mountable; at least one.'),
    selector: described(LabelSelector, 'Only volumes with these labels may be bound.'),
    resources: s.object(
      'VolumeResourceRequirements',
      {
        requests: s.resources('At least this much: { storage: 1Gi } is required.'),
        limits: s.resources('At most this much.'),
      },
      'How much storage the claim needs.',
    ),
    volumeName: s.string('The volume this claim is bound to (or asks for by name).'),
    storageClassName: s.string(
      'The StorageClass to bind or provision from; the default class when absent, none when "".',
    ),
    volumeMode: described(PersistentVolumeMode, 'Filesystem (the default) or Block.'),
    dataSource: described(TypedLocalObjectReference, 'A snapshot or claim to fill the new volume from.'),
    dataSourceRef: described(TypedObjectReference, 'Like dataSource, for any populator and namespace.'),
    volumeAttributesClassName: s.string('The VolumeAttributesClass the volume should have.'),
  },
  'What a claim asks for: size, access modes, class.',
);
export type PersistentVolumeClaimSpec = Infer<typeof PersistentVolumeClaimSpec>;

export const PersistentVolumeClaimStatus = s.object(
  'PersistentVolumeClaimStatus',
  {
    phase: alwaysSet(
      s.enum(
        'PersistentVolumeClaimPhase',
        ['Pending', 'Bound', 'Lost'],
        'Pending until bound to a volume; Bound; Lost when the bound volume is gone.',
      ),
    ),
    accessModes: s.list(PersistentVolumeAccessMode, 'The access modes of the bound volume.'),
    capacity: s.resources('The size of the bound volume.'),
    conditions: keyedBy(s.list(conditionShape('PersistentVolumeClaimCondition')), 'type'),
    allocatedResources: s.resources('What was allocated to the claim, for resizes.'),
    allocatedResourceStatuses: s.map('The state of each resize, by resource.'),
    currentVolumeAttributesClassName: s.string(),
  },
  'Observed state of a PersistentVolumeClaim.',
);

const description =
  "A user's request for storage, bound to one PersistentVolume that pods then mount by the claim's name.";

export const PersistentVolumeClaim = s.object(
  'PersistentVolumeClaim',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    spec: PersistentVolumeClaimSpec,
    status: alwaysSet(PersistentVolumeClaimStatus),
  },
  description,
);
export type PersistentVolumeClaim = Infer<typeof PersistentVolumeClaim>;

export const persistentVolumeClaimKind = defineKind({
  kind: 'PersistentVolumeClaim',
  apiVersion: 'v1',
  plural: 'persistentvolumeclaims',
  shortNames: ['pvc'],
  namespaced: true,
  shape: PersistentVolumeClaim,
  description,
});
