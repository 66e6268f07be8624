import { defineKind } from '../kind.ts';
import { s, type Infer } from '../shape.ts';
import { bindingFields } from './rbac-shapes.ts';

const description =
  'Grants a Role, or a ClusterRole within this namespace, to users, groups and service accounts.';

export const RoleBinding = s.object('RoleBinding', bindingFields(), description);
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
