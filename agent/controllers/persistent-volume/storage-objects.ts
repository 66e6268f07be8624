import type { Resource } from '../../../client/index.ts';
import type { PersistentVolume } from '../../../schema/kinds/persistentvolume.ts';
import type { PersistentVolumeClaim } from '../../../schema/kinds/persistentvolumeclaim.ts';
import type { StorageClass } from '../../../schema/kinds/storageclass.ts';

export type VolumeObject = Resource & {
  spec?: PersistentVolume['spec'];
  status?: PersistentVolume['status'];
};
export type ClaimObject = Resource & {
  spec?: PersistentVolumeClaim['spec'];
  status?: PersistentVolumeClaim['status'];
};
export type StorageClassObject = Resource & Omit<StorageClass, 'apiVersion' | 'kind' | 'metadata'>;

/** The provisioner of the default StorageClass: a directory on the node a claim's first pod runs on. */
export const LOCAL_PATH_PROVISIONER = 'kubeql.io/local-path';

/** Set on a claim once its binding is complete, as Kubernetes' binder does. */
export const BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
/** Set on the half of a binding the controller made (not the user). */
export const BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
/** On a dynamically provisioned volume: who made it, and so who deletes it. */
export const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
/** On a claim of a class with a provisioner: which one is to provision it. */
export const STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
/** On a WaitForFirstConsumer claim: the node its first pod was scheduled to, where it is provisioned. */
export const SELECTED_NODE = 'volume.kubernetes.io/selected-node';
/** The label a provisioned local volume's node affinity names. */
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

export const PVC_PROTECTION = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION = 'kubernetes.io/pv-protection';

/** `namespace/name` of a claim, as the informer keys it. */
export function claimKey(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? 'default'}/${name ?? ''}`;
}

/** The StorageClass name a claim asks for; "" for none (pre-defaulting claims without one mean none, too). */
export function claimClass(claim: ClaimObject): string {
  return claim.spec?.storageClassName ?? '';
}

/** Whether a claim and a volume point at each other. */
export function isBoundTo(claim: ClaimObject, volume: VolumeObject): boolean {
  const ref = volume.spec?.claimRef;
  return (
    claim.spec?.volumeName === volume.metadata.name &&
    ref?.name === claim.metadata.name &&
    ref?.namespace === claim.metadata.namespace &&
    ref?.uid === claim.metadata.uid
  );
}

/** Queue keys of the two kinds a storage controller follows in one loop: `claim:<namespace>/<name>`, `volume:<name>`. */
export const CLAIM_KEY = 'claim:';
export const VOLUME_KEY = 'volume:';
