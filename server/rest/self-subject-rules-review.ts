import { isPlainObject } from '../../schema/shape-check.ts';
import type { AccessControl, Caller } from '../auth/access-control.ts';

/**
 * A SelfSubjectRulesReview (`kubectl auth can-i --list`) answered: the rules that hold for
 * the caller in `spec.namespace`, resource and non-resource ones, from the authorizer that
 * decides every request. Without a namespace, the cluster-wide grants only.
 */
export function selfSubjectRulesReview(body: Record<string, unknown>, access: AccessControl, caller: Caller) {
  const spec = isPlainObject(body.spec) ? body.spec : {};
  const namespace = typeof spec.namespace === 'string' && spec.namespace ? spec.namespace : undefined;
  return {
    kind: 'SelfSubjectRulesReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec: namespace ? { namespace } : {},
    status: access.rulesReview(caller, namespace),
  };
}
