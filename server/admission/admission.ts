import type { FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';

/** What a kind's admission may consult; built by the store for each write. */
export interface AdmissionContext<T extends Resource = Resource> {
  /** The stored object on update; undefined on create. */
  old?: T;
  /** The write's time, RFC 3339 (what creationTimestamp gets). */
  now: string;
  /**
   * Every Service stored, including ones written earlier in the same commit: what
   * ClusterIP and NodePort allocation must not collide with.
   */
  services(): Iterable<Resource>;
  /** Every StorageClass stored: where a claim without a class finds the default one. */
  storageClasses(): Iterable<Resource>;
  /** Every IngressClass stored: where an Ingress without a class finds the default one. */
  ingressClasses(): Iterable<Resource>;
  /**
   * The objects of a kind stored in a namespace, including ones written earlier in the
   * same commit (the object being written is there in its stored version, if any): what
   * LimitRanges and ResourceQuotas apply and what a quota's usage is summed over; a
   * cluster-scoped kind's with no namespace.
   */
  objects(kind: string, namespace: string | undefined): Iterable<Resource>;
  /** One object as stored in this commit, by its key: a lookup, not a scan of its kind. */
  object(kind: string, namespace: string | undefined, name: string): Resource | undefined;
  /** The Namespace of that name as stored in this commit: what Pod Security reads its labels from. */
  namespace(name: string): Resource | undefined;
  /** Tells the caller something about an admitted write (the `Warning` headers kubectl prints). */
  warn?(message: string): void;
  /** Adds an annotation to the write's audit event (Pod Security's audit mode, say). */
  annotate?(key: string, value: string): void;
}

/**
 * What admission knows about one kind beyond its shape. `default` fills the values
 * Kubernetes fills server-side; `validate` checks the semantic rules and returns every
 * problem with its field path. Both run once per write, on an object the write owns,
 * after the server has set metadata.name, namespace, uid and creationTimestamp.
 */
export interface KindAdmission<T extends Resource = Resource> {
  /**
   * Checks metadata.name where the kind's rule is not a DNS subdomain (RBAC objects take any
   * path segment, "system:controller:x" among them); reports on `path`.
   */
  name?(name: string, path: string, errors: FieldError[]): void;
  /** Fills server-side defaults in place. Runs before validation, on create and update. */
  default?(obj: T, ctx: AdmissionContext<T>): void;
  /** Semantic rules; `ctx.old` is the stored object on update (for immutable fields). */
  validate?(obj: T, ctx: AdmissionContext<T>): FieldError[];
  /**
   * Defaults and checks a status written through the status subresource (where agents
   * and controllers report), in place; returns the problems with their paths.
   */
  status?(obj: T, ctx: AdmissionContext<T>): FieldError[];
  /**
   * Policy of the namespace (LimitRange, ResourceQuota) after validation: why the write
   * is refused (it answers 403 Forbidden, `pods "x" is forbidden: <reason>`), or undefined.
   */
  forbid?(obj: T, ctx: AdmissionContext<T>): string | undefined;
}
