import type { Infer, ObjectShape } from './shape.ts';
import type { ObjectMeta } from './kinds/meta.ts';

/**
 * What every stored object has, whatever its kind. `spec` and `status` are `unknown`
 * because their shape depends on the kind: narrow to the kind's own type, which has them
 * typed from its shape, with `isKind(obj, podKind)`, or as `Resource & Pod` where the
 * kind is known otherwise.
 */
export interface Resource {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
  [field: string]: unknown;
}

/**
 * Everything the API needs to know about one kind: its names (as kubectl spells them),
 * its scope and its shape. Each file under schema/kinds/ defines one.
 */
export interface KindDefinition<T extends Resource = Resource> {
  kind: string;
  /** "v1" or "group/v1", as in manifests. */
  apiVersion: string;
  plural: string;
  shortNames: string[];
  namespaced: boolean;
  shape: ObjectShape<T>;
  description: string;
  /**
   * Fields a fieldSelector may name beyond metadata.name and metadata.namespace,
   * mapped to how to read them (Kubernetes supports a per-kind list, not any path).
   */
  fieldSelectors?: Record<string, (obj: T) => string | undefined>;
  /** Whether writes to `status` go only through the status subresource. */
  hasStatus: boolean;
  /** Groups of resources the kind belongs to beyond Kubernetes' own (a custom resource's `categories`). */
  categories?: string[];
  /**
   * A custom resource's: fields its schema does not know are pruned when a write does not
   * say what to do with them, as Kubernetes prunes them, instead of refused.
   */
  pruneUnknownFields?: boolean;
}

/** Narrows an object to its kind's type by its `kind`, e.g. `isKind(obj, podKind)`. */
export function isKind<T extends Resource>(obj: Resource, def: KindDefinition<T>): obj is T {
  return obj.kind === def.kind;
}

export function defineKind<S extends ObjectShape>(
  definition: Omit<KindDefinition<Infer<S> & Resource>, 'shape' | 'hasStatus'> & { shape: S },
): KindDefinition<Infer<S> & Resource> {
  return { ...definition, hasStatus: 'status' in definition.shape.fields } as KindDefinition<
    Infer<S> & Resource
  >;
}
