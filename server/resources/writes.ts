import { isDeepStrictEqual } from 'node:util';
import type { FieldError } from '../../schema/field-error.ts';
import type { KindDefinition, Resource } from '../../schema/kind.ts';
import type { ManagedFieldsEntry } from '../../schema/kinds/meta.ts';
import type { Namespace } from '../../schema/kinds/namespace.ts';
import type { Pod } from '../../schema/kinds/pod.ts';
import { checkShape, isPlainObject } from '../../schema/shape-check.ts';
import type { AdmissionContext, KindAdmission } from '../admission/admission.ts';
import type { FieldOwner } from '../apply/field-manager.ts';
import { prepareApply, type ApplyOptions } from '../apply/server-side-apply.ts';
import { updateOwnership, type Ownership } from '../apply/update-tracking.ts';
import { ApiError, alreadyExists, conflict, invalid, notFound } from '../errors.ts';
import { objectKey, type TxView, type WriteOp, type WriteOutcome } from '../store/store.ts';
import { systemMeta, timestamp, validateMeta } from './object-meta.ts';
import { handleUnknownFields, type UnknownFieldPolicy } from './unknown-fields.ts';

/**
 * The write operations of the API as store decisions. Each `decide` runs inside the
 * store's serialized commit against the object as it is at that moment, so
 * compare-and-swap, allocation and "does the namespace exist" are all race-free. A
 * decision never mutates what it reads: it builds the next object from copies.
 */

export type Admissions = (kind: string) => KindAdmission;

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  gracePeriodSeconds?: number;
  /** Precondition: fail with CONFLICT unless the object is at this resourceVersion. */
  resourceVersion?: string;
  /** Precondition: fail with CONFLICT unless the object has this uid (not one recreated under its name). */
  uid?: string;
}

/** Who writes (for managedFields) and where the write's warnings go. */
type WriteCaller = FieldOwner & UnknownFieldPolicy & Notices;

/** Where admission's warnings (response headers) and audit annotations (the request's audit event) go. */
type Notices = Pick<AdmissionContext, 'warn' | 'annotate'>;

/** How a write changes the stored object: given a copy of it, returns the object wanted. */
export type Change = (current: Resource) => unknown;

/** How the garbage collector learns the propagation policy: as a finalizer, as in Kubernetes. */
const POLICY_FINALIZERS: Record<NonNullable<DeleteOptions['propagationPolicy']>, string | undefined> = {
  Background: undefined,
  Foreground: 'foregroundDeletion',
  Orphan: 'orphan',
};

/** Namespaces Kubernetes refuses to delete (the NamespaceLifecycle admission plugin). */
const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

export class Writes {
  constructor(private readonly admissions: Admissions) {}

  /**
   * Structural check of a decoded manifest or patch result: every problem with its path.
   * Unknown fields first go as `policy` says (kept, to fail here, when it says nothing).
   */
  checkShape(def: KindDefinition, obj: unknown, policy: UnknownFieldPolicy = {}): void {
    const pruned = def.pruneUnknownFields && !policy.fieldValidation;
    handleUnknownFields(def, def.shape, obj, '', pruned ? { ...policy, fieldValidation: 'Ignore' } : policy);
    const errors: FieldError[] = [];
    checkShape(def.shape, obj, '', errors);
    if (errors.length) {
      const name = (obj as Resource)?.metadata?.name ?? '';
      throw invalid(def.kind, name, errors);
    }
  }

  create(def: KindDefinition, obj: Resource, owner: WriteCaller = {}): WriteOp {
    const key = keyOf(def, obj);
    return {
      key,
      decide: (current, tx) => {
        if (current) throw alreadyExists(def.plural, obj.metadata.name!);
        return {
          put: this.created(def, structuredClone(obj), tx, updateOwnership(def, owner, ''), owner),
        };
      },
    };
  }

  /** Create when absent, update when present: what `apply` does for each manifest. */
  apply(def: KindDefinition, obj: Resource, owner: WriteCaller = {}): WriteOp {
    const key = keyOf(def, obj);
    const ownership = updateOwnership(def, owner, '');
    return {
      key,
      decide: (current, tx) => {
        if (!current) return { put: this.created(def, structuredClone(obj), tx, ownership, owner) };
        return this.update(def, structuredClone(obj), current, tx, ownership, owner);
      },
    };
  }

  /**
   * Server-side apply (server/apply/): the applied configuration merged into the object,
   * which it creates when absent, with the applier's field ownership and conflicts.
   */
  serverSideApply(
    def: KindDefinition,
    config: Resource,
    options: ApplyOptions & UnknownFieldPolicy & Notices = {},
  ): WriteOp {
    return {
      key: keyOf(def, config),
      decide: (current, tx) => {
        const { merged, ownership } = prepareApply(def, current, config, options);
        this.checkShape(def, merged, options);
        if (!current) return { put: this.created(def, merged, tx, ownership, options) };
        return this.update(def, merged, current, tx, ownership, options);
      },
    };
  }

