import type { MessageFields } from '../message-fields.ts';

/** The protobuf field numbers of k8s.io/api rbac/v1 (generated.proto), as message-fields.ts reads them. */
export const RBAC_FIELDS: MessageFields = {
  AggregationRule: '1 clusterRoleSelectors []LabelSelector',
  ClusterRole: '1 metadata ObjectMeta, 2 rules []PolicyRule, 3 aggregationRule AggregationRule',
  ClusterRoleBinding: '1 metadata ObjectMeta, 2 subjects []Subject, 3 roleRef RoleRef',
  PolicyRule:
    '1 verbs []string, 2 apiGroups []string, 3 resources []string, 4 resourceNames []string, 5 nonResourceURLs []string',
  Role: '1 metadata ObjectMeta, 2 rules []PolicyRule',
  RoleBinding: '1 metadata ObjectMeta, 2 subjects []Subject, 3 roleRef RoleRef',
  RoleRef: '1 apiGroup, 2 kind, 3 name',
  Subject: '1 kind, 2 apiGroup, 3 name, 4 namespace',
};
