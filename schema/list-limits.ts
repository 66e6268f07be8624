/**
 * How many objects one list answer holds: part of the API contract, so that no client
 * can make the server build an answer as big as the cluster. Every list query
 * (`pods(namespace, labelSelector, fieldSelector, limit, continue)` and the same for
 * every kind) answers at most `limit` objects plus a `continue` token for the rest.
 *
 * The server applies them (server/graphql/kind-api.ts), the SDK's listAll and kq's
 * `--chunk-size` page by the default, and the query cost limit counts a list as this
 * many objects: all read them from here.
 */

/** A list without `limit` answers at most this many: kubectl's and client-go's chunk size. */
export const DEFAULT_LIST_LIMIT = 500;

/** A larger `limit` is clamped to this: ten default pages, a few megabytes of Pods. */
export const MAX_LIST_LIMIT = 5000;

/**
 * The page size a list is read with for the `limit` a client asked for: the default when
 * it gave none (0 and below included: Kubernetes reads them as "no limit", which is what
 * the bound exists to refuse), and never more than the maximum.
 */
export function pageSize(limit: number | null | undefined): number {
  if (limit == null || !Number.isFinite(limit) || limit <= 0) return DEFAULT_LIST_LIMIT;
  return Math.min(Math.floor(limit), MAX_LIST_LIMIT);
}
