import type { PolicyRule } from '../../schema/kinds/rbac-shapes.ts';
import { MASTERS_GROUP } from './authorizer.ts';
import { BOOTSTRAPPERS_GROUP } from './node-bootstrap-tokens.ts';
import { NODES_GROUP } from './node-identity.ts';
import { NODE_RULES } from './node-rules.ts';

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
  'discovery.k8s.io': ['endpointslices'],
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
const editOnlyRules: PolicyRule[] = [
  { apiGroups: [''], resources: ['secrets'], verbs: READ },
  ...rules(EDITABLE, WRITE),
  { apiGroups: [''], resources: ['pods/attach', 'pods/exec', 'pods/portforward'], verbs: ['create', 'get'] },
  { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
];
const adminOnlyRules: PolicyRule[] = [
  {
    apiGroups: ['rbac.authorization.k8s.io'],
    resources: ['roles', 'rolebindings'],
    verbs: [...READ, ...WRITE],
  },
  { apiGroups: ['authorization.k8s.io'], resources: ['localsubjectaccessreviews'], verbs: ['create'] },
];
// In the order aggregation gathers them (sources by name), so that a new cluster's roles are
// already what the clusterrole-aggregation controller would write.
const editRules: PolicyRule[] = [...editOnlyRules, ...viewRules];
const adminRules: PolicyRule[] = [...editRules, ...adminOnlyRules];

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

const CSR_NODE_CLIENT = 'system:certificates.k8s.io:certificatesigningrequests:nodeclient';
const CSR_SELF_NODE_CLIENT = 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient';

/**
 * Kubernetes' user-facing ClusterRoles: `cluster-admin` (everything), `admin` (everything in a
 * namespace, RBAC included, when bound there), `edit` (reads and writes most objects, not
 * roles or bindings) and `view` (reads most objects, not Secrets); and the system roles every
 * caller holds: `system:discovery` (discovery and OpenAPI), `system:public-info-viewer`
 * (health and version) and `system:basic-user` (asking what it may do). None reads /metrics.
 * `system:aggregate-to-*` hold what `admin`, `edit` and `view` add to the role below them,
 * which those gather by aggregation (AGGREGATION below).
 */
export const DEFAULT_CLUSTER_ROLES: Record<string, PolicyRule[]> = {
  'cluster-admin': [
    { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
    { nonResourceURLs: ['*'], verbs: ['*'] },
  ],
  admin: adminRules,
  edit: editRules,
  view: viewRules,
  'system:aggregate-to-admin': adminOnlyRules,
  'system:aggregate-to-edit': editOnlyRules,
  'system:aggregate-to-view': viewRules,
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
  // What the Node authorizer grants nodes, which bind to it nowhere (node-rules.ts).
  'system:node': NODE_RULES,
  // A node's credential: asked for by a bootstrap token for any node, by a node for its own name.
  [CSR_NODE_CLIENT]: [
    {
      apiGroups: ['certificates.k8s.io'],
      resources: ['certificatesigningrequests/nodeclient'],
      verbs: ['create'],
    },
  ],
  [CSR_SELF_NODE_CLIENT]: [
    {
      apiGroups: ['certificates.k8s.io'],
      resources: ['certificatesigningrequests/selfnodeclient'],
      verbs: ['create'],
    },
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
  // As kubeadm binds them: bootstrap tokens may get node credentials, nodes renew their own.
  [CSR_NODE_CLIENT]: [BOOTSTRAPPERS_GROUP],
  [CSR_SELF_NODE_CLIENT]: [NODES_GROUP],
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

const aggregateTo = (role: string) => `rbac.authorization.k8s.io/aggregate-to-${role}`;

/**
 * How the user-facing roles aggregate, as Kubernetes': `admin`, `edit` and `view` gather the
 * roles labelled aggregate-to-admin, -edit, -view (so a CRD's author extends them with a
 * labelled ClusterRole); `view` is labelled into `edit` and `edit` into `admin`.
 */
const AGGREGATION: Record<string, { gathers?: string; labels: Record<string, string> }> = {
  admin: { gathers: aggregateTo('admin'), labels: {} },
  edit: { gathers: aggregateTo('edit'), labels: { [aggregateTo('admin')]: 'true' } },
  view: { gathers: aggregateTo('view'), labels: { [aggregateTo('edit')]: 'true' } },
  'system:aggregate-to-admin': { labels: { [aggregateTo('admin')]: 'true' } },
  'system:aggregate-to-edit': { labels: { [aggregateTo('edit')]: 'true' } },
  'system:aggregate-to-view': { labels: { [aggregateTo('view')]: 'true' } },
};

/** The default ClusterRoles as objects to store. */
export function defaultClusterRoles() {
  return Object.entries(DEFAULT_CLUSTER_ROLES).map(([name, roleRules]) => {
    const aggregation = AGGREGATION[name];
    return {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: {
        name,
        labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...aggregation?.labels },
      },
      ...(aggregation?.gathers
        ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [aggregation.gathers]: 'true' } }] } }
        : {}),
      rules: roleRules,
    };
  });
}
