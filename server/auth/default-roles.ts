import type { PolicyRule } from '../../schema/kinds/rbac-shapes.ts';
import { MASTERS_GROUP } from './authorizer.ts';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];

/** What `view` reads, by API group, as Kubernetes' aggregated view role lists it: no Secrets, no RBAC. */
const VIEWABLE: Record<string, string[]> = {
  '': [
    'configmaps',
    'endpoints',
    'persistentvolumeclaims',
    'persistentvolumeclaims/status',
    'pods',
    'pods/status',
    'pods/log',
    'replicationcontrollers',
    'replicationcontrollers/scale',
    'replicationcontrollers/status',
    'serviceaccounts',
    'services',
    'services/status',
    'bindings',
    'events',
    'limitranges',
    'resourcequotas',
    'resourcequotas/status',
    'namespaces',
    'namespaces/status',
  ],
  apps: [
    'controllerrevisions',
    'daemonsets',
    'daemonsets/status',
    'deployments',
    'deployments/scale',
    'deployments/status',
    'replicasets',
    'replicasets/scale',
    'replicasets/status',
    'statefulsets',
    'statefulsets/scale',
    'statefulsets/status',
  ],
  autoscaling: ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'],
  batch: ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'],
  policy: ['poddisruptionbudgets', 'poddisruptionbudgets/status'],
  'networking.k8s.io': ['ingresses', 'ingresses/status', 'networkpolicies'],
};

/** What `edit` writes, by API group: the viewable objects (not their status) plus Secrets and pods' streams. */
const EDITABLE: Record<string, string[]> = {
  '': [
    'configmaps',
    'endpoints',
    'persistentvolumeclaims',
    'pods',
    'replicationcontrollers',
    'replicationcontrollers/scale',
    'secrets',
    'serviceaccounts',
    'services',
  ],
  apps: [
    'daemonsets',
    'deployments',
    'deployments/scale',
    'replicasets',
    'replicasets/scale',
    'statefulsets',
    'statefulsets/scale',
  ],
  autoscaling: ['horizontalpodautoscalers'],
  batch: ['cronjobs', 'jobs'],
  policy: ['poddisruptionbudgets'],
  'networking.k8s.io': ['ingresses', 'networkpolicies'],
};

const rules = (byGroup: Record<string, string[]>, verbs: string[]): PolicyRule[] =>
  Object.entries(byGroup).map(([group, resources]) => ({ apiGroups: [group], resources, verbs }));

const viewRules = rules(VIEWABLE, READ);
const editRules: PolicyRule[] = [
  ...viewRules,
  { apiGroups: [''], resources: ['secrets'], verbs: READ },
  ...rules(EDITABLE, WRITE),
  { apiGroups: [''], resources: ['pods/attach', 'pods/exec', 'pods/portforward'], verbs: ['create', 'get'] },
  { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
];
const adminRules: PolicyRule[] = [
  ...editRules,
  {
    apiGroups: ['rbac.authorization.k8s.io'],
    resources: ['roles', 'rolebindings'],
    verbs: [...READ, ...WRITE],
  },
  { apiGroups: ['authorization.k8s.io'], resources: ['localsubjectaccessreviews'], verbs: ['create'] },
];

/** What every authenticated caller may read outside the resources: discovery, OpenAPI, health, version. */
const DISCOVERY_URLS = [
  '/api',
  '/api/*',
  '/apis',
  '/apis/*',
  '/healthz',
  '/livez',
  '/openapi',
  '/openapi/*',
  '/readyz',
  '/version',
  '/version/',
];

/** What anyone may read, even without a token: health and version. */
const PUBLIC_INFO_URLS = ['/healthz', '/livez', '/readyz', '/version', '/version/'];

/**
 * Kubernetes' user-facing ClusterRoles: `cluster-admin` (everything), `admin` (everything in a
 * namespace, RBAC included, when bound there), `edit` (reads and writes most objects, not
 * roles or bindings) and `view` (reads most objects, not Secrets); and the system roles every
 * caller holds: `system:discovery` (discovery and OpenAPI), `system:public-info-viewer`
 * (health and version) and `system:basic-user` (asking what it may do). None reads /metrics.
 */
export const DEFAULT_CLUSTER_ROLES: Record<string, PolicyRule[]> = {
  'cluster-admin': [
    { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
    { nonResourceURLs: ['*'], verbs: ['*'] },
  ],
  admin: adminRules,
  edit: editRules,
  view: viewRules,
  'system:discovery': [{ nonResourceURLs: DISCOVERY_URLS, verbs: ['get'] }],
  'system:public-info-viewer': [{ nonResourceURLs: PUBLIC_INFO_URLS, verbs: ['get'] }],
  'system:basic-user': [
    {
      apiGroups: ['authorization.k8s.io'],
      resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
      verbs: ['create'],
    },
    { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
  ],
};

/** The groups Kubernetes puts every caller with a token, and every caller without one, in. */
export const AUTHENTICATED_GROUP = 'system:authenticated';
export const UNAUTHENTICATED_GROUP = 'system:unauthenticated';

/** The ClusterRoleBindings Kubernetes starts with: who holds the default roles. */
const DEFAULT_BINDINGS: Record<string, string[]> = {
  'cluster-admin': [MASTERS_GROUP],
  'system:discovery': [AUTHENTICATED_GROUP],
  'system:public-info-viewer': [AUTHENTICATED_GROUP, UNAUTHENTICATED_GROUP],
  'system:basic-user': [AUTHENTICATED_GROUP],
};

/** The default ClusterRoleBindings as objects to store, each named after its role. */
export function defaultClusterRoleBindings() {
  return Object.entries(DEFAULT_BINDINGS).map(([name, groups]) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: groups.map((group) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group })),
  }));
}

/** The default ClusterRoles as objects to store. */
export function defaultClusterRoles() {
  return Object.entries(DEFAULT_CLUSTER_ROLES).map(([name, roleRules]) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
    rules: roleRules,
  }));
}
