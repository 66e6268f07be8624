import { alwaysSet, required, s, type Infer } from '../shape.ts';
import { LabelSelector, ObjectMeta } from './meta.ts';

/** The structs Roles, ClusterRoles and their bindings share (rbac.authorization.k8s.io/v1). */

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

export const PolicyRule = s.object(
  'PolicyRule',
  {
    verbs: required(s.list(s.string(), 'get, list, watch, create, update, patch, delete, ...; "*" for all.')),
    apiGroups: s.list(s.string(), 'API groups of the resources ("" for the core group, "*" for all).'),
    resources: s.list(s.string(), 'Resource names ("pods", "deployments/scale"); "*" for all.'),
    resourceNames: s.list(s.string(), 'Only these objects by name; every object if empty.'),
    nonResourceURLs: s.list(
      s.string(),
      'URL paths ("/healthz", "/api/*") for ClusterRoles only; not together with resources.',
    ),
  },
  'Actions a role allows: verbs on resources (or on non-resource URLs).',
);
export type PolicyRule = Infer<typeof PolicyRule>;

export const AggregationRule = s.object(
  'AggregationRule',
  {
    clusterRoleSelectors: s.list(
      LabelSelector,
      'The rules of every ClusterRole one of these selects are added to this one.',
    ),
  },
  'How a ClusterRole is built from others.',
);

export const RoleRef = s.object(
  'RoleRef',
  {
    apiGroup: alwaysSet(s.string('Always rbac.authorization.k8s.io (the default).')),
    kind: required(s.string('Role or ClusterRole.')),
    name: required(s.string()),
  },
  'The role a binding grants; it cannot change once the binding exists.',
);
export type RoleRef = Infer<typeof RoleRef>;

export const Subject = s.object(
  'Subject',
  {
    kind: required(s.string('ServiceAccount, User or Group.')),
    apiGroup: s.string(
      '"" for a ServiceAccount, rbac.authorization.k8s.io for a User or Group (the defaults).',
    ),
    name: required(s.string()),
    namespace: s.string("A ServiceAccount's namespace; required in a ClusterRoleBinding."),
  },
  'Who a binding grants its role to.',
);
export type Subject = Infer<typeof Subject>;

/**
 * The fields of a RoleBinding and a ClusterRoleBinding, which differ only in scope: a fresh
 * object for each, since OpenAPI names an object shape by the identity of its fields.
 */
export const bindingFields = () => ({
  apiVersion: s.string(),
  kind: s.string(),
  metadata: ObjectMeta,
  subjects: s.list(Subject, 'Who is granted the role.'),
  roleRef: required(RoleRef),
});