  replace(def: KindDefinition, obj: Resource, owner: WriteCaller = {}): WriteOp {
    return {
      key: keyOf(def, obj),
      decide: (current, tx) => {
        if (!current) throw notFound(def.plural, obj.metadata.name!);
        const ownership = updateOwnership(def, owner, '');
        return this.update(def, structuredClone(obj), current, tx, ownership, owner);
      },
    };
  }

  /**
   * A change (a patch of any type) of the object as it is at commit time, through the
   * update path. The changed object's resourceVersion is a precondition: a patch that
   * sets one asks for compare-and-swap, one that leaves it alone does not.
   */
  patch(
    def: KindDefinition,
    namespace: string | undefined,
    name: string,
    change: Change,
    policy: UnknownFieldPolicy & FieldOwner & Notices = {},
  ): WriteOp {
    return {
      key: objectKey(def.kind, namespace, name),
      decide: (current, tx) => {
        if (!current) throw notFound(def.plural, name);
        // A copy: a patch shares what it leaves alone with its target, and admission defaults in place.
        const patched = change(structuredClone(current)) as Resource;
        this.checkShape(def, patched, policy);
        const meta = patched.metadata ?? {};
        if (meta.name !== name) {
          throw new ApiError(
            'BAD_REQUEST',
            `the name of the object (${meta.name}) does not match the name on the URL (${name})`,
          );
        }
        if (def.namespaced && meta.namespace !== namespace) {
          throw new ApiError(
            'BAD_REQUEST',
            'the namespace of the provided object does not match the namespace sent on the request',
          );
        }
        return this.update(def, patched, current, tx, updateOwnership(def, policy, ''), policy);
      },
    };
  }

  /** Changes spec.replicas through the normal update path (defaults, validation, generation). */
  scale(def: KindDefinition, namespace: string | undefined, name: string, replicas: number): WriteOp {
    return this.patch(def, namespace, name, (obj) => ({
      ...obj,
      spec: { ...(obj.spec as object), replicas },
    }));
  }

  /** The status subresource: only status changes; spec and metadata stay as stored. */
  updateStatus(
    def: KindDefinition,
    namespace: string | undefined,
    name: string,
    status: unknown,
    resourceVersion?: string,
    policy: UnknownFieldPolicy & FieldOwner = {},
  ): WriteOp {
    return this.changeStatus(def, namespace, name, () => ({ status, resourceVersion }), policy);
  }

  /**
   * The status subresource patched: `change` gets the whole object, and only the status
   * of what it returns is kept (and its resourceVersion, as a precondition).
   */
  patchStatus(
    def: KindDefinition,
    namespace: string | undefined,
    name: string,
    change: Change,
    policy: UnknownFieldPolicy & FieldOwner = {},
  ): WriteOp {
    return this.changeStatus(
      def,
      namespace,
      name,
      (current) => {
        const patched = change(structuredClone(current));
        const { status, metadata } = isPlainObject(patched) ? (patched as Partial<Resource>) : {};
        return { status, resourceVersion: metadata?.resourceVersion };
      },
      policy,
    );
  }

  private changeStatus(
    def: KindDefinition,
    namespace: string | undefined,
    name: string,
    wanted: (current: Resource) => { status: unknown; resourceVersion?: string },
    policy: UnknownFieldPolicy & FieldOwner,
  ): WriteOp {
    return {
      key: objectKey(def.kind, namespace, name),
      decide: (current, tx) => {
        if (!current) throw notFound(def.plural, name);
        const { status, resourceVersion } = wanted(current);
        if (resourceVersion && resourceVersion !== current.metadata.resourceVersion)
          throw conflict(def.plural, name);
        const errors: FieldError[] = [];
        const statusShape = def.shape.fields.status;
        if (statusShape) {
          const pruned = def.pruneUnknownFields && !policy.fieldValidation;
          handleUnknownFields(
            def,
            statusShape,
            status,
            'status',
            pruned ? { ...policy, fieldValidation: 'Ignore' } : policy,
          );
          checkShape(statusShape, status, 'status', errors);
        }
        if (errors.length) throw invalid(def.kind, name, errors);
        const next = { ...current, metadata: { ...current.metadata }, status: structuredClone(status) };
        const ctx = admissionContext(tx, current, timestamp());
        errors.push(...(this.admissions(def.kind).status?.(next, ctx) ?? []));
        if (errors.length) throw invalid(def.kind, name, errors);
        if (isDeepStrictEqual(current.status, next.status)) return { keep: true };
        setManagedFields(next, updateOwnership(def, policy, 'status')(current, next));
        return { put: next };
      },
    };
  }

