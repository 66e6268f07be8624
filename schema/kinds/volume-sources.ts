import type { ObjectShape, Shape } from '../shape.ts';
import { required, s } from '../shape.ts';
import { Affinity } from './pod-scheduling.ts';
import { NFSVolumeSource, Volume } from './volume.ts';

/**
 * Where a PersistentVolume's storage is. hostPath, local, nfs and csi are typed; the
 * in-tree sources of cloud and network storage Kubernetes still accepts (most of them
 * deprecated) are kept as given, loose objects, so manifests that name them are stored
 * and served unchanged.
 */

/** A field of a struct declared inline in another shape, so both uses are one GraphQL type. */
function inner<T>(shape: ObjectShape, ...path: string[]): ObjectShape<T> {
  let at: Shape = shape;
  for (const key of path) at = (at as ObjectShape).fields[key];
  return at as ObjectShape<T>;
}

/** The pods' HostPathVolumeSource. */
const HostPathVolumeSource = inner<{ path: string; type?: string }>(Volume, 'hostPath');

/** The pods' NodeSelector (node affinity's required terms). */
export const NodeSelector = inner<{
  nodeSelectorTerms: Array<{
    matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
    matchFields?: Array<{ key: string; operator: string; values?: string[] }>;
  }>;
}>(Affinity, 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution');

const LocalVolumeSource = s.object(
  'LocalVolumeSource',
  {
    path: required(s.string('Full path of a directory or block device on the node.')),
    fsType: s.string('Filesystem of a block device; the node detects one if empty.'),
  },
  "A disk, partition or directory of one node; the volume's nodeAffinity must name that node.",
);

const SecretReference = s.object(
  'SecretReference',
  { name: s.string(), namespace: s.string() },
  'A Secret in any namespace.',
);

const CSIPersistentVolumeSource = s.object(
  'CSIPersistentVolumeSource',
  {
    driver: required(s.string('Name of the CSI driver, as it registers itself.')),
    volumeHandle: required(s.string("The driver's own id of the volume.")),
    readOnly: s.bool('Publish the volume read-only; defaults to false.'),
    fsType: s.string('Filesystem to mount ("ext4", "xfs", ...).'),
    volumeAttributes: s.map('Attributes passed to the driver.'),
    controllerPublishSecretRef: SecretReference,
    nodeStageSecretRef: SecretReference,
    nodePublishSecretRef: SecretReference,
    controllerExpandSecretRef: SecretReference,
    nodeExpandSecretRef: SecretReference,
  },
  'Storage provided by an external CSI driver.',
);

/** The in-tree sources a PersistentVolume may name beyond the typed ones, by field. */
const LEGACY_PERSISTENT_VOLUME_SOURCES = [
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'glusterfs',
  'rbd',
  'iscsi',
  'cinder',
  'cephfs',
  'fc',
  'flocker',
  'flexVolume',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
] as const;

const legacySources = Object.fromEntries(
  LEGACY_PERSISTENT_VOLUME_SOURCES.map((field) => [
    field,
    s.json(`The in-tree ${field} source, kept as given: this cluster's nodes cannot mount it.`),
  ]),
) as Record<(typeof LEGACY_PERSISTENT_VOLUME_SOURCES)[number], ReturnType<typeof s.json>>;

/** Every source a PersistentVolume may have; exactly one is set. */
export const persistentVolumeSources = {
  hostPath: HostPathVolumeSource,
  local: LocalVolumeSource,
  nfs: NFSVolumeSource,
  csi: CSIPersistentVolumeSource,
  ...legacySources,
};

export const PERSISTENT_VOLUME_SOURCES = Object.keys(persistentVolumeSources);
