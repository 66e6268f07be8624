import { required, s, type Infer, type ScalarShape } from '../shape.ts';
import { ObjectFieldSelector, ResourceFieldSelector } from './container.ts';
import { LabelSelector, LocalObjectReference, TemplateObjectMeta } from './meta.ts';
import { PersistentVolumeClaimSpec } from './persistentvolumeclaim.ts';

/**
 * A pod's volumes and every source Kubernetes knows. The sources a node can provide are
 * typed field by field; the legacy in-tree and cloud-provider ones (which no node here can
 * mount: the pod waits with a FailedMount event) are accepted as free-form objects.
 */

const KeyToPath = s.object('KeyToPath', {
  key: required(s.string('The key to project.')),
  path: required(s.string('Relative path of the file to create; may not contain "..".')),
  mode: s.int('Mode bits of the file (0-0777); defaults to the volume defaultMode.'),
});

const DownwardAPIVolumeFile = s.object('DownwardAPIVolumeFile', {
  path: required(s.string('Relative path of the file to create; may not contain "..".')),
  fieldRef: ObjectFieldSelector,
  resourceFieldRef: ResourceFieldSelector,
  mode: s.int('Mode bits of the file (0-0777); defaults to the volume defaultMode.'),
});

const DownwardAPIItems = s.list(
  DownwardAPIVolumeFile,
  'Files to create, each from a field of the pod or a resource of a container.',
);

const VolumeProjection = s.object(
  'VolumeProjection',
  {
    configMap: s.object('ConfigMapProjection', {
      name: s.string('Name of the ConfigMap.'),
      items: s.list(KeyToPath, 'Keys to project; every key is projected if not given.'),
      optional: s.bool('Whether the ConfigMap or its keys may be missing.'),
    }),
    secret: s.object('SecretProjection', {
      name: s.string('Name of the Secret.'),
      items: s.list(KeyToPath, 'Keys to project; every key is projected if not given.'),
      optional: s.bool('Whether the Secret or its keys may be missing.'),
    }),
    downwardAPI: s.object('DownwardAPIProjection', { items: DownwardAPIItems }),
    serviceAccountToken: s.object(
      'ServiceAccountTokenProjection',
      {
        audience: s.string("Intended audience of the token; the API server's identifier by default."),
        expirationSeconds: s.int('Requested validity of the token; defaults to 3600, at least 600.'),
        path: required(s.string('Relative path of the token file.')),
      },
      "A token of the pod's service account, rotated by the node.",
    ),
    clusterTrustBundle: s.object(
      'ClusterTrustBundleProjection',
      {
        name: s.string('A ClusterTrustBundle by name; exclusive with signerName.'),
        signerName: s.string('Every ClusterTrustBundle of this signer (and labelSelector).'),
        labelSelector: LabelSelector,
        optional: s.bool('Whether the bundles may be missing.'),
        path: required(s.string('Relative path of the bundle file.')),
      },
      'The certificates of ClusterTrustBundle objects, as one PEM file.',
    ),
  },
  'One source of a projected volume; exactly one of its fields.',
);

/** The claim a generic ephemeral volume creates for its pod: labels, annotations and a claim spec. */
const PersistentVolumeClaimTemplate = s.object(
  'PersistentVolumeClaimTemplate',
  {
    metadata: TemplateObjectMeta,
    spec: required(PersistentVolumeClaimSpec),
  },
  'A PersistentVolumeClaim to create: its labels and annotations, and its spec.',
);

/** Also a PersistentVolume's source: one GraphQL type for both. */
export const NFSVolumeSource = s.object(
  'NFSVolumeSource',
  {
    server: required(s.string('Hostname or IP address of the NFS server.')),
    path: required(s.string('Path exported by the server.')),
    readOnly: s.bool('Mount read-only; defaults to false.'),
  },
  'An NFS export.',
);

/**
 * The in-tree sources Kubernetes still accepts that no node here mounts (cloud disks,
 * network filesystems, removed plugins): kept as the objects the manifest gives.
 */
const LEGACY = {
  iscsi: 'An iSCSI disk attached to the node.',
  fc: 'A Fibre Channel disk attached to the node.',
  flexVolume: 'Deprecated: a volume of an exec-based FlexVolume driver.',
  rbd: 'Deprecated: a Ceph RADOS block device (the in-tree type is no longer supported).',
  cephfs: 'Deprecated: a CephFS mount (the in-tree type is no longer supported).',
  glusterfs: 'Deprecated: a GlusterFS mount (the in-tree type is no longer supported).',
  cinder: 'Deprecated: an OpenStack Cinder volume (now the cinder.csi.openstack.org CSI driver).',
  awsElasticBlockStore: 'Deprecated: an AWS EBS disk (now the ebs.csi.aws.com CSI driver).',
  gcePersistentDisk: 'Deprecated: a GCE persistent disk (now the pd.csi.storage.gke.io CSI driver).',
  azureDisk: 'Deprecated: an Azure data disk (now the disk.csi.azure.com CSI driver).',
  azureFile: 'Deprecated: an Azure File share (now the file.csi.azure.com CSI driver).',
  vsphereVolume: 'Deprecated: a vSphere disk (now the csi.vsphere.vmware.com CSI driver).',
  portworxVolume: 'Deprecated: a Portworx volume (now the pxd.portworx.com CSI driver).',
  flocker: 'Deprecated: a Flocker volume (the in-tree type is no longer supported).',
  quobyte: 'Deprecated: a Quobyte mount (the in-tree type is no longer supported).',
  scaleIO: 'Deprecated: a ScaleIO volume (the in-tree type is no longer supported).',
  storageos: 'Deprecated: a StorageOS volume (the in-tree type is no longer supported).',
  photonPersistentDisk: 'Deprecated: a Photon disk (the in-tree type is no longer supported).',
};

