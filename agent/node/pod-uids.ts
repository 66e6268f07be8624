/**
 * Every pod uid the agent has seen per pod key (`namespace/name`), from the API and from
 * the runtime: a key may have had several incarnations (deleted and created again under
 * the same name, or deleted while the agent was away), and whatever the runtime still
 * runs of the stale ones must be cleaned up by that key's pod worker. The reverse map
 * turns the runtime's change notices (by uid) into the key whose worker to wake.
 */
export class PodUids {
  private readonly uids = new Map<string, Set<string>>();
  private readonly keyOfUid = new Map<string, string>();

  remember(key: string, uid: string): void {
    let uids = this.uids.get(key);
    if (!uids) this.uids.set(key, (uids = new Set()));
    uids.add(uid);
    this.keyOfUid.set(uid, key);
  }

  forget(key: string, uid: string): void {
    const uids = this.uids.get(key);
    uids?.delete(uid);
    if (uids?.size === 0) this.uids.delete(key);
    this.keyOfUid.delete(uid);
  }

  /** The uids known for the key (live: one remembered while iterating is visited too). */
  of(key: string): Iterable<string> {
    return this.uids.get(key) ?? [];
  }

  /** The key a uid was seen under. */
  keyOf(uid: string): string | undefined {
    return this.keyOfUid.get(uid);
  }

  /** Every key with a uid known. */
  keys(): IterableIterator<string> {
    return this.uids.keys();
  }
}
