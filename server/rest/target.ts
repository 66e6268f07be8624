import type { KindDefinition } from '../../schema/kind.ts';
import { servedVersionOf, type ServedVersion } from '../conversion/served-versions.ts';
import { customVersionAt } from '../crd/served-schemas.ts';
import { kindAt } from './discovery.ts';
import { hasScale } from './scale.ts';

/** What a resource path names: a collection (no name), an object, or an object's subresource. */
export interface Target {
  /** The kind as stored: what the resource service reads and writes. */
  def: KindDefinition;
  /** Set when the path's version is not the stored one: what is read and written converts through it. */
  version?: ServedVersion;
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
  const served = kindAt(group, version, plural);
  if (!served) return undefined;
  const converted =
    servedVersionOf(served.apiVersion, served.kind) ??
    customVersionAt(served.apiVersion, served.kind)?.converted;
  const def = converted?.stored ?? served;
  const found = { def, ...(converted ? { version: converted } : {}), namespace, name };
  if (name !== undefined && def.namespaced && namespace === undefined) return undefined;
  if (subresource === undefined) return found;
  if (subresource === 'status' && def.hasStatus) return { ...found, subresource };
  if (subresource === 'scale' && hasScale(served, converted !== undefined)) return { ...found, subresource };
  return undefined;
}
