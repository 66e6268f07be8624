import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { Namespace, NamespaceSpec } from '../../schema/kinds/namespace.ts';
import type { KindAdmission } from './admission.ts';
import * as validation from './validation.ts';

type NamespaceObject = Namespace & Resource;

/** Finalizer names Kubernetes itself defines; any other must be domain-qualified ("example.com/x"). */
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export const namespaceAdmission: KindAdmission<NamespaceObject> = {
  default(ns, ctx) {
    const spec: NamespaceSpec = (ns.spec ??= {});
    if (ctx.old) {
      // Re-applying a manifest that omits finalizers must not let deletion skip the
      // namespace's contents; a controller releases the namespace by writing [].
      spec.finalizers ??= ctx.old.spec?.finalizers;
      return;
    }
    // The namespace controller removes "kubernetes" once everything in the namespace is deleted.
    if (!spec.finalizers?.includes('kubernetes'))
      spec.finalizers = [...(spec.finalizers ?? []), 'kubernetes'];
    ns.status = { phase: 'Active' };
  },

  status(ns, ctx) {
    // Every stored namespace has a phase (clients read it as non-null): a status written without one keeps it.
    const status = (ns.status ??= {});
    status.phase ??= ctx.old?.status?.phase ?? (ns.metadata.deletionTimestamp ? 'Terminating' : 'Active');
    return [];
  },

  validate(ns) {
    const errors: FieldError[] = [];
    validation.dns1123Label(ns.metadata.name ?? '', 'metadata.name', errors);
    ns.spec?.finalizers?.forEach((name: string, i: number) => {
      const path = joinPath('spec.finalizers', i);
      validation.qualifiedName(name, path, errors);
      if (!name.includes('/') && !STANDARD_FINALIZERS.has(name)) {
        const why = 'name is neither a standard finalizer name nor is it fully qualified';
        errors.push(fieldError(path, 'Invalid', `Invalid value: "${name}": ${why}`));
      }
    });
    return errors;
  },
};
