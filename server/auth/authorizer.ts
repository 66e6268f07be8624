import type { Store } from '../store/store.ts';
import { forbiddenMessage, type AccessAttributes, type Decision } from './access-attributes.ts';
import { ruleAllows } from './policy-rule.ts';
import { RbacIndex } from './rbac-index.ts';
import { serviceAccountOf } from './service-account-names.ts';

/** The group whose members every request is allowed to, as in Kubernetes. */
export const MASTERS_GROUP = 'system:masters';

/**
 * Kubernetes' RBAC authorizer: a request is allowed when a rule of a role bound to the
 * caller covers it. A ClusterRoleBinding grants its role everywhere; a RoleBinding grants
 * its Role or ClusterRole in its own namespace only, so a cluster-scoped resource, or a list
 * or watch across all namespaces, needs a ClusterRoleBinding. Denials are the default:
 * nothing denies explicitly.
 */
export class Authorizer {
  private readonly index: RbacIndex;

  constructor(store: Store) {
    this.index = new RbacIndex(store);
  }

  authorize(attrs: AccessAttributes): Decision {
    if (attrs.groups.includes(MASTERS_GROUP)) return { allowed: true };
    const subjects = [`User:${attrs.user}`, ...attrs.groups.map((group) => `Group:${group}`)];
    const account = serviceAccountOf(attrs.user);
    if (account) subjects.push(`ServiceAccount:${account.namespace}/${account.name}`);
    for (const grant of this.index.grantsOf(subjects, attrs.namespace)) {
      if (this.index.rulesOf(grant).some((rule) => ruleAllows(rule, attrs))) return { allowed: true };
    }
    return { allowed: false, reason: forbiddenMessage(attrs) };
  }
}
