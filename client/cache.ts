import { matches, parseLabelSelector } from '../schema/label-selector.ts';
import type { Resource } from './types.ts';

/** The values an object is filed under in one index (an object may have several, or none). */
export type IndexFunc<T extends Resource = Resource> = (obj: T) => string[];

/** `namespace/name`, or `name` for a cluster-scoped object: the cache's (and a work queue's) key. */
export function keyOf(obj: Resource): string {
  const { namespace, name = '' } = obj.metadata;
  return namespace ? `${namespace}/${name}` : name;
}

/** The built-in indexes, with the same meaning as the server's of the same names. */
export const BUILTIN_INDEXERS = {
  /** Dependents by the uid of each owner (controller or not). */
  owner: (obj: Resource) => obj.metadata.ownerReferences?.map((ref) => ref.uid) ?? [],
  /** Pods by the node they are bound to. */
  node: (obj: Resource) => {
    const nodeName = (obj.spec as { nodeName?: unknown } | undefined)?.nodeName;
    return typeof nodeName === 'string' && nodeName ? [nodeName] : [];
  },
  namespace: (obj: Resource) => (obj.metadata.namespace ? [obj.metadata.namespace] : []),
} satisfies Record<string, IndexFunc>;

/**
 * Reads of an informer's cache. Every object returned is the one the watch delivered,
 * shared with every other reader and never changed afterwards (a change replaces it):
 * treat it as read-only, and copy it before building a modified version.
 */
export interface CacheReader<T extends Resource = Resource> {
  readonly size: number;
  get(key: string): T | undefined;
  keys(): string[];
  /** Every object, or those of one namespace. */
  list(namespace?: string): T[];
  /** Objects one of whose ownerReferences has this uid. */
  byOwner(uid: string): T[];
  /** Pods bound to this node. */
  byNode(nodeName: string): T[];
  /**
   * Objects whose labels match a selector in the list/watch syntax (`app=web,tier!=db`);
   * throws SelectorSyntaxError. A scan, not an index: fine for the sizes a cache holds.
   */
  byLabel(selector: string): T[];
  /** Objects filed under `value` in a built-in or added index; throws for an unknown index. */
  byIndex(index: string, value: string): T[];
  /** The values an index currently holds objects under. */
  indexValues(index: string): string[];
}

/**
 * An in-memory store of objects by key with secondary indexes kept in step on every
 * write. Only the informer writes to it; it never copies or changes the objects.
 */
export class IndexedCache<T extends Resource = Resource> implements CacheReader<T> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** index name → value → keys filed under it. */
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  /** key → index name → the values the key is filed under there. */
  private readonly filed = new Map<string, Map<string, string[]>>();

  /** @param onIndexError told when an index function throws; the object is left out of that index only. */
  constructor(
    private readonly onIndexError: (error: unknown, index: string, key: string) => void = () => {},
  ) {
    for (const [name, fn] of Object.entries(BUILTIN_INDEXERS)) this.addIndexer(name, fn);
  }

  get size(): number {
    return this.items.size;
  }

  /** Adds an index and files the objects already cached under it; names are unique. */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    if (this.indexers.has(name)) throw new Error(`index "${name}" already exists`);
    this.indexers.set(name, fn);
    this.indices.set(name, new Map());
    for (const [key, obj] of this.items) this.file(name, key, obj);
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  list(namespace?: string): T[] {
    return namespace === undefined ? [...this.items.values()] : this.byIndex('namespace', namespace);
  }

  byOwner(uid: string): T[] {
    return this.byIndex('owner', uid);
  }

  byNode(nodeName: string): T[] {
    return this.byIndex('node', nodeName);
  }

  byLabel(selector: string): T[] {
    const requirements = parseLabelSelector(selector);
    return [...this.items.values()].filter((obj) => matches(requirements, obj.metadata.labels));
  }

  byIndex(index: string, value: string): T[] {
    const keys = this.index(index).get(value);
    return keys ? [...keys].map((key) => this.items.get(key)!) : [];
  }

  indexValues(index: string): string[] {
    return [...this.index(index).keys()];
  }

  /** Stores the object under its key; returns the one it replaced. */
  set(obj: T): T | undefined {
    const key = keyOf(obj);
    const old = this.items.get(key);
    if (old) this.unfile(key);
    this.items.set(key, obj);
    for (const name of this.indexers.keys()) this.file(name, key, obj);
    return old;
  }

  /** Removes the key; returns the object it held. */
  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unfile(key);
    this.items.delete(key);
    return old;
  }

  private index(name: string): Map<string, Set<string>> {
    const index = this.indices.get(name);
    if (!index) throw new Error(`no index named "${name}"`);
    return index;
  }

  private file(name: string, key: string, obj: T): void {
    let values: string[];
    try {
      values = [...new Set(this.indexers.get(name)!(obj))];
    } catch (error) {
      this.onIndexError(error, name, key);
      return;
    }
    const index = this.indices.get(name)!;
    for (const value of values) {
      let keys = index.get(value);
      if (!keys) index.set(value, (keys = new Set()));
      keys.add(key);
    }
    let filed = this.filed.get(key);
    if (!filed) this.filed.set(key, (filed = new Map()));
    filed.set(name, values);
  }

  /**
   * Removes the key from every index under the values it was filed with, not recomputed
   * ones: an index function need not be pure for the indexes to stay exact.
   */
  private unfile(key: string): void {
    for (const [name, values] of this.filed.get(key) ?? []) {
      const index = this.indices.get(name)!;
      for (const value of values) {
        const keys = index.get(value)!;
        keys.delete(key);
        if (keys.size === 0) index.delete(value);
      }
    }
    this.filed.delete(key);
  }
}
