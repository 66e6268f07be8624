import type { PersistentVolumeClaimSpec } from '../../schema/kinds/persistentvolumeclaim.ts';
import type { PodSpec } from '../../schema/kinds/pod.ts';
import type { ReferencedKind } from '../../schema/pod-references.ts';
import { objectKey, type Store } from '../store/store.ts';
import { forbiddenMessage, type AccessAttributes, type Decision } from './access-attributes.ts';
import { NodeGraph } from './node-graph.ts';
import { nodeNameOf } from './node-identity.ts';
import { NODE_LEASE_NAMESPACE, NODE_RULES } from './node-rules.ts';
import { ruleAllows } from './policy-rule.ts';

/** The objects a node reaches only through its pods, by resource. */
const GRAPH_KINDS: Record<string, ReferencedKind> = {
  secrets: 'Secret',
  configmaps: 'ConfigMap',
  persistentvolumeclaims: 'PersistentVolumeClaim',
  serviceaccounts: 'ServiceAccount',
};

/**
 * Kubernetes' Node authorizer, before RBAC: a node (`system:node:<name>` in `system:nodes`)
 * holds the `system:node` rules (node-rules.ts), narrowed as the authorizer and NodeRestriction
 * narrow them together: a Secret, ConfigMap, claim or ServiceAccount token only for the objects
 * its pods name (a list or watch only for one object, by a `metadata.name` field selector), a
 * PersistentVolume only as the volume of such a claim; a write to a Node or Lease only to its
 * own, to a pod (status, deletion) only to one bound to it. Creating a Node or Lease, whose name
 * the request does not carry, is narrowed by the NodeRestriction admission. Says nothing
 * (undefined) for other callers and for what the rules do not cover, which RBAC then decides.
 */
export class NodeAuthorizer {
  private readonly graph: NodeGraph;

  constructor(private readonly store: Store) {
    this.graph = new NodeGraph(store);
  }

  decide(attrs: AccessAttributes): Decision | undefined {
    const node = nodeNameOf(attrs);
    if (node === undefined || !NODE_RULES.some((rule) => ruleAllows(rule, attrs))) return undefined;
    const why = this.refusal(node, attrs);
    return why === undefined
      ? { allowed: true }
      : { allowed: false, reason: `${forbiddenMessage(attrs)}: ${why}` };
  }

  /** Why the node may not, though the rules cover the request; undefined when it may. */
  private refusal(node: string, attrs: AccessAttributes): string | undefined {
    const { resource, subresource, verb, name, namespace } = attrs;
    const unrelated = `no relationship found between node '${node}' and this object`;
    if (resource === 'persistentvolumes') {
      return name !== undefined && this.holdsVolume(node, name) ? undefined : unrelated;
    }
    const graphKind = GRAPH_KINDS[resource];
    if (graphKind) {
      if (name === undefined || namespace === undefined) return `can only ${verb} individual ${resource}`;
      return this.graph.references(node, graphKind, namespace, name) ? undefined : unrelated;
    }
    const reads = verb === 'get' || verb === 'list' || verb === 'watch';
    if (reads || verb === 'create' || resource === 'events') return undefined;
    if (resource === 'nodes')
      return name === node ? undefined : `node '${node}' cannot modify node '${name}'`;
    if (resource === 'leases') {
      return namespace === NODE_LEASE_NAMESPACE && name === node
        ? undefined
        : `node '${node}' can only modify its own lease`;
    }
    if (resource === 'pods') {
      const pod = name && namespace ? this.store.objects.get(objectKey('Pod', namespace, name)) : undefined;
      const boundTo = (pod?.spec as PodSpec | undefined)?.nodeName;
      if (boundTo === node) return undefined;
      return subresource === 'status'
        ? `node '${node}' can only update pod status for pods with spec.nodeName set to itself`
        : `node '${node}' can only delete pods with spec.nodeName set to itself`;
    }
    return undefined;
  }

  /** Whether a claim a pod of the node names is bound to the volume `name`. */
  private holdsVolume(node: string, name: string): boolean {
    return this.graph.referenced(node, 'PersistentVolumeClaim').some((claim) => {
      const [namespace, claimName] = claim.split('/');
      const stored = this.store.objects.get(objectKey('PersistentVolumeClaim', namespace, claimName));
      return (stored?.spec as PersistentVolumeClaimSpec | undefined)?.volumeName === name;
    });
  }
}
