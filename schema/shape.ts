/**
 * The one description of every resource's structure. From a shape we derive the
 * GraphQL object and input types (shape-types.ts), the strict structural check that
 * admission runs on every manifest (shape-check.ts) and the TypeScript types the
 * server uses (`Infer`). Keeping all three in one place is what stops a field from
 * existing in the API but not in validation, or the other way round.
 */

export type ScalarName =
  'String' | 'Int' | 'Float' | 'Boolean' | 'Quantity' | 'IntOrString' | 'StringMap' | 'ResourceList' | 'JSON';

interface Base {
  description?: string;
  required?: boolean;
  /**
   * On every object the server stores, though a manifest may leave it out (metadata.uid,
   * a pod's status.phase): non-null when read, optional when written.
   */
  alwaysSet?: boolean;
}

export interface ScalarShape<T = unknown> extends Base {
  t: 'scalar';
  scalar: ScalarName;
  /** Allowed values of a string enum; the value itself is stored and sent as the string. */
  oneOf?: readonly string[];
  /** The GraphQL enum a string enum is, named as Kubernetes' Go type is (PodPhase, Protocol). */
  enum?: string;
  /** Phantom field carrying the TypeScript type; never set at runtime. */
  __type?: T;
}

export interface ListShape<T = unknown> extends Base {
  t: 'list';
  /** Items are scalars or objects: GraphQL types built from shapes have no lists of lists. */
  of: ItemShape<T>;
  /**
   * For lists of objects that patches merge item by item (Kubernetes' `patchMergeKey`, e.g.
   * containers by `name`): the field identifying an item. Without it a patch replaces the list.
   */
  mergeKey?: string;
  /** The fields that together identify an item (`x-kubernetes-list-map-keys`); `[mergeKey]` when unset. */
  mapKeys?: readonly string[];
}

export interface ObjectShape<T = unknown> extends Base {
  t: 'object';
  name: string;
  fields: Record<string, Shape>;
  __type?: T;
}

export type Shape<T = unknown> = ScalarShape<T> | ListShape<T> | ObjectShape<T>;

/** What a list holds. */
export type ItemShape<T = unknown> = ScalarShape<T> | ObjectShape<T>;

export type Infer<S> =
  S extends ScalarShape<infer T>
    ? T
    : S extends ListShape<infer T>
      ? T[]
      : S extends ObjectShape<infer T>
        ? T
        : never;

type FieldsOf<F extends Record<string, Shape>> = {
  -readonly [K in keyof F as F[K] extends { required: true } ? K : never]: Infer<F[K]>;
} & {
  -readonly [K in keyof F as F[K] extends { required: true } ? never : K]?: Infer<F[K]>;
};

type Flatten<T> = { [K in keyof T]: T[K] };

function scalar<T>(name: ScalarName) {
  return (description?: string): ScalarShape<T> => ({ t: 'scalar', scalar: name, description });
}

export const s = {
  string: scalar<string>('String'),
  int: scalar<number>('Int'),
  float: scalar<number>('Float'),
  bool: scalar<boolean>('Boolean'),
  /** A resource quantity ("500m", "128Mi", 2): the original text is kept. */
  quantity: scalar<string | number>('Quantity'),
  /** An int or a string such as a port name or "25%". */
  intOrString: scalar<number | string>('IntOrString'),
  /** A string-to-string map: labels, annotations, selectors, ConfigMap data. */
  map: scalar<Record<string, string>>('StringMap'),
  /** Resource name to quantity (`{ cpu: "500m", memory: 128Mi }`), as limits, requests and capacity are. */
  resources: scalar<Record<string, string | number>>('ResourceList'),
  /** Free-form JSON, used only where Kubernetes itself is schemaless. */
  json: scalar<unknown>('JSON'),
  /**
   * One of a set of strings, as Kubernetes' enums are: a GraphQL enum named `name`. An
   * absent enum that must be read (a bookmark's) reads as its first value.
   */
  enum<const V extends string>(name: string, values: readonly V[], description?: string): ScalarShape<V> {
    return { t: 'scalar', scalar: 'String', enum: name, oneOf: values, description };
  },
  /** One of a set of strings that a GraphQL enum cannot name (`""` among them): a String. */
  oneOf<const V extends string>(values: readonly V[], description?: string): ScalarShape<V> {
    return { t: 'scalar', scalar: 'String', oneOf: values, description };
  },
  list<T>(of: ItemShape<T>, description?: string): ListShape<T> {
    return { t: 'list', of, description };
  },
  object<const F extends Record<string, Shape>>(
    name: string,
    fields: F,
    description?: string,
  ): ObjectShape<Flatten<FieldsOf<F>>> {
    return { t: 'object', name, fields, description };
  },
};

/** Marks a field as one a valid object must carry. */
export function required<S extends Shape>(shape: S): S & { required: true } {
  return { ...shape, required: true };
}

/** Marks a field the server sees to on every object it stores (see `alwaysSet` above). */
export function alwaysSet<S extends Shape>(shape: S): S & { alwaysSet: true } {
  return { ...shape, alwaysSet: true };
}

/** The same shape under the description of one use of it (a shared enum or struct). */
export function described<S extends Shape>(shape: S, description: string): S {
  return { ...shape, description };
}

/**
 * Marks a list as merged item by item by `mergeKey` (strategic merge patch, server-side apply),
 * as Kubernetes' `patchMergeKey`/`listMapKeys` tags do; `mapKeys` when more fields identify an item.
 */
export function keyedBy<S extends ListShape>(
  shape: S,
  mergeKey: string,
  mapKeys?: readonly string[],
): S & { mergeKey: string } {
  return { ...shape, mergeKey, ...(mapKeys ? { mapKeys } : {}) };
}

/** Adds fields to an object shape under a new name (Kubernetes reuses many structs). */
export function extend<T, const F extends Record<string, Shape>>(
  base: ObjectShape<T>,
  name: string,
  fields: F,
): ObjectShape<Flatten<T & FieldsOf<F>>> {
  return { t: 'object', name, fields: { ...base.fields, ...fields }, description: base.description };
}
