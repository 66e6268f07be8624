import type { Resource } from '../../schema/kind.ts';
import type { PolicyRule, RoleRef, Subject } from '../../schema/kinds/rbac-shapes.ts';
import type { Store } from '../store/store.ts';

const RBAC_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

/** What a binding grants, where: `namespace` unset for a ClusterRoleBinding (everywhere). */
interface Grant {
  namespace?: string;
  roleRef: RoleRef;
}

/**
 * The RBAC objects, indexed by subject and namespace so that an authorization decision
 * reads only the bindings of the caller that apply where it asks: subjects are
 * `User:alice`, `Group:system:authenticated`, `ServiceAccount:ns/name`; ClusterRoleBindings
 * sit under the namespace `*`. Rebuilt from the store when a Role, ClusterRole or binding
 * changes (the rebuild waits for the next decision), never on the writes of other kinds.
 */
export class RbacIndex {
  private grantsBySubject = new Map<string, Grant[]>();
  private roleRules = new Map<string, readonly PolicyRule[]>();
  private stale = true;
  private changes = 0;

  constructor(private readonly store: Store) {
    store.subscribe((events) => {
      if (!events.some((event) => RBAC_KINDS.has(event.kind))) return;
      this.stale = true;
      this.changes++;
    });
  }

  /** Counts the changes of the RBAC objects: what was derived from the index at another generation is out of date. */
  get generation(): number {
    return this.changes;
  }

  /** The grants of the subjects that hold in `namespace` (cluster-wide ones only, without one). */
  grantsOf(subjects: readonly string[], namespace: string | undefined): Grant[] {
    this.refresh();
    const found: Grant[] = [];
    for (const subject of subjects) {
      const everywhere = this.grantsBySubject.get(`${subject}|*`);
      if (everywhere) found.push(...everywhere);
      if (namespace === undefined) continue;
      const here = this.grantsBySubject.get(`${subject}|${namespace}`);
      if (here) found.push(...here);
    }
    return found;
  }

  /** The rules of the role a grant names (a Role in the grant's namespace, or a ClusterRole); none if it is missing. */
  rulesOf(grant: Grant): readonly PolicyRule[] {
    const { kind, name } = grant.roleRef;
    const key = kind === 'Role' ? `Role:${grant.namespace}/${name}` : `ClusterRole:${name}`;
    return this.roleRules.get(key) ?? [];
  }

  private refresh(): void {
    if (!this.stale) return;
    this.stale = false;
    const grants = new Map<string, Grant[]>();
    const rules = new Map<string, readonly PolicyRule[]>();
    for (const role of this.objects('Role')) {
      rules.set(`Role:${role.metadata.namespace}/${role.metadata.name}`, rulesOf(role));
    }
    for (const role of this.objects('ClusterRole'))
      rules.set(`ClusterRole:${role.metadata.name}`, rulesOf(role));
    for (const kind of ['RoleBinding', 'ClusterRoleBinding']) {
      for (const binding of this.objects(kind)) {
        const roleRef = binding.roleRef as RoleRef | undefined;
        if (!roleRef) continue;
        const namespace = kind === 'RoleBinding' ? binding.metadata.namespace : undefined;
        // A RoleBinding's ServiceAccount subject without a namespace is one of the binding's namespace.
        for (const subject of (binding.subjects as Subject[] | undefined) ?? []) {
          const subjectName = subjectKey(subject, namespace);
          if (!subjectName) continue;
          const key = `${subjectName}|${namespace ?? '*'}`;
          let list = grants.get(key);
          if (!list) grants.set(key, (list = []));
          list.push({ namespace, roleRef });
        }
      }
    }
    this.grantsBySubject = grants;
    this.roleRules = rules;
  }

  private objects(kind: string): Iterable<Resource> {
    return this.store.objects.ofKind(kind).values();
  }
}

/** The index key of a binding's subject, or undefined for a kind RBAC does not know. */
function subjectKey(subject: Subject, bindingNamespace: string | undefined): string | undefined {
  switch (subject.kind) {
    case 'User':
      return `User:${subject.name}`;
    case 'Group':
      return `Group:${subject.name}`;
    case 'ServiceAccount':
      return `ServiceAccount:${subject.namespace ?? bindingNamespace ?? ''}/${subject.name}`;
    default:
      return undefined;
  }
}

function rulesOf(role: Resource): readonly PolicyRule[] {
  return (role.rules as PolicyRule[] | undefined) ?? [];
}
