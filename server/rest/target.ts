import type { KindDefinition } from '../../schema/kind.ts';
import { kindAt } from './discovery.ts';
import { SCALABLE_KINDS } from './scale.ts';

/** What a resource path names: a collection (no name), an object, or an object's subresource. */
export interface Target {
  def: KindDefinition;
  /** Set on namespaced paths; a namespaced kind's collection without it spans every namespace. */
  namespace?: string;
  name?: string;
  subresource?: 'status' | 'scale';
}

/**
 * The target of a path under /api/{version} or /apis/{group}/{version} (`rest` is what
 * follows), or undefined when nothing is served there:
 * `[namespaces/{ns}/]{plural}[/{name}[/{subresource}]]`, where the namespace prefix is
 * for namespaced kinds, and required for their objects.
 */
export function targetOf(group: string, version: string, rest: readonly string[]): Target | undefined {
  let namespace: string | undefined;
  let tail = rest;
  if (rest[0] === 'namespaces' && rest.length >= 3 && kindAt(group, version, rest[2])?.namespaced) {
    namespace = rest[1];
    tail = rest.slice(2);
  }
  if (tail.length > 3) return undefined;
  const [plural, name, subresource] = tail;
  const def = kindAt(group, version, plural);
  if (!def) return undefined;
  if (name !== undefined && def.namespaced && namespace === undefined) return undefined;
  if (subresource === undefined) return { def, namespace, name };
  if (subresource === 'status' && def.hasStatus) return { def, namespace, name, subresource };
  if (subresource === 'scale' && SCALABLE_KINDS.has(def.kind)) return { def, namespace, name, subresource };
  return undefined;
}
