/**
 * Revisions of a pod template, as StatefulSet and DaemonSet name them. Kubernetes keeps
 * each revision in a ControllerRevision object and labels pods with
 * `controller-revision-hash`; this cluster has no ControllerRevision kind, so the hash
 * is computed from the template alone and old templates are remembered in memory
 * (RevisionHistory) for as long as the controller runs.
 */

/** The label carrying a pod's revision: `<owner>-<hash>` on StatefulSet pods, `<hash>` on DaemonSet pods. */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';

/** The alphabet of apimachinery's rand.SafeEncodeString: no vowels, no look-alike digits. */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** JSON with object keys sorted, so equal templates give equal text whatever their key order. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => stableStringify(item ?? null)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** FNV-1a, 32 bits, over the UTF-8 bytes of `text`. */
export function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * The revision hash of a pod template, in the form Kubernetes' hashes take: FNV-32a of
 * the template (and the collision count, when non-zero) encoded with SafeEncodeString,
 * e.g. `5d8b6b7f9c`.
 */
export function templateHash(template: unknown, collisionCount = 0): string {
  const text = stableStringify(template ?? null) + (collisionCount ? `/${collisionCount}` : '');
  return [...String(fnv32a(text))].map((digit) => SAFE_ALPHABET[digit.charCodeAt(0) % 27]).join('');
}

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