  /** Sets spec.nodeName once, as the scheduler's Binding does; a second binding is a CONFLICT. */
  bind(def: KindDefinition, namespace: string, name: string, nodeName: string): WriteOp {
    return {
      key: objectKey(def.kind, namespace, name),
      decide: (found) => {
        if (!found) throw notFound(def.plural, name);
        const current = found as Resource & Pod;
        if (current.spec?.nodeName) {
          throw new ApiError(
            'CONFLICT',
            `pod ${name} is already assigned to node "${current.spec.nodeName}"`,
          );
        }
        if (current.metadata.deletionTimestamp)
          throw new ApiError('CONFLICT', `pod ${name} is being deleted, cannot be assigned to a host`);
        const now = timestamp();
        const conditions = (current.status?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
        conditions.push({ type: 'PodScheduled', status: 'True', lastTransitionTime: now });
        return {
          put: {
            ...current,
            metadata: { ...current.metadata },
            spec: { ...current.spec, nodeName },
            status: { ...current.status, conditions },
          },
        };
      },
    };
  }

  /**
   * Deletion as Kubernetes does it: the propagation policy becomes a finalizer
   * (orphan, foregroundDeletion) for the garbage collector; an object with finalizers
   * is only marked with deletionTimestamp; a Pod on a node is marked for graceful
   * termination and its node agent finishes it; a Namespace turns Terminating until
   * its content is gone.
   */
  delete(def: KindDefinition, namespace: string | undefined, name: string, options: DeleteOptions): WriteOp {
    return {
      key: objectKey(def.kind, namespace, name),
      decide: (current): WriteOutcome => {
        if (!current) throw notFound(def.plural, name);
        if (def.kind === 'Namespace' && IMMORTAL_NAMESPACES.has(name)) {
          throw new ApiError(
            'FORBIDDEN',
            `namespaces "${name}" is forbidden: this namespace may not be deleted`,
          );
        }
        if (options.resourceVersion && options.resourceVersion !== current.metadata.resourceVersion) {
          throw conflict(def.plural, name);
        }
        if (options.uid && options.uid !== current.metadata.uid) {
          throw new ApiError(
            'CONFLICT',
            `Operation cannot be fulfilled on ${def.plural} "${name}": Precondition failed: UID in precondition: ${options.uid}, UID in object meta: ${current.metadata.uid}`,
          );
        }
        const grace = options.gracePeriodSeconds;
        if (current.metadata.deletionTimestamp) {
          return def.kind === 'Pod' && grace === 0 && !current.metadata.finalizers?.length
            ? { remove: true }
            : { keep: true };
        }
        const finalizers = [...(current.metadata.finalizers ?? [])];
        const policyFinalizer = POLICY_FINALIZERS[options.propagationPolicy ?? 'Background'];
        if (policyFinalizer && !finalizers.includes(policyFinalizer)) finalizers.push(policyFinalizer);

        const podGrace = def.kind === 'Pod' ? this.podGracePeriod(current, grace) : 0;
        const namespaceHeld = def.kind === 'Namespace' && namespaceFinalizers(current) > 0;
        if (finalizers.length === 0 && podGrace === 0 && !namespaceHeld) return { remove: true };

        const now = Date.now();
        const next: Resource = {
          ...current,
          metadata: {
            ...current.metadata,
            finalizers: finalizers.length ? finalizers : undefined,
            deletionTimestamp: timestamp(now + podGrace * 1000),
            deletionGracePeriodSeconds: podGrace,
          },
        };
        if (!next.metadata.finalizers) delete next.metadata.finalizers;
        if (def.kind === 'Namespace') {
          next.status = { ...(current as Resource & Namespace).status, phase: 'Terminating' };
        }
        return { put: next };
      },
    };
  }

  /** A Pod bound to a node and still running gets its grace period; others go at once. */
  private podGracePeriod(obj: Resource, requested: number | undefined): number {
    const pod = obj as Resource & Pod;
    const finished = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    if (!pod.spec?.nodeName || finished) return 0;
    return requested ?? pod.spec.terminationGracePeriodSeconds ?? 30;
  }

  private update(
    def: KindDefinition,
    next: Resource,
    current: Resource,
    tx: TxView,
    ownership: Ownership,
    notices?: Notices,
  ): WriteOutcome {
    const wanted = next.metadata.resourceVersion;
    if (wanted && wanted !== current.metadata.resourceVersion)
      throw conflict(def.plural, current.metadata.name!);
    if (next.metadata.uid && next.metadata.uid !== current.metadata.uid) {
      throw new ApiError(
        'CONFLICT',
        `Precondition failed: UID in precondition: ${next.metadata.uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    const admitted = this.admit(def, next, current, tx, notices);
    if (!isDeepStrictEqual(current.spec, admitted.spec))
      admitted.metadata.generation = (current.metadata.generation ?? 1) + 1;
    setManagedFields(admitted, ownership(current, admitted));
    if (current.metadata.deletionTimestamp && holdsDeletion(def, current) && !holdsDeletion(def, admitted)) {
      return { remove: true };
    }
    const { resourceVersion: _, ...currentMeta } = current.metadata;
    if (isDeepStrictEqual({ ...current, metadata: currentMeta }, admitted)) return { keep: true };
    return { put: admitted };
  }

  /** Server-owned metadata, status handling, defaults and validation: one object, ready to store. */
  private admit(
    def: KindDefinition,
    next: Resource,
    current: Resource | undefined,
    tx: TxView,
    notices?: Notices,
  ): Resource {
    const now = timestamp();
    systemMeta(next, current, now);
    if (!def.namespaced) delete next.metadata.namespace;
    if (def.hasStatus) {
      if (current && current.status !== undefined) next.status = structuredClone(current.status);
      // A Node registers with its status (capacity, addresses), as the kubelet does:
      // Kubernetes keeps a Node's status on create and resets every other kind's.
      else if (current || def.kind !== 'Node') delete next.status;
    }
    const admission = this.admissions(def.kind);
    const ctx = admissionContext(tx, current, now, notices);
    admission.default?.(next, ctx);
    const errors = [
      ...validateMeta(def, next, current, admission.name),
      ...(admission.validate?.(next, ctx) ?? []),
    ];
    if (errors.length) throw invalid(def.kind, next.metadata.name ?? '', errors);
    const refusal = admission.forbid?.(next, ctx);
    if (refusal)
      throw new ApiError(
        'FORBIDDEN',
        `${groupResource(def)} "${next.metadata.name}" is forbidden: ${refusal}`,
      );
    return next;
  }

  /** A new object admitted, in an existing namespace, with its first managedFields. */
  private created(
    def: KindDefinition,
    obj: Resource,
    tx: TxView,
    ownership: Ownership,
    notices?: Notices,
  ): Resource {
    this.requireNamespace(def, obj, tx, true);
    const admitted = this.admit(def, obj, undefined, tx, notices);
    setManagedFields(admitted, ownership(undefined, admitted));
    return admitted;
  }

  private requireNamespace(def: KindDefinition, obj: Resource, tx: TxView, creating: boolean): void {
    if (!def.namespaced) return;
    const namespace = obj.metadata.namespace!;
    const ns = tx.get(objectKey('Namespace', undefined, namespace));
    if (!ns) throw notFound('namespaces', namespace);
    if (creating && ns.metadata.deletionTimestamp) {
      throw new ApiError(
        'FORBIDDEN',
        `unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }
}

/** What admission may read during one write: the store as the commit sees it. */
function admissionContext(
  tx: TxView,
  old: Resource | undefined,
  now: string,
  notices: Notices = {},
): AdmissionContext {
  return {
    old,
    now,
    warn: notices.warn,
    annotate: notices.annotate,
    namespace: (name) => tx.get(objectKey('Namespace', undefined, name)),
    services: () => tx.list('Service'),
    storageClasses: () => tx.list('StorageClass'),
    ingressClasses: () => tx.list('IngressClass'),
    objects: function* (kind, namespace) {
      for (const obj of tx.list(kind)) if (obj.metadata.namespace === namespace) yield obj;
    },
    object: (kind, namespace, name) => tx.get(objectKey(kind, namespace, name)),
  };
}

/** "pods", "deployments.apps": how Kubernetes names a kind's resource in its messages. */
function groupResource(def: KindDefinition): string {
  const slash = def.apiVersion.indexOf('/');
  return slash < 0 ? def.plural : `${def.plural}.${def.apiVersion.slice(0, slash)}`;
}

export function keyOf(def: KindDefinition, obj: Resource): string {
  return objectKey(def.kind, def.namespaced ? obj.metadata.namespace : undefined, obj.metadata.name!);
}

/** Stored as given; an object nobody manages has no managedFields at all, not an empty list. */
function setManagedFields(obj: Resource, entries: ManagedFieldsEntry[] | undefined): void {
  if (entries?.length) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
}

/** Whether something still holds a marked object back from removal: finalizers, or a namespace's content. */
function holdsDeletion(def: KindDefinition, obj: Resource): boolean {
  if (obj.metadata.finalizers?.length) return true;
  if (def.kind === 'Namespace') return namespaceFinalizers(obj) > 0;
  return def.kind === 'Pod' && (obj.metadata.deletionGracePeriodSeconds ?? 0) > 0;
}

/** How many of a namespace's spec.finalizers (`kubernetes`) still hold its removal back. */
function namespaceFinalizers(obj: Resource): number {
  return (obj as Resource & Namespace).spec?.finalizers?.length ?? 0;
}
