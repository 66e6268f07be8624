import { defineKind } from '../kind.ts';
import { required, s, type Infer } from '../shape.ts';
import { ObjectMeta } from './meta.ts';
import { RoleRef, Subject } from './rbac-shapes.ts';

const description = 'Grants a ClusterRole cluster-wide to users, groups and service accounts.';

export const ClusterRoleBinding = s.object(
  'ClusterRoleBinding',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    subjects: s.list(Subject, 'Who is granted the role.'),
    roleRef: required(RoleRef),
  },
  description,
);
export type ClusterRoleBinding = Infer<typeof ClusterRoleBinding>;

export const clusterRoleBindingKind = defineKind({
  kind: 'ClusterRoleBinding',
  apiVersion: 'rbac.authorization.k8s.io/v1',
  plural: 'clusterrolebindings',
  shortNames: [],
  namespaced: false,
  shape: ClusterRoleBinding,
  description,
});
