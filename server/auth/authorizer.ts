import type { PolicyRule } from '../../schema/kinds/rbac-shapes.ts';
import type { Store } from '../store/store.ts';
import {
  forbiddenMessage,
  forbiddenPathMessage,
  type AccessAttributes,
  type Decision,
  type PathAttributes,
  type Subject,
} from './access-attributes.ts';
import { NodeAuthorizer } from './node-authorizer.ts';
import { ruleAllowsPath } from './policy-rule.ts';
import { RbacDecisions } from './rbac-decisions.ts';
import { RbacIndex } from './rbac-index.ts';

/** The group whose members every request is allowed to, as in Kubernetes. */
export const MASTERS_GROUP = 'system:masters';

export type { Subject } from './access-attributes.ts';

/**
 * Kubernetes' Node authorizer (node-authorizer.ts), then its RBAC authorizer: a request is
 * allowed when a rule of a role bound to the caller covers it. A ClusterRoleBinding grants
 * its role everywhere; a RoleBinding grants its Role or ClusterRole in its own namespace
 * only, so a cluster-scoped resource, or a list or watch across all namespaces, needs a
 * ClusterRoleBinding. A path outside the resources
 * (`/metrics`) is granted by ClusterRoles' nonResourceURLs, through ClusterRoleBindings only.
 * Denials are the default: nothing denies explicitly.
 */
export class Authorizer {
  private readonly rbac: RbacDecisions;
  private readonly nodes: NodeAuthorizer;
  /** Where `recording` collects decisions while it runs. */
  private recorder?: Array<[AccessAttributes, boolean]>;

  constructor(store: Store) {
    this.rbac = new RbacDecisions(new RbacIndex(store));
    this.nodes = new NodeAuthorizer(store);
  }

  authorize(attrs: AccessAttributes): Decision {
    const decision = this.decide(attrs);
    this.recorder?.push([attrs, decision.allowed]);
    return decision;
  }

  /**
   * Runs `work` (synchronous), returning its result and every decision `authorize` made
   * meanwhile: what a result computed for one caller rests on, so that another caller
   * given the same answers may share it.
   */
  recording<T>(work: () => T): { result: T; decisions: Array<[attrs: AccessAttributes, allowed: boolean]> } {
    const outer = this.recorder;
    const decisions: Array<[AccessAttributes, boolean]> = [];
    this.recorder = decisions;
    try {
      return { result: work(), decisions };
    } finally {
      this.recorder = outer;
      outer?.push(...decisions);
    }
  }

  private decide(attrs: AccessAttributes): Decision {
    if (attrs.groups.includes(MASTERS_GROUP)) return { allowed: true };
    // Kubernetes' chain: the Node authorizer first, then RBAC, which may still grant a node more.
    const asNode = this.nodes.decide(attrs);
    if (asNode?.allowed) return asNode;
    if (this.rbac.allows(attrs)) return { allowed: true };
    return asNode ?? { allowed: false, reason: forbiddenMessage(attrs) };
  }

  /** The decision for a path outside the resources: `get /metrics`, `get /apis/apps`. */
  authorizePath(attrs: PathAttributes): Decision {
    if (attrs.groups.includes(MASTERS_GROUP)) return { allowed: true };
    for (const rules of this.ruleSets(attrs, undefined)) {
      if (rules.some((rule) => ruleAllowsPath(rule, attrs.verb, attrs.path))) return { allowed: true };
    }
    return { allowed: false, reason: forbiddenPathMessage(attrs) };
  }

  /**
   * Every rule that holds for the subject in `namespace` (cluster-wide ones only, without
   * one), as Kubernetes' rule resolver lists them for a SelfSubjectRulesReview and the
   * escalation check. A cluster admin's are the one rule that covers everything.
   */
  rulesFor(subject: Subject, namespace: string | undefined): PolicyRule[] {
    if (subject.groups.includes(MASTERS_GROUP)) {
      return [
        { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
        { nonResourceURLs: ['*'], verbs: ['*'] },
      ];
    }
    return this.ruleSets(subject, namespace).flatMap((rules) => [...rules]);
  }

  private ruleSets(subject: Subject, namespace: string | undefined): ReadonlyArray<readonly PolicyRule[]> {
    return this.rbac.ruleSets(subject, namespace);
  }
}
