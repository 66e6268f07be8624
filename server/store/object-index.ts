import type { Resource } from '../../schema/kind.ts';

/** Names the values an object is found under in one secondary index. */
export type Indexer = (obj: Resource) => string[];

/**
 * The committed objects of the store with the lookups the API needs: by key, by kind
 * in key order (for paginated lists), by uid, and by named secondary indexes such as
 * owner uid or node name. Objects in here are never mutated; writes replace them.
 */
export class ObjectIndex {
  private readonly byKey = new Map<string, Resource>();
  private readonly byKind = new Map<string, Map<string, Resource>>();
  private readonly sortedKeys = new Map<string, string[]>();
  private readonly byUid = new Map<string, string>();
  private readonly secondary = new Map<string, Map<string, Set<string>>>();

  constructor(private readonly indexers: Record<string, Indexer>) {
    for (const name of Object.keys(indexers)) this.secondary.set(name, new Map());
  }

  get(key: string): Resource | undefined {
    return this.byKey.get(key);
  }

  keyOfUid(uid: string): string | undefined {
    return this.byUid.get(uid);
  }

  ofKind(kind: string): Map<string, Resource> {
    return this.byKind.get(kind) ?? new Map();
  }

  /** The kind's keys in sorted order; cached until an object of the kind comes or goes. */
  keysOfKind(kind: string): string[] {
    let keys = this.sortedKeys.get(kind);
    if (!keys) {
      keys = [...this.ofKind(kind).keys()].sort();
      this.sortedKeys.set(kind, keys);
    }
    return keys;
  }

  lookup(index: string, value: string): Resource[] {
    const keys = this.secondary.get(index)?.get(value);
    if (!keys) return [];
    return [...keys].map((key) => this.byKey.get(key)!);
  }

  set(key: string, obj: Resource): void {
    const old = this.byKey.get(key);
    if (old) this.unindex(key, old);
    else this.sortedKeys.delete(obj.kind);
    this.byKey.set(key, obj);
    let kindMap = this.byKind.get(obj.kind);
    if (!kindMap) this.byKind.set(obj.kind, (kindMap = new Map()));
    kindMap.set(key, obj);
    if (obj.metadata.uid) this.byUid.set(obj.metadata.uid, key);
    for (const [name, indexer] of Object.entries(this.indexers)) {
      const index = this.secondary.get(name)!;
      for (const value of indexer(obj)) {
        let keys = index.get(value);
        if (!keys) index.set(value, (keys = new Set()));
        keys.add(key);
      }
    }
  }

  remove(key: string): void {
    const old = this.byKey.get(key);
    if (!old) return;
    this.unindex(key, old);
    this.byKey.delete(key);
    this.byKind.get(old.kind)?.delete(key);
    this.sortedKeys.delete(old.kind);
  }

  private unindex(key: string, old: Resource): void {
    if (old.metadata.uid && this.byUid.get(old.metadata.uid) === key) this.byUid.delete(old.metadata.uid);
    for (const [name, indexer] of Object.entries(this.indexers)) {
      const index = this.secondary.get(name)!;
      for (const value of indexer(old)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }
}
