import type { PodObject } from '../../objects.ts';

/**
 * The last states of Jobs' deleted pods, from the informer's delete events, by the
 * Job's key, until a pass has counted them: a pod deleted between two passes is then
 * still counted (succeeded, or failed when it had not).
 */
export class DeletedPods {
  private readonly byOwner = new Map<string, Map<string, PodObject>>();

  add(owner: string, pod: PodObject): void {
    if (!pod.metadata.uid) return;
    let deleted = this.byOwner.get(owner);
    if (!deleted) this.byOwner.set(owner, (deleted = new Map()));
    deleted.set(pod.metadata.uid, pod);
  }

  of(owner: string): PodObject[] {
    return [...(this.byOwner.get(owner)?.values() ?? [])];
  }

  /** The pod has been counted: forget it. */
  drop(owner: string, uid: string): void {
    const deleted = this.byOwner.get(owner);
    deleted?.delete(uid);
    if (deleted?.size === 0) this.byOwner.delete(owner);
  }

  forget(owner: string): void {
    this.byOwner.delete(owner);
  }
}
