import { selectorMatches } from '../../../schema/label-selector.ts';
import { parseQuantity } from '../../../schema/quantity.ts';
import { matchesNodeSelectorTerm } from '../../node-eligibility.ts';
import type { NodeObject } from '../../objects.ts';
import { claimClass, type ClaimObject, type VolumeObject } from './storage-objects.ts';

/** Bytes of a `{ storage: "10Gi" }` list; 0 when absent or unreadable. */
export function storageOf(resources: Record<string, string | number> | undefined): number {
  const value = resources?.storage;
  return value === undefined ? 0 : (parseQuantity(value) ?? 0);
}

/** Whether the volume can be reached from the node: it has no node affinity, or a term of it matches. */
export function volumeReachableFrom(volume: VolumeObject, node: NodeObject): boolean {
  const terms = volume.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  // The PersistentVolume shape types operators as plain strings; the matcher knows the valid ones.
  type Term = Parameters<typeof matchesNodeSelectorTerm>[0];
  return !terms || terms.some((term) => matchesNodeSelectorTerm(term as Term, node));
}

/** A volume made by hand for exactly this claim (its claimRef names the claim, with no uid or the claim's). */
function preBoundTo(volume: VolumeObject, claim: ClaimObject): boolean {
  const ref = volume.spec?.claimRef;
  return (
    ref?.name === claim.metadata.name &&
    (ref?.namespace ?? 'default') === claim.metadata.namespace &&
    (!ref?.uid || ref.uid === claim.metadata.uid)
  );
}

/**
 * Whether the volume satisfies the claim, as Kubernetes' findMatchingVolume checks it:
 * same StorageClass ("" matching ""), every access mode asked for, the same volume mode,
 * at least the storage requested, the claim's selector matching the volume's labels, and
 * (when a node is given, for a claim whose binding waited for its pod) reachable from that node.
 */
export function volumeSatisfies(volume: VolumeObject, claim: ClaimObject, node?: NodeObject): boolean {
  const spec = volume.spec;
  if (!spec || volume.metadata.deletionTimestamp) return false;
  if ((spec.storageClassName ?? '') !== claimClass(claim)) return false;
  const modes = spec.accessModes ?? [];
  if (!(claim.spec?.accessModes ?? []).every((mode) => modes.includes(mode))) return false;
  if ((spec.volumeMode ?? 'Filesystem') !== (claim.spec?.volumeMode ?? 'Filesystem')) return false;
  if (storageOf(spec.capacity) < storageOf(claim.spec?.resources?.requests)) return false;
  if (claim.spec?.selector && !selectorMatches(claim.spec.selector, volume.metadata.labels)) return false;
  return !node || volumeReachableFrom(volume, node);
}

/**
 * The volume to bind a claim to: one pre-bound to it if that fits, else the smallest
 * free volume that satisfies it (so a 1Gi claim does not take the 100Gi volume a
 * later claim needs). A volume whose claimRef names another claim is never taken.
 */
export function findMatchingVolume(
  claim: ClaimObject,
  volumes: Iterable<VolumeObject>,
  node?: NodeObject,
): VolumeObject | undefined {
  let best: VolumeObject | undefined;
  for (const volume of volumes) {
    const ref = volume.spec?.claimRef;
    if (ref && !preBoundTo(volume, claim)) continue;
    if (!volumeSatisfies(volume, claim, node)) continue;
    if (ref) return volume;
    if (!best || storageOf(volume.spec?.capacity) < storageOf(best.spec?.capacity)) best = volume;
  }
  return best;
}
