import type { Resource } from '../../schema/kind.ts';
import { kindByName } from '../../schema/kinds/index.ts';
import { ApiError } from '../errors.ts';

/**
 * The `id` of an API object (Relay's Global Object Identification): base64url of
 * `<kind>:<metadata.uid>`, opaque to clients.
 *
 * The uid, not `<kind>/<namespace>/<name>`: a client cache keys objects by id, and the
 * uid is what Kubernetes means by "the same object". It stays the same through every
 * update (so a cached object follows its writes and watch events), and an object deleted
 * and created again under the same name gets a new one (so the cache does not merge a
 * new object's fields into the old one's). The kind rides along so that an id names its
 * type without a lookup and ids of different kinds can never be equal.
 */
export function globalId(kind: string, uid: string): string {
  return Buffer.from(`${kind}:${uid}`).toString('base64url');
}

/**
 * The id of an object as the API serves it. A watch's BOOKMARK carries an object with
 * only metadata and no uid: its id is its kind's alone, one per kind, which no stored
 * object has (every one has a uid) and which each bookmark overwrites in a client cache
 * instead of adding an entry per revision.
 */
export function idOf(obj: Resource): string {
  return globalId(obj.kind, obj.metadata.uid ?? '');
}

/** What an id names. Throws BAD_REQUEST for a string this API never gave out as an id. */
export function parseGlobalId(id: string): { kind: string; uid: string } {
  const text = Buffer.from(id, 'base64url').toString('utf8');
  const colon = text.indexOf(':');
  const kind = text.slice(0, colon);
  // Node's base64url decoder skips what is not base64url: only an id that encodes back to itself is one.
  if (colon < 0 || globalId(kind, text.slice(colon + 1)) !== id || !kindByName(kind)) {
    throw new ApiError(
      'BAD_REQUEST',
      `malformed object id ${JSON.stringify(id.slice(0, 100))}: use the \`id\` field of an object this API returned`,
    );
  }
  return { kind, uid: text.slice(colon + 1) };
}
