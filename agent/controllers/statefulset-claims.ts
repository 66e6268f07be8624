import { isCode, messageOf, type Informer, type Resource } from '../../client/index.ts';
import type { PodObject } from '../objects.ts';
import type { ClaimObject } from './persistent-volume/storage-objects.ts';
import type { ControllerContext } from './controller.ts';
import { newControllerRef, type OwnerReference } from './controller-ref.ts';
import { claimName, ordinalOf, type StatefulSetObject } from './statefulset-names.ts';

/**
 * The claims of a StatefulSet's pods, as Kubernetes' StatefulPodControl keeps them: each
 * pod's `<template>-<set>-<ordinal>` claims exist before the pod is created (labelled
 * with the template's labels and the set's selector labels), and their owners follow
 * the set's persistentVolumeClaimRetentionPolicy — whenDeleted: Delete makes the set
 * their owner, so the garbage collector removes them with it; whenScaled: Delete makes a
 * pod beyond the set's replicas their owner before it is deleted, so they go with it.
 * Retain (the default of both) leaves them: a pod recreated later finds its data again.
 */
export class StatefulSetClaims {
  constructor(
    private readonly ctx: ControllerContext,
    private readonly claims: Informer<ClaimObject>,
  ) {}

  /**
   * Makes the pod's missing claims and sets the owners of the existing ones. Records
   * SuccessfulCreate / FailedCreate on the set; throws when a claim cannot be made or is
   * being deleted (the pod is not to be created before it is back).
   */
  async ensureFor(set: StatefulSetObject, pod: PodObject): Promise<void> {
    const ordinal = ordinalOf(set.metadata.name!, pod.metadata.name);
    if (ordinal === undefined) return;
    for (const template of set.spec?.volumeClaimTemplates ?? []) {
      const name = claimName(set, template.metadata?.name ?? '', ordinal);
      const existing = this.claims.get(`${set.metadata.namespace}/${name}`);
      if (existing?.metadata.deletionTimestamp) throw new Error(`pvc ${name} is being deleted`);
      if (existing) {
        await this.setOwners(existing, this.owners(set, existing.metadata.ownerReferences));
        continue;
      }
      const claim: ClaimObject = {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: {
          name,
          namespace: set.metadata.namespace,
          labels: { ...template.metadata?.labels, ...set.spec?.selector?.matchLabels },
          ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}),
          ...(this.retention(set).whenDeleted === 'Delete'
            ? { ownerReferences: [newControllerRef(set)] }
            : {}),
        },
        spec: structuredClone(template.spec),
      };
      const what = `Claim ${name} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name}`;
      try {
        await this.ctx.writer.create(claim);
        this.ctx.events.record(set, 'Normal', 'SuccessfulCreate', `create ${what} success`);
      } catch (error) {
        if (isCode(error, 'ALREADY_EXISTS')) continue;
        this.ctx.events.record(
          set,
          'Warning',
          'FailedCreate',
          `create ${what} failed error: ${messageOf(error)}`,
        );
        throw error;
      }
    }
  }

  /**
   * With whenScaled: Delete, hands the claims of a pod beyond the replicas to that pod
   * (and no longer to the set), before the pod is deleted; other pods: nothing.
   */
  async condemn(set: StatefulSetObject, pod: PodObject): Promise<void> {
    if (this.retention(set).whenScaled !== 'Delete') return;
    const ordinal = ordinalOf(set.metadata.name!, pod.metadata.name);
    const start = set.spec?.ordinals?.start ?? 0;
    const inRange = ordinal !== undefined && ordinal >= start && ordinal < start + (set.spec?.replicas ?? 1);
    if (ordinal === undefined || inRange) return;
    const podRef: OwnerReference = {
      apiVersion: 'v1',
      kind: 'Pod',
      name: pod.metadata.name!,
      uid: pod.metadata.uid!,
    };
    for (const template of set.spec?.volumeClaimTemplates ?? []) {
      const name = claimName(set, template.metadata?.name ?? '', ordinal);
      const claim = this.claims.get(`${set.metadata.namespace}/${name}`);
      if (!claim || claim.metadata.deletionTimestamp) continue;
      const others = (claim.metadata.ownerReferences ?? []).filter(
        (ref) => ref.uid !== set.metadata.uid && ref.uid !== podRef.uid,
      );
      await this.setOwners(claim, [...others, podRef]);
    }
  }

  private retention(set: StatefulSetObject): { whenDeleted?: string; whenScaled?: string } {
    return set.spec?.persistentVolumeClaimRetentionPolicy ?? {};
  }

  /**
   * A member claim's owners as the policy wants them for a pod in range: the set (or
   * not) by whenDeleted, and no pod (a pod owner is left from a scale-down, and the
   * claim is wanted again).
   */
  private owners(set: StatefulSetObject, refs: OwnerReference[] = []): OwnerReference[] {
    const others = refs.filter((ref) => ref.kind !== 'Pod' && ref.uid !== set.metadata.uid);
    return this.retention(set).whenDeleted === 'Delete' ? [...others, newControllerRef(set)] : others;
  }

  private async setOwners(claim: Resource, ownerReferences: OwnerReference[]): Promise<void> {
    const current = claim.metadata.ownerReferences ?? [];
    if (JSON.stringify(current) === JSON.stringify(ownerReferences)) return;
    await this.ctx.writer.replace({ ...claim, metadata: { ...claim.metadata, ownerReferences } });
  }
}
