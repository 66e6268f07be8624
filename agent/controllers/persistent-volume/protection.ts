import { isCode, type Informer, type Resource } from '../../../client/index.ts';
import type { PodObject } from '../../objects.ts';
import { ReconcilingController, type ControllerContext, type ControllerFactory } from '../controller.ts';
import { claimsOf, podUsesClaim } from './claim-users.ts';
import {
  CLAIM_KEY,
  claimKey,
  PV_PROTECTION,
  PVC_PROTECTION,
  VOLUME_KEY,
  type ClaimObject,
  type VolumeObject,
} from './storage-objects.ts';

/**
 * Kubernetes' pvc-protection and pv-protection controllers in one loop (keys
 * `claim:<namespace>/<name>` and `volume:<name>`): every claim carries the
 * `kubernetes.io/pvc-protection` finalizer and every volume `kubernetes.io/pv-protection`,
 * so deleting one only marks it. A claim's finalizer is removed once no pod that may
 * still run mounts it (confirmed with the API, not only the cache, as Kubernetes does);
 * a volume's once it is no longer Bound to a claim.
 *
 * Contract: idempotent; each write replaces the object at its cached resourceVersion,
 * so a stale cache costs a CONFLICT and a retry; an object gone meanwhile is success.
 */
export class StorageProtectionController extends ReconcilingController {
  private readonly claims: Informer<ClaimObject>;
  private readonly volumes: Informer<VolumeObject>;
  private readonly pods: Informer<PodObject>;

  constructor(ctx: ControllerContext) {
    super('storage-protection', ctx);
    this.claims = ctx.informers.get<ClaimObject>('PersistentVolumeClaim');
    this.volumes = ctx.informers.get<VolumeObject>('PersistentVolume');
    this.pods = ctx.informers.get<PodObject>('Pod');
  }

  /**
   * Adds the protection finalizer to the claim or volume under `key`, or, when it is
   * being deleted and nothing uses it, removes it. Idempotent; a failed write throws and
   * the key is retried; an object gone is done.
   */
  async reconcile(key: string): Promise<void> {
    if (key.startsWith(VOLUME_KEY)) {
      const volume = this.volumes.get(key.slice(VOLUME_KEY.length));
      if (volume)
        await this.protect(volume, PV_PROTECTION, () => Promise.resolve(volume.status?.phase === 'Bound'));
      return;
    }
    const claim = this.claims.get(key.slice(CLAIM_KEY.length));
    if (claim) await this.protect(claim, PVC_PROTECTION, () => this.claimInUse(claim));
  }

  protected register(): void {
    const enqueueClaim = (claim: Resource) =>
      this.loop.enqueue(CLAIM_KEY + claimKey(claim.metadata.namespace, claim.metadata.name));
    const enqueueVolume = (volume: Resource) => this.loop.enqueue(VOLUME_KEY + volume.metadata.name);
    this.watch(this.claims, { onAdd: enqueueClaim, onUpdate: (_old, claim) => enqueueClaim(claim) });
    this.watch(this.volumes, { onAdd: enqueueVolume, onUpdate: (_old, volume) => enqueueVolume(volume) });
    // A pod that finishes or goes may free the claims being deleted.
    const onPod = (pod: PodObject) => {
      for (const key of claimsOf(pod))
        if (this.claims.get(key)?.metadata.deletionTimestamp) this.loop.enqueue(CLAIM_KEY + key);
    };
    this.watch(this.pods, { onUpdate: (_old, pod) => onPod(pod), onDelete: onPod });
  }

  /** Adds the finalizer to a live object; takes it off one being deleted once `inUse` says nothing holds it. */
  private async protect(obj: Resource, finalizer: string, inUse: () => Promise<boolean>): Promise<void> {
    const finalizers = obj.metadata.finalizers ?? [];
    const has = finalizers.includes(finalizer);
    if (!obj.metadata.deletionTimestamp) {
      if (!has) await this.setFinalizers(obj, [...finalizers, finalizer]);
      return;
    }
    if (has && !(await inUse()))
      await this.setFinalizers(
        obj,
        finalizers.filter((f) => f !== finalizer),
      );
  }

  private async claimInUse(claim: ClaimObject): Promise<boolean> {
    const key = claimKey(claim.metadata.namespace, claim.metadata.name);
    if (this.pods.list(claim.metadata.namespace).some((pod) => podUsesClaim(pod, key))) return true;
    // The cache may not have a pod made a moment ago: ask the API before letting the claim go.
    const { items } = await this.ctx.client.listAll<PodObject>('Pod', {
      namespace: claim.metadata.namespace,
    });
    return items.some((pod) => podUsesClaim(pod, key));
  }

  private async setFinalizers(obj: Resource, finalizers: string[]): Promise<void> {
    try {
      await this.ctx.writer.replace({ ...obj, metadata: { ...obj.metadata, finalizers } });
    } catch (error) {
      if (!isCode(error, 'NOT_FOUND')) throw error;
    }
  }
}

export const storageProtectionController: ControllerFactory = (ctx) => new StorageProtectionController(ctx);
