import { defineKind } from '../kind.ts';
import { s, type Infer } from '../shape.ts';
import { bindingFields } from './rbac-shapes.ts';

const description = 'Grants a ClusterRole cluster-wide to users, groups and service accounts.';

export const ClusterRoleBinding = s.object('ClusterRoleBinding', bindingFields(), description);
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
