/**
 * Revisions of a pod template, as StatefulSet and DaemonSet name them. Kubernetes keeps
 * each revision in a ControllerRevision object and labels pods with
 * `controller-revision-hash`; this cluster has no ControllerRevision kind, so the hash
 * is the template's (templateHash) and old templates are remembered in memory
 * (RevisionHistory) for as long as the controller runs.
 */

/** The label carrying a pod's revision: `<owner>-<hash>` on StatefulSet pods, `<hash>` on DaemonSet pods. */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';

/** A ControllerRevision's name: `<owner>-<hash>`. */
export function revisionName(owner: string, hash: string): string {
  return `${owner}-${hash}`;
}

/**
 * The templates of the revisions seen per owner, newest last, at most `limit` + the
 * ones pinned by the caller: the stand-in for ControllerRevision objects, lost when the
 * process restarts.
 */
export class RevisionHistory<T = unknown> {
  private readonly byOwner = new Map<string, Map<string, T>>();

  record(owner: string, revision: string, template: T, limit = 10, keep: string[] = []): void {
    let revisions = this.byOwner.get(owner);
    if (!revisions) this.byOwner.set(owner, (revisions = new Map()));
    revisions.delete(revision);
    revisions.set(revision, template);
    for (const name of revisions.keys()) {
      if (revisions.size <= Math.max(limit, 0) + keep.length + 1) break;
      if (name !== revision && !keep.includes(name)) revisions.delete(name);
    }
  }

  get(owner: string, revision: string): T | undefined {
    return this.byOwner.get(owner)?.get(revision);
  }

  forget(owner: string): void {
    this.byOwner.delete(owner);
  }
}
