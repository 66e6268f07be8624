import type { KindDefinition } from '../kind.ts';

/**
 * Kinds served while the server runs: the custom resources of established
 * CustomResourceDefinitions, each at its storage version. The server keeps them current;
 * lookups consult them after the static kinds, and caches built from the served kinds
 * (discovery, OpenAPI, the GraphQL schema) rebuild when `generation` moves.
 *
 * A changed definition is served anew at once (validation, pruning, defaults, discovery,
 * OpenAPI, REST), but GraphQL keeps the types of the first definition it served under
 * that kind: Pothos refuses a second type of one name and resolves a type's fields once
 * per builder, and every kind is registered on the API's one builder. New types would
 * need the whole API built again on a fresh builder at each change, with registerKind and
 * the shape types taking the builder they register on. Meanwhile `apply` and every
 * object's `manifest` field carry what the new schema added.
 */
const dynamic = new Map<string, KindDefinition>();
const listeners = new Set<() => void>();
let generation = 0;

export function dynamicKind(kind: string): KindDefinition | undefined {
  return dynamic.get(kind);
}

export function dynamicKinds(): KindDefinition[] {
  return [...dynamic.values()];
}

/** Counts changes of the dynamic kinds: a cache built at one generation is stale at another. */
export function dynamicKindsGeneration(): number {
  return generation;
}

/** Serves `def` (replacing the kind of that name), or stops serving `kind` when `def` is undefined. */
export function setDynamicKind(kind: string, def: KindDefinition | undefined): void {
  if (def) dynamic.set(kind, def);
  else if (!dynamic.delete(kind)) return;
  generation++;
  for (const listener of listeners) listener();
}

/** Calls `listener` after each change; returns what stops it. */
export function onDynamicKindsChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
