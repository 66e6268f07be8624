import type { PodObject } from '../../objects.ts';
import { isPodFinished } from '../../pod-state.ts';
import { claimKey } from './storage-objects.ts';

/** The keys (`namespace/name`) of the claims a pod mounts. */
export function claimsOf(pod: PodObject): string[] {
  const keys: string[] = [];
  for (const volume of pod.spec?.volumes ?? []) {
    const name = volume.persistentVolumeClaim?.claimName;
    if (name) keys.push(claimKey(pod.metadata.namespace, name));
  }
  return keys;
}

/** Whether the pod mounts the claim and may still run (a finished pod uses nothing). */
export function podUsesClaim(pod: PodObject, key: string): boolean {
  return !isPodFinished(pod) && claimsOf(pod).includes(key);
}
