import { defineKind } from '../kind.ts';
import { s, type Infer } from '../shape.ts';
import { ObjectMeta } from './meta.ts';
import { AggregationRule, PolicyRule } from './rbac-shapes.ts';

const description =
  'A set of permissions cluster-wide or, bound by a RoleBinding, in one namespace; may aggregate other ClusterRoles.';

export const ClusterRole = s.object(
  'ClusterRole',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    rules: s.list(
      PolicyRule,
      'What the role allows; filled from the selected roles when aggregationRule is set.',
    ),
    aggregationRule: AggregationRule,
  },
  description,
);
export type ClusterRole = Infer<typeof ClusterRole>;

export const clusterRoleKind = defineKind({
  kind: 'ClusterRole',
  apiVersion: 'rbac.authorization.k8s.io/v1',
  plural: 'clusterroles',
  shortNames: [],
  namespaced: false,
  shape: ClusterRole,
  description,
});
