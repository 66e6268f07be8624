import { isDeepStrictEqual } from 'node:util';
import type { Resource } from '../../schema/kind.ts';
import { RBAC_GROUP, type PolicyRule, type RoleRef } from '../../schema/kinds/rbac-shapes.ts';
import { ApiError, notFound } from '../errors.ts';
import { objectKey, type TxView } from '../store/store.ts';
import type { Authorizer, Subject } from './authorizer.ts';

/** What of an RBAC object grants something: a role's rules, a binding's role and subjects. */
const GRANTING: Record<string, readonly string[]> = {
  Role: ['rules'],
  ClusterRole: ['rules', 'aggregationRule'],
  RoleBinding: ['roleRef', 'subjects'],
  ClusterRoleBinding: ['roleRef', 'subjects'],
};

/**
 * Kubernetes' RBAC escalation prevention, for an RBAC object about to be stored by `subject`:
 * a Role or ClusterRole may grant only what the writer already holds where it applies
 * (unless the writer may `escalate` it); a binding may grant only a role whose every rule the
 * writer holds where the binding applies (unless the writer may `bind` that role). A
 * ClusterRole with an aggregationRule, before or after the write, takes holding everything
 * besides, since aggregation may gather any rule into it. Throws
 * FORBIDDEN with Kubernetes' message. A write that leaves what the object grants as it was
 * (labels, finalizers, a deletion mark) is not an escalation and is let through.
 */
export function checkEscalation(
  authorizer: Authorizer,
  subject: Subject,
  obj: Resource,
  current: Resource | undefined,
  tx: TxView,
): void {
  const granting = GRANTING[obj.kind];
  if (!granting) return;
  if (current && granting.every((field) => isDeepStrictEqual(obj[field], current[field]))) return;
  const namespace = obj.kind === 'Role' || obj.kind === 'RoleBinding' ? obj.metadata.namespace : undefined;
  const allowedTo = (verb: string, resource: string, name: string) =>
    authorizer.authorize({ ...subject, verb, apiGroup: RBAC_GROUP, resource, namespace, name }).allowed;

  let granted: readonly PolicyRule[];
  if (obj.kind === 'Role' || obj.kind === 'ClusterRole') {
    if (allowedTo('escalate', obj.kind === 'Role' ? 'roles' : 'clusterroles', obj.metadata.name!)) return;
    granted = (obj.rules as PolicyRule[] | undefined) ?? [];
  } else {
    const ref = obj.roleRef as RoleRef;
    const resource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
    if (allowedTo('bind', resource, ref.name)) return;
    const role = tx.get(objectKey(ref.kind, ref.kind === 'Role' ? namespace : undefined, ref.name));
    if (!role) throw notFound(`${resource}.${RBAC_GROUP}`, ref.name);
    granted = (role.rules as PolicyRule[] | undefined) ?? [];
  }

  const missing = notHeld(authorizer, subject, granted, namespace);
  const plural = `${obj.kind.toLowerCase()}s.${RBAC_GROUP}`;
  if (missing.length > 0) {
    const groups = subject.groups.map((group) => JSON.stringify(group)).join(' ');
    throw new ApiError(
      'FORBIDDEN',
      `${plural} "${obj.metadata.name}" is forbidden: user "${subject.user}" (groups=[${groups}]) ` +
        `is attempting to grant RBAC permissions not currently held:\n${missing.map(compactString).join('\n')}`,
    );
  }
  // An aggregationRule may gather any rule, now or later (and dropping one keeps what it
  // gathered): setting, changing or removing one takes holding everything, as Kubernetes asks.
  const aggregated = aggregates(obj) || (current !== undefined && aggregates(current));
  if (aggregated && notHeld(authorizer, subject, FULL_AUTHORITY, undefined).length > 0) {
    throw new ApiError(
      'FORBIDDEN',
      `${plural} "${obj.metadata.name}" is forbidden: must have cluster-admin privileges to use the aggregationRule`,
    );
  }
}

/** Everything, resources and paths: what `cluster-admin` holds. */
const FULL_AUTHORITY: readonly PolicyRule[] = [
  { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
  { nonResourceURLs: ['*'], verbs: ['*'] },
];

/** Whether a ClusterRole has its rules filled by aggregation. */
function aggregates(role: Resource): boolean {
  const rule = role.aggregationRule as { clusterRoleSelectors?: unknown[] } | undefined;
  return (rule?.clusterRoleSelectors?.length ?? 0) > 0;
}

/**
 * The permissions of `rules` the subject does not hold in `namespace`, each rule broken down
 * to single verbs, groups, resources (and names or URLs), as Kubernetes' Covers does, and
 * gathered again by all but the verb.
 */
function notHeld(
  authorizer: Authorizer,
  subject: Subject,
  rules: readonly PolicyRule[],
  namespace: string | undefined,
): PolicyRule[] {
  const missing = new Map<string, PolicyRule>();
  const lack = (rule: Omit<PolicyRule, 'verbs'>, verb: string) => {
    const key = JSON.stringify(rule);
    const found = missing.get(key);
    if (found) found.verbs.push(verb);
    else missing.set(key, { ...rule, verbs: [verb] });
  };
  for (const rule of rules) {
    for (const verb of rule.verbs) {
      for (const path of rule.nonResourceURLs ?? []) {
        if (!authorizer.authorizePath({ ...subject, verb, path }).allowed)
          lack({ nonResourceURLs: [path] }, verb);
      }
      for (const apiGroup of rule.apiGroups ?? []) {
        for (const entry of rule.resources ?? []) {
          const [resource, subresource] = entry.split('/', 2);
          const names = rule.resourceNames?.length ? rule.resourceNames : [undefined];
          for (const name of names) {
            const request = { ...subject, verb, apiGroup, resource, subresource, namespace, name };
            if (authorizer.authorize(request).allowed) continue;
            lack(
              { apiGroups: [apiGroup], resources: [entry], ...(name ? { resourceNames: [name] } : {}) },
              verb,
            );
          }
        }
      }
    }
  }
  return [...missing.values()];
}

/** A rule as Kubernetes prints one in the escalation message: `{APIGroups:["apps"], Resources:["deployments"], Verbs:["get"]}`. */
function compactString(rule: PolicyRule): string {
  const list = (values: readonly string[]) => `[${values.map((value) => JSON.stringify(value)).join(' ')}]`;
  const parts: string[] = [];
  if (rule.apiGroups) parts.push(`APIGroups:${list(rule.apiGroups)}`);
  if (rule.resources) parts.push(`Resources:${list(rule.resources)}`);
  if (rule.resourceNames) parts.push(`ResourceNames:${list(rule.resourceNames)}`);
  if (rule.nonResourceURLs) parts.push(`NonResourceURLs:${list(rule.nonResourceURLs)}`);
  parts.push(`Verbs:${list(rule.verbs)}`);
  return `{${parts.join(', ')}}`;
}
