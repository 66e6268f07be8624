import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { ClusterRole } from '../../schema/kinds/clusterrole.ts';
import type { ClusterRoleBinding } from '../../schema/kinds/clusterrolebinding.ts';
import { RBAC_GROUP, type PolicyRule, type RoleRef, type Subject } from '../../schema/kinds/rbac-shapes.ts';
import type { Role } from '../../schema/kinds/role.ts';
import type { RoleBinding } from '../../schema/kinds/rolebinding.ts';
import type { KindAdmission } from './admission.ts';
import * as v from './validation.ts';

/**
 * Roles, ClusterRoles and their bindings, as Kubernetes' RBAC API validates and defaults
 * them. Stored and served only: nothing here grants or refuses a request yet.
 */

function policyRule(rule: PolicyRule, namespaced: boolean, path: string, errors: FieldError[]): void {
  const at = (field: string) => joinPath(path, field);
  if (!rule.verbs?.length)
    errors.push(fieldError(at('verbs'), 'Required', 'verbs must contain at least one value'));
  if (rule.nonResourceURLs?.length) {
    if (namespaced) {
      errors.push(
        fieldError(at('nonResourceURLs'), 'Invalid', 'namespaced rules cannot apply to non-resource URLs'),
      );
    }
    if (rule.apiGroups?.length || rule.resources?.length || rule.resourceNames?.length) {
      const message = 'rules cannot apply to both regular resources and non-resource URLs';
      errors.push(fieldError(at('nonResourceURLs'), 'Invalid', message));
    }
    return;
  }
  if (!rule.apiGroups?.length) {
    errors.push(fieldError(at('apiGroups'), 'Required', 'resource rules must supply at least one api group'));
  }
  if (!rule.resources?.length) {
    errors.push(fieldError(at('resources'), 'Required', 'resource rules must supply at least one resource'));
  }
  if (rule.resourceNames?.length && (rule.resources?.length ?? 0) > 1) {
    errors.push(
      fieldError(at('resourceNames'), 'Required', 'resource names cannot apply to multiple resources'),
    );
  }
}

function rules(list: PolicyRule[] | undefined, namespaced: boolean): FieldError[] {
  const errors: FieldError[] = [];
  list?.forEach((rule, i) => policyRule(rule, namespaced, joinPath('rules', i), errors));
  return errors;
}

/** SetDefaults_Subject: a User or Group is of the RBAC group, a ServiceAccount of the core one. */
function defaultSubjects(subjects: Subject[] | undefined): void {
  for (const subject of subjects ?? []) {
    if (subject.apiGroup) continue;
    subject.apiGroup = subject.kind === 'User' || subject.kind === 'Group' ? RBAC_GROUP : '';
  }
}

function subject(s: Subject, namespaced: boolean, path: string, errors: FieldError[]): void {
  const at = (field: string) => joinPath(path, field);
  if (!s.name) errors.push(fieldError(at('name'), 'Required', 'Required value'));
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.name) v.dns1123Subdomain(s.name, at('name'), errors);
      if (s.apiGroup) v.supported(s.apiGroup, [''], at('apiGroup'), errors);
      if (!namespaced && !s.namespace) errors.push(fieldError(at('namespace'), 'Required', 'Required value'));
      break;
    case 'User':
    case 'Group':
      v.supported(s.apiGroup ?? '', [RBAC_GROUP], at('apiGroup'), errors);
      break;
    default:
      v.supported(s.kind, ['ServiceAccount', 'User', 'Group'], at('kind'), errors);
  }
}

function binding(
  obj: { roleRef: RoleRef; subjects?: Subject[] },
  old: { roleRef: RoleRef } | undefined,
  roleKinds: string[],
  namespaced: boolean,
): FieldError[] {
  const errors: FieldError[] = [];
  const ref = obj.roleRef;
  v.supported(ref.apiGroup, [RBAC_GROUP], 'roleRef.apiGroup', errors);
  v.supported(ref.kind, roleKinds, 'roleRef.kind', errors);
  if (!ref.name) errors.push(fieldError('roleRef.name', 'Required', 'Required value'));
  else v.pathSegmentName(ref.name, 'roleRef.name', errors);
  obj.subjects?.forEach((s, i) => subject(s, namespaced, joinPath('subjects', i), errors));
  if (old && !v.equivalent(ref, old.roleRef))
    errors.push(fieldError('roleRef', 'Invalid', 'cannot change roleRef'));
  return errors;
}

function defaultBinding(obj: { roleRef?: RoleRef; subjects?: Subject[] }): void {
  if (obj.roleRef) obj.roleRef.apiGroup ||= RBAC_GROUP;
  defaultSubjects(obj.subjects);
}

export const roleAdmission: KindAdmission<Role & Resource> = {
  name: v.pathSegmentName,
  validate: (role) => rules(role.rules, true),
};

export const clusterRoleAdmission: KindAdmission<ClusterRole & Resource> = {
  name: v.pathSegmentName,
  validate(role) {
    const errors = rules(role.rules, false);
    role.aggregationRule?.clusterRoleSelectors?.forEach((selector, i) =>
      v.labelSelector(selector, joinPath('aggregationRule.clusterRoleSelectors', i), errors),
    );
    return errors;
  },
};

export const roleBindingAdmission: KindAdmission<RoleBinding & Resource> = {
  name: v.pathSegmentName,
  default: defaultBinding,
  validate: (rb, ctx) => binding(rb, ctx.old, ['Role', 'ClusterRole'], true),
};

export const clusterRoleBindingAdmission: KindAdmission<ClusterRoleBinding & Resource> = {
  name: v.pathSegmentName,
  default: defaultBinding,
  validate: (crb, ctx) => binding(crb, ctx.old, ['ClusterRole'], false),
};
