import { defineKind } from '../kind.ts';
import { required, s, type Infer } from '../shape.ts';
import { ObjectMeta } from './meta.ts';
import { RoleRef, Subject } from './rbac-shapes.ts';

const description =
  'Grants a Role, or a ClusterRole within this namespace, to users, groups and service accounts.';

export const RoleBinding = s.object(
  'RoleBinding',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    subjects: s.list(Subject, 'Who is granted the role.'),
    roleRef: required(RoleRef),
  },
  description,
);
export type RoleBinding = Infer<typeof RoleBinding>;

export const roleBindingKind = defineKind({
  kind: 'RoleBinding',
  apiVersion: 'rbac.authorization.k8s.io/v1',
  plural: 'rolebindings',
  shortNames: [],
  namespaced: true,
  shape: RoleBinding,
  description,
});
