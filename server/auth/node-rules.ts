import type { PolicyRule } from '../../schema/kinds/rbac-shapes.ts';

const READ = ['get', 'list', 'watch'];

/**
 * What Kubernetes' `system:node` ClusterRole grants a kubelet, as the Node authorizer holds it:
 * reading pods, services, endpoints and nodes everywhere; writing its Node, its Lease, events
 * and the status of pods (NodeRestriction narrows those to its own); reading the Secrets,
 * ConfigMaps, claims and volumes of its pods, and creating tokens for their ServiceAccounts
 * (the Node authorizer narrows those to the objects its pods name). Beyond the kubelet's
 * role, what a node's own network-policy enforcement reads, as Calico's and kube-router's
 * node agents are granted: namespaces and NetworkPolicies.
 */
export const NODE_RULES: PolicyRule[] = [
  { apiGroups: [''], resources: ['nodes'], verbs: ['create', 'delete', 'patch', 'update', ...READ] },
  { apiGroups: [''], resources: ['nodes/status'], verbs: ['patch', 'update'] },
  { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'update'] },
  { apiGroups: [''], resources: ['pods'], verbs: [...READ, 'delete'] },
  { apiGroups: [''], resources: ['pods/status'], verbs: ['patch', 'update'] },
  { apiGroups: [''], resources: ['services', 'endpoints'], verbs: READ },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
  { apiGroups: [''], resources: ['namespaces'], verbs: READ },
  { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: READ },
  { apiGroups: [''], resources: ['secrets', 'configmaps'], verbs: READ },
  { apiGroups: [''], resources: ['persistentvolumeclaims', 'persistentvolumes'], verbs: ['get'] },
  { apiGroups: [''], resources: ['persistentvolumeclaims/status'], verbs: ['get', 'patch', 'update'] },
  { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
  {
    apiGroups: ['coordination.k8s.io'],
    resources: ['leases'],
    verbs: ['create', 'delete', 'get', 'patch', 'update'],
  },
];

/** Where nodes' heartbeat Leases live, each named after its node. */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
