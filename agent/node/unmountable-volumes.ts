import type { Volume } from '../../schema/kinds/pod.ts';
import type { PodObject } from '../objects.ts';
import { ContainerConfigError } from './container-config-error.ts';

/**
 * The volumes the API accepts and no node here can set up: cloud disks, network and
 * cluster filesystems, CSI drivers, image volumes, ClusterTrustBundles.
 * Kubernetes accepts such a pod and its kubelet reports why it cannot mount the volume;
 * so does every node here, Docker or hollow alike: the pod stays Pending, its containers
 * waiting in ContainerCreating, with a FailedMount event naming the volume and the reason.
 */

/** The in-tree sources Kubernetes now hands to a CSI driver, with that driver's name. */
const MIGRATED_TO_CSI: Partial<Record<keyof Volume, string>> = {
  awsElasticBlockStore: 'ebs.csi.aws.com',
  gcePersistentDisk: 'pd.csi.storage.gke.io',
  azureDisk: 'disk.csi.azure.com',
  azureFile: 'file.csi.azure.com',
  cinder: 'cinder.csi.openstack.org',
  vsphereVolume: 'csi.vsphere.vmware.com',
  portworxVolume: 'pxd.portworx.com',
};

/** The in-tree sources Kubernetes itself no longer mounts. */
const REMOVED = [
  'rbd',
  'cephfs',
  'glusterfs',
  'flocker',
  'quobyte',
  'scaleIO',
  'storageos',
  'photonPersistentDisk',
];

/** Sources that need host tooling (an NFS or iSCSI client, a FlexVolume driver, git) the node does not use. */
const NOT_ON_THIS_NODE = ['nfs', 'iscsi', 'fc', 'flexVolume', 'gitRepo'];

/** Why this node cannot set up the volume, in the words of the kubelet where it has them; undefined when it can. */
export function unmountableReason(volume: Volume, podName: string): string | undefined {
  for (const [source, driver] of Object.entries(MIGRATED_TO_CSI)) {
    if (volume[source as keyof Volume] !== undefined) {
      return `driver name ${driver} not found in the list of registered CSI drivers (${source} volumes are handled by that driver, which this node does not have)`;
    }
  }
  const removed = REMOVED.find((source) => volume[source as keyof Volume] !== undefined);
  if (removed) return `no volume plugin matched: the in-tree ${removed} volume type is no longer supported`;
  const missing = NOT_ON_THIS_NODE.find((source) => volume[source as keyof Volume] !== undefined);
  if (missing) return `no volume plugin matched: this node cannot mount ${missing} volumes`;
  if (volume.csi) return `driver name ${volume.csi.driver} not found in the list of registered CSI drivers`;
  if (volume.image) return "image volumes are not supported by this node's container runtime";
  if (volume.ephemeral) {
    return `persistentvolumeclaim "${podName}-${volume.name}" not found: this cluster does not create the claims of generic ephemeral volumes`;
  }
  for (const source of volume.projected?.sources ?? []) {
    if (source.clusterTrustBundle) return 'ClusterTrustBundle objects are not served by this cluster';
  }
  return undefined;
}

/**
 * The first reason the pod's volumes cannot be set up on this node, as the error the
 * kubelet reports (FailedMount, containers waiting in ContainerCreating); undefined when
 * nothing stands in the way that the node knows of before trying.
 */
export function unmountableVolume(pod: PodObject): ContainerConfigError | undefined {
  const podName = pod.metadata.name ?? '';
  for (const volume of pod.spec?.volumes ?? []) {
    const reason = unmountableReason(volume, podName);
    if (reason) return new ContainerConfigError(reason, volume.name);
  }
  for (const container of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    const device = container.volumeDevices?.[0];
    if (device) {
      return new ContainerConfigError(
        `cannot map volume "${device.name}" as a block device: this node provides filesystem volumes only`,
        device.name,
      );
    }
  }
  return undefined;
}
