import type { Resource } from '../../schema/kind.ts';
import type { PodSpec } from '../../schema/kinds/pod.ts';
import { NODE_LEASE_NAMESPACE } from '../auth/node-rules.ts';
import { ApiError } from '../errors.ts';

/** Labels no node may set on itself: what workloads are kept to trusted nodes by. */
const RESTRICTED_LABEL_PREFIX = 'node-restriction.kubernetes.io/';

/**
 * Kubernetes' NodeRestriction admission, for what a node writes: its own Node only (and not
 * the `node-restriction.kubernetes.io/` labels of it), its own Lease in kube-node-lease only,
 * pods only bound to itself, and no new pods (Kubernetes' mirror pods, which no node here
 * makes). The Node authorizer has narrowed what the request names; this narrows the object
 * written, whose name a create carries only in its body. Throws FORBIDDEN.
 */
export function admitNodeWrite(node: string, obj: Resource, current: Resource | undefined): void {
  const { kind } = obj;
  const name = obj.metadata.name;
  const refuse = (why: string) => {
    throw new ApiError('FORBIDDEN', `${plural(kind)} "${name}" is forbidden: ${why}`);
  };
  if (kind === 'Node') {
    if (name !== node) refuse(`node "${node}" is not allowed to modify node "${name}"`);
    const before = current?.metadata.labels ?? {};
    const after = obj.metadata.labels ?? {};
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (key.startsWith(RESTRICTED_LABEL_PREFIX) && before[key] !== after[key])
        refuse(`is not allowed to modify labels: ${key}`);
    }
  } else if (kind === 'Lease') {
    if (obj.metadata.namespace !== NODE_LEASE_NAMESPACE || name !== node)
      refuse(`can only access node lease with the same name as the requesting node`);
  } else if (kind === 'Pod') {
    if (!current) refuse(`node "${node}" can only create mirror pods, which this cluster does not have`);
    const bound = (pod: Resource | undefined) => (pod?.spec as PodSpec | undefined)?.nodeName;
    if (bound(current) !== node || bound(obj) !== node)
      refuse(`node "${node}" can only update pods with spec.nodeName set to itself`);
  }
}

function plural(kind: string): string {
  return `${kind.toLowerCase()}s`;
}
