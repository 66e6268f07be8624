import { isKind } from '../schema/kind.ts';
import { podKind } from '../schema/kinds/pod.ts';
import type { Indexer } from './store/object-index.ts';

/** The secondary indexes the API's edges and the controllers' lookups are answered from. */
export const INDEXERS: Record<string, Indexer> = {
  /** Dependents by their owners' uids (Deployment → ReplicaSets → Pods, garbage collection). */
  owner: (obj) => obj.metadata.ownerReferences?.map((ref) => ref.uid) ?? [],
  /** Pods by the node they are bound to (node agents, Node.pods). */
  node: (obj) => (isKind(obj, podKind) && obj.spec?.nodeName ? [obj.spec.nodeName] : []),
  /** Events by the uid of the object they are about (`events` of every object). */
  involved: (obj) => {
    const uid = obj.kind === 'Event' ? (obj.involvedObject as { uid?: string } | undefined)?.uid : undefined;
    return uid ? [uid] : [];
  },
};
