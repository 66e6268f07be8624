import {
  HOSTNAME_LABEL,
  LOCAL_PATH_PROVISIONER,
  PROVISIONED_BY,
  type ClaimObject,
  type StorageClassObject,
  type VolumeObject,
} from './storage-objects.ts';

/** The name Kubernetes' provisioners give a claim's volume: `pvc-<claim uid>`. */
export function provisionedVolumeName(claim: ClaimObject): string {
  return `pvc-${claim.metadata.uid}`;
}

/**
 * The volume the local-path provisioner makes for a claim: as big as the claim asks,
 * with its access and volume modes, the class's reclaim policy and mount options,
 * pre-bound to the claim, and reachable from one node only. Its source is a CSI volume
 * of the provisioner, whose handle the node agent turns into a directory under its own
 * state directory (created on first mount, removed with the volume).
 */
export function newLocalPathVolume(
  claim: ClaimObject,
  storageClass: StorageClassObject,
  nodeName: string,
): VolumeObject {
  const name = provisionedVolumeName(claim);
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, annotations: { [PROVISIONED_BY]: LOCAL_PATH_PROVISIONER } },
    spec: {
      capacity: { storage: String(claim.spec?.resources?.requests?.storage ?? '0') },
      accessModes: claim.spec?.accessModes ?? ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: storageClass.reclaimPolicy ?? 'Delete',
      storageClassName: storageClass.metadata.name,
      volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
      ...(storageClass.mountOptions?.length ? { mountOptions: storageClass.mountOptions } : {}),
      csi: { driver: LOCAL_PATH_PROVISIONER, volumeHandle: name },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: HOSTNAME_LABEL, operator: 'In', values: [nodeName] }] },
          ],
        },
      },
      claimRef: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        namespace: claim.metadata.namespace,
        name: claim.metadata.name,
        uid: claim.metadata.uid,
        resourceVersion: claim.metadata.resourceVersion,
      },
    },
  };
}
