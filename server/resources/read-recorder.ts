import type { Filter } from './filter.ts';

/**
 * Told by ResourceService what an execution reads (ResourceService.recording): what a live
 * query's result depends on, so that only the writes that touch it make it run again.
 * Reads of absent objects count too: their creation changes the answer.
 */
export interface ReadRecorder {
  /** One object by its store key (`Kind/namespace/name`). */
  object(key: string): void;
  /** One object by uid (owner references). */
  uid(uid: string): void;
  /** The objects of a kind that a filter (namespace, selectors) lets through. */
  list(kind: string, filter: Filter): void;
  /** The objects under a secondary index value (edges: owner, node, involved object). */
  lookup(index: string, value: string, kind: string | undefined): void;
}
