import { defineKind } from '../kind.ts';
import { described, required, s, type Infer } from '../shape.ts';
import { ObjectMeta } from './meta.ts';
import { PersistentVolumeReclaimPolicy } from './storage-enums.ts';

export const TopologySelectorTerm = s.object(
  'TopologySelectorTerm',
  {
    matchLabelExpressions: s.list(
      s.object('TopologySelectorLabelRequirement', {
        key: required(s.string('A topology label: topology.kubernetes.io/zone, kubernetes.io/hostname, ...')),
        values: required(s.list(s.string(), 'Any of these values matches.')),
      }),
    ),
  },
  'Topology requirements that are ANDed.',
);

const description =
  'A class of storage: which provisioner makes its volumes, with what parameters, reclaim policy and binding mode.';

export const StorageClass = s.object(
  'StorageClass',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    provisioner: required(s.string('The provisioner that makes the volumes (a CSI driver name). Immutable.')),
    parameters: s.map('Options for the provisioner. Immutable.'),
    reclaimPolicy: described(
      PersistentVolumeReclaimPolicy,
      'The reclaim policy of the volumes made: Delete (the default) or Retain. Immutable.',
    ),
    mountOptions: s.list(s.string(), 'Mount options of the volumes made.'),
    allowVolumeExpansion: s.bool('Whether claims of this class may grow.'),
    volumeBindingMode: s.enum(
      'VolumeBindingMode',
      ['Immediate', 'WaitForFirstConsumer'],
      'Immediate (the default): bind and provision at once; WaitForFirstConsumer: once a pod using the claim is scheduled. Immutable.',
    ),
    allowedTopologies: s.list(TopologySelectorTerm, 'Where volumes may be provisioned; anywhere if empty.'),
  },
  description,
);
export type StorageClass = Infer<typeof StorageClass>;

export const storageClassKind = defineKind({
  kind: 'StorageClass',
  apiVersion: 'storage.k8s.io/v1',
  plural: 'storageclasses',
  shortNames: ['sc'],
  namespaced: false,
  shape: StorageClass,
  description,
});