/** The volume sources kept as free-form objects, by field. */
export const LEGACY_VOLUME_SOURCES = Object.keys(LEGACY) as Array<keyof typeof LEGACY>;

const legacySources = Object.fromEntries(
  LEGACY_VOLUME_SOURCES.map((field) => [
    field,
    s.json(`${LEGACY[field]} Kept as given; no node here mounts it.`),
  ]),
) as Record<keyof typeof LEGACY, ScalarShape<Record<string, unknown>>>;

const volumeSources = {
  emptyDir: s.object(
    'EmptyDirVolumeSource',
    {
      medium: s.string('"" (node storage) or "Memory" (tmpfs).'),
      sizeLimit: s.quantity('Maximum amount of local storage the volume may use.'),
    },
    'A scratch directory that lives as long as the pod.',
  ),
  configMap: s.object(
    'ConfigMapVolumeSource',
    {
      name: s.string('Name of the ConfigMap.'),
      items: s.list(KeyToPath, 'Keys to project; every key is projected if not given.'),
      defaultMode: s.int('Mode bits of the files (0-0777); defaults to 0644.'),
      optional: s.bool('Whether the ConfigMap or its keys may be missing.'),
    },
    'Projects the keys of a ConfigMap as files.',
  ),
  secret: s.object(
    'SecretVolumeSource',
    {
      secretName: s.string('Name of the Secret, in the pod namespace.'),
      items: s.list(KeyToPath, 'Keys to project; every key is projected if not given.'),
      defaultMode: s.int('Mode bits of the files (0-0777); defaults to 0644.'),
      optional: s.bool('Whether the Secret or its keys may be missing.'),
    },
    'Projects the keys of a Secret as files.',
  ),
  hostPath: s.object(
    'HostPathVolumeSource',
    {
      path: required(s.string('Path of the directory on the host.')),
      // "" (check nothing) is a value, which a GraphQL enum cannot name.
      type: s.oneOf(
        ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'],
        'What must exist at the path; "" checks nothing.',
      ),
    },
    'A file or directory of the node; ties the pod to that node.',
  ),
  persistentVolumeClaim: s.object(
    'PersistentVolumeClaimVolumeSource',
    {
      claimName: required(s.string('Name of a PersistentVolumeClaim in the pod namespace.')),
      readOnly: s.bool(),
    },
    'Mounts the volume bound to a PersistentVolumeClaim.',
  ),
  downwardAPI: s.object(
    'DownwardAPIVolumeSource',
    {
      items: DownwardAPIItems,
      defaultMode: s.int('Mode bits of the files (0-0777); defaults to 0644.'),
    },
    "Exposes the pod's own fields (labels, annotations, ...) and its containers' resources as files.",
  ),
  projected: s.object(
    'ProjectedVolumeSource',
    {
      sources: s.list(VolumeProjection, 'Sources whose files are merged into the one directory.'),
      defaultMode: s.int('Mode bits of the files (0-0777); defaults to 0644.'),
    },
    'Several ConfigMaps, Secrets, downward API files and tokens in one directory.',
  ),
  ephemeral: s.object(
    'EphemeralVolumeSource',
    { volumeClaimTemplate: PersistentVolumeClaimTemplate },
    'A volume from a PersistentVolumeClaim created for the pod (named <pod>-<volume>) and deleted with it.',
  ),
  csi: s.object(
    'CSIVolumeSource',
    {
      driver: required(s.string('Name of the CSI driver, as registered on the node.')),
      readOnly: s.bool(),
      fsType: s.string('Filesystem type, e.g. ext4; the driver chooses when empty.'),
      volumeAttributes: s.map('Driver-specific properties.'),
      nodePublishSecretRef: LocalObjectReference,
    },
    'An inline volume of a CSI driver.',
  ),
  image: s.object(
    'ImageVolumeSource',
    {
      reference: s.string('Image or artifact reference, as a container image is given.'),
      pullPolicy: s.enum(
        'PullPolicy',
        ['Always', 'IfNotPresent', 'Never'],
        'Defaults to Always for the :latest tag or no tag, IfNotPresent otherwise.',
      ),
    },
    'The content of an OCI image or artifact, mounted read-only.',
  ),
  nfs: NFSVolumeSource,
  gitRepo: s.object(
    'GitRepoVolumeSource',
    {
      repository: required(s.string('Repository URL.')),
      revision: s.string('Commit hash to check out.'),
      directory: s.string('Directory to clone into, inside the volume.'),
    },
    'Deprecated: a git repository cloned into an empty directory; use an init container instead.',
  ),
  ...legacySources,
};

/** Every volume source Kubernetes knows, by field name; a volume has exactly one. */
export const VOLUME_SOURCES = Object.keys(volumeSources) as Array<keyof typeof volumeSources>;

export const Volume = s.object(
  'Volume',
  {
    name: required(s.string('DNS-1123 label, unique in the pod; volumeMounts refer to it.')),
    ...volumeSources,
  },
  'A named volume of a pod; exactly one source.',
);

export type Volume = Infer<typeof Volume>;
