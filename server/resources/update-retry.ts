import type { KindDefinition, Resource } from '../../schema/kind.ts';
import { ApiError, notFound } from '../errors.ts';
import type { ResourceService } from './service.ts';

/** How often a read-modify-write meets a concurrent write before it gives up (client-go retries 5 times). */
const ATTEMPTS = 5;

export interface RetriedUpdate {
  /** The object as stored after the update (or as read, when nothing was written). */
  object: Resource;
  written: boolean;
}

/**
 * Read, modify, replace at the version read, as client-go's RetryOnConflict: `change`
 * edits a copy of the current object (and may throw to refuse); the replace carries
 * the resourceVersion it was read at, so a write in between makes it a CONFLICT, and
 * the whole step runs again against the newer object. `change` returns false to leave
 * the object as it is, with nothing written. With `subresource: 'status'` only the status
 * is written, through the status subresource, at the version read as well.
 */
export async function updateWithRetry(
  resources: ResourceService,
  def: KindDefinition,
  namespace: string,
  name: string,
  change: (obj: Resource) => boolean | void,
  subresource?: 'status',
): Promise<RetriedUpdate> {
  for (let attempt = 1; ; attempt++) {
    const current = resources.get(def, namespace, name);
    if (!current) throw notFound(def.plural, name);
    const next = structuredClone(current);
    if (change(next) === false) return { object: current, written: false };
    try {
      const stored =
        subresource === 'status'
          ? await resources.updateStatus(def, namespace, name, next.status, current.metadata.resourceVersion)
          : await resources.replace(def, namespace, name, next);
      return { object: stored ?? next, written: true };
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'CONFLICT') || attempt >= ATTEMPTS) throw error;
    }
  }
}
