import type { Subject } from '../kinds/rbac-shapes.ts';
import { created, createdAt, name, type Columns } from './cells.ts';
import type { KindObjects } from './objects.ts';

/** kubectl's columns of ServiceAccounts and of RBAC's roles and bindings. */

type AccessKind = 'ServiceAccount' | 'Role' | 'ClusterRole' | 'RoleBinding' | 'ClusterRoleBinding';

const subjectsOf = (subjects: Subject[] | undefined, kind: string) =>
  (subjects ?? [])
    .filter((s) => s.kind === kind)
    .map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name))
    .join(', ');

const role: Columns<KindObjects['Role' | 'ClusterRole']> = {
  headers: ['NAME', 'CREATED AT'],
  row: (r) => [name(r), createdAt(r)],
};

const binding: Columns<KindObjects['RoleBinding' | 'ClusterRoleBinding']> = {
  headers: ['NAME', 'ROLE', 'AGE'],
  wide: ['USERS', 'GROUPS', 'SERVICEACCOUNTS'],
  row: (b, now) => [name(b), `${b.roleRef?.kind}/${b.roleRef?.name}`, created(b, now)],
  wideRow: (b) => [
    subjectsOf(b.subjects, 'User'),
    subjectsOf(b.subjects, 'Group'),
    subjectsOf(b.subjects, 'ServiceAccount'),
  ],
};

export const ACCESS_COLUMNS: { [K in AccessKind]: Columns<KindObjects[K]> } = {
  ServiceAccount: {
    headers: ['NAME', 'SECRETS', 'AGE'],
    row: (sa, now) => [name(sa), String(sa.secrets?.length ?? 0), created(sa, now)],
  },
  Role: role,
  ClusterRole: role,
  RoleBinding: binding,
  ClusterRoleBinding: binding,
};
