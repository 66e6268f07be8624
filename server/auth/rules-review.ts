import type { PolicyRule } from '../../schema/kinds/rbac-shapes.ts';
import type { Authorizer, Subject } from './authorizer.ts';

/** A rule on resources, as a SelfSubjectRulesReview lists it. */
export interface ResourceRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
}

/** A rule on paths outside the resources, as a SelfSubjectRulesReview lists it. */
export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs: string[];
}

/** SelfSubjectRulesReview's status: what the caller may do in a namespace. */
export interface RulesReview {
  resourceRules: ResourceRule[];
  nonResourceRules: NonResourceRule[];
  /** Always false: every rule is known (no other authorizer, no rule that failed to resolve). */
  incomplete: boolean;
}

/**
 * Every rule that holds for the subject in `namespace`, from the authorizer that decides each
 * request (`kubectl auth can-i --list`): the rules of its ClusterRoleBindings and of its
 * RoleBindings there, resource rules apart from non-resource ones, each rule once.
 */
export function rulesReview(
  authorizer: Authorizer,
  subject: Subject,
  namespace: string | undefined,
): RulesReview {
  const review: RulesReview = { resourceRules: [], nonResourceRules: [], incomplete: false };
  const seen = new Set<string>();
  for (const rule of authorizer.rulesFor(subject, namespace)) {
    const key = JSON.stringify(rule);
    if (seen.has(key)) continue;
    seen.add(key);
    if (rule.nonResourceURLs?.length) {
      review.nonResourceRules.push({ verbs: [...rule.verbs], nonResourceURLs: [...rule.nonResourceURLs] });
    } else {
      review.resourceRules.push(resourceRule(rule));
    }
  }
  return review;
}

function resourceRule(rule: PolicyRule): ResourceRule {
  const out: ResourceRule = {
    verbs: [...rule.verbs],
    apiGroups: [...(rule.apiGroups ?? [])],
    resources: [...(rule.resources ?? [])],
  };
  if (rule.resourceNames?.length) out.resourceNames = [...rule.resourceNames];
  return out;
}
