import { findMatchingVolume, volumeReachableFrom } from '../controllers/persistent-volume/volume-matching.ts';
import {
  claimClass,
  claimKey,
  type ClaimObject,
  type StorageClassObject,
  type VolumeObject,
} from '../controllers/persistent-volume/storage-objects.ts';
import type { InformerSource } from '../informers.ts';
import { filter, firstFailure, type Filter, type NodeCheck } from './filters.ts';
import type { PodInfo } from './node-info.ts';

export const REASON_VOLUME_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const REASON_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
export const REASON_NO_VOLUME_TO_BIND = "node(s) didn't find available persistent volumes to bind";

/** The provisioner of classes whose volumes are all made by hand (local volumes, typically). */
const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

export interface VolumeBindingFilter extends Filter {
  /** Stops telling the scheduler about claim and volume changes. */
  dispose(): void;
}

/**
 * kube-scheduler's VolumeBinding filter: a pod's claims must exist and not be being
 * deleted; a bound claim's volume must be reachable from the node (its node affinity:
 * a local volume pins its pods to its node); an unbound claim must be of a
 * WaitForFirstConsumer class (an Immediate one is to be bound first), and when that
 * class has no provisioner a free volume that fits must be reachable from the node.
 * Otherwise the volume is provisioned where the pod goes (the persistent volume
 * controller reads the pod's node). The claims are looked up once per decision (PreFilter);
 * pods without claims skip the filter.
 *
 * Claims, volumes and classes changing may let waiting pods fit: `onChange` is called then.
 */
export function volumeBindingFilter(informers: InformerSource, onChange: () => void): VolumeBindingFilter {
  const claims = informers.get<ClaimObject>('PersistentVolumeClaim');
  const volumes = informers.get<VolumeObject>('PersistentVolume');
  const classes = informers.get<StorageClassObject>('StorageClass');
  const handlers = { onAdd: onChange, onUpdate: onChange };
  const unsubscribes = [claims, volumes, classes].map((informer) => informer.addEventHandler(handlers));
  const failing = (reason: string): NodeCheck => {
    const reasons = Object.freeze([reason]);
    return () => reasons;
  };
  const conflict = Object.freeze([REASON_VOLUME_NODE_CONFLICT]);
  const noVolume = Object.freeze([REASON_NO_VOLUME_TO_BIND]);
  /** One check per claim, in the pod's order; a claim that fails every node ends the list. */
  const claimChecks = (pod: PodInfo): NodeCheck[] => {
    const checks: NodeCheck[] = [];
    let available: VolumeObject[] | undefined;
    for (const volume of pod.pod.spec?.volumes ?? []) {
      const name = volume.persistentVolumeClaim?.claimName;
      if (!name) continue;
      const claim = claims.get(claimKey(pod.pod.metadata.namespace, name));
      if (!claim) return [...checks, failing(`persistentvolumeclaim "${name}" not found`)];
      if (claim.metadata.deletionTimestamp)
        return [...checks, failing(`persistentvolumeclaim "${name}" is being deleted`)];
      const volumeName = claim.spec?.volumeName;
      if (volumeName) {
        const bound = volumes.get(volumeName);
        if (!bound) return [...checks, failing(`persistentvolume "${volumeName}" not found`)];
        checks.push(({ node }) => (node && volumeReachableFrom(bound, node) ? undefined : conflict));
        continue;
      }
      const storageClass = classes.get(claimClass(claim));
      if (storageClass?.volumeBindingMode !== 'WaitForFirstConsumer')
        return [...checks, failing(REASON_UNBOUND_IMMEDIATE)];
      if (storageClass.provisioner === NO_PROVISIONER) {
        const candidates = (available ??= volumes.list());
        checks.push(({ node }) => (findMatchingVolume(claim, candidates, node) ? undefined : noVolume));
      }
    }
    return checks;
  };
  return {
    ...filter('VolumeBinding', (pod) => {
      const checks = claimChecks(pod);
      return checks.length === 0 ? undefined : (node) => firstFailure(checks, node);
    }),
    dispose() {
      for (const unsubscribe of unsubscribes) unsubscribe();
    },
  };
}
