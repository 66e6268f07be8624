import type { KindDefinition, Resource } from '../../schema/kind.ts';
import { ApiError } from '../errors.ts';
import { objectKey, type Store } from '../store/store.ts';
import { compileFilter, type Selection } from './filter.ts';

export interface ListOptions extends Selection {
  /**
   * The most items to return. Left out, every match: only for the server's own readers
   * (edges, metrics). A client's list always has one, bounded by schema/list-limits.ts
   * where the API receives it (kind-api.ts).
   */
  limit?: number;
  continue?: string;
}

export interface ListResult {
  items: Resource[];
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
}

interface ContinueToken {
  /** The revision every page of this list is read at. */
  rv: number;
  /** The last key returned; the next page starts after it. */
  key: string;
}

/**
 * A list, paginated as Kubernetes paginates: every page is read at the revision of the
 * first page, so an object changed between pages is seen as it was, and a token whose
 * revision has been compacted away answers EXPIRED.
 */
export function list(store: Store, def: KindDefinition, options: ListOptions): ListResult {
  const filter = compileFilter(def, options);
  const token = options.continue ? decodeToken(options.continue) : undefined;
  const revision = token?.rv ?? store.revision;
  let entries;
  try {
    entries = store.snapshot(def.kind, revision);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'EXPIRED' && token) {
      throw new ApiError(
        'EXPIRED',
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
      );
    }
    throw error;
  }
  const prefix =
    def.namespaced && options.namespace !== undefined
      ? objectKey(def.kind, options.namespace, '')
      : `${def.kind}/`;
  const start = lowerBound(entries, token && token.key >= prefix ? token.key + '\0' : prefix);
  const end = lowerBound(
    entries,
    prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1),
  );
  const limit = options.limit && options.limit > 0 ? options.limit : Infinity;
  const items: Resource[] = [];
  let lastKey = '';
  let i = start;
  for (; i < end && items.length < limit; i++) {
    const [key, obj] = entries[i];
    if (!filter(obj)) continue;
    items.push(obj);
    lastKey = key;
  }
  let more = false;
  for (let j = i; j < end && !more; j++) more = filter(entries[j][1]);
  const selective = Boolean(options.labelSelector || options.fieldSelector);
  return {
    items,
    metadata: {
      resourceVersion: String(revision),
      ...(more ? { continue: encodeToken({ rv: revision, key: lastKey }) } : {}),
      ...(more && !selective ? { remainingItemCount: end - i } : {}),
    },
  };
}

export function get(
  store: Store,
  def: KindDefinition,
  namespace: string | undefined,
  name: string,
): Resource | undefined {
  return store.get(objectKey(def.kind, def.namespaced ? namespace : undefined, name));
}

function lowerBound(entries: Array<[string, Resource]>, key: string): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid][0] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function encodeToken(token: ContinueToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeToken(text: string): ContinueToken {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as ContinueToken;
    if (Number.isSafeInteger(token.rv) && typeof token.key === 'string') return token;
  } catch {
    // fall through to the error below
  }
  throw new ApiError('BAD_REQUEST', 'continue key is not valid');
}
