import type { KindInfo } from '../kinds.ts';

/** A rule as SelfSubjectRulesReview lists it: `*` stands for every verb, group or resource. */
export interface ResourceRule {
  verbs: readonly string[];
  apiGroups: readonly string[];
  resources: readonly string[];
  /** Only these objects; every object when empty or absent. */
  resourceNames?: readonly string[];
}

/** One request as RBAC decides it. */
export interface AccessRequest {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  /** The object's name; none for list and create, which a rule naming objects never allows. */
  name?: string;
}

/** What the dashboard offers on an object, each checked as the API checks the mutation behind it. */
export type Action = 'create' | 'edit' | 'scale' | 'delete' | 'rollout' | 'logs' | 'exec';

const ACTIONS: Record<Action, { verb: string; subresource?: string }> = {
  create: { verb: 'create' },
  // An edit is an apply of an object that exists: the API asks for patch.
  edit: { verb: 'patch' },
  scale: { verb: 'update', subresource: 'scale' },
  delete: { verb: 'delete' },
  // Set image, restart, pause, resume and undo all patch the workload.
  rollout: { verb: 'patch' },
  logs: { verb: 'get', subresource: 'log' },
  exec: { verb: 'create', subresource: 'exec' },
};

/** The part of a kind that RBAC names it by. */
export type KindRef = Pick<KindInfo, 'kind' | 'plural' | 'apiGroup' | 'namespaced'>;

/** Whether one rule allows the request, matching as Kubernetes' RBAC authorizer does. */
export function ruleAllows(rule: ResourceRule, request: AccessRequest): boolean {
  if (!rule.verbs.includes('*') && !rule.verbs.includes(request.verb)) return false;
  if (!rule.apiGroups.includes('*') && !rule.apiGroups.includes(request.group)) return false;
  if (!rule.resources.some((resource) => resourceMatches(resource, request))) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (request.name !== undefined && names.includes(request.name));
}

/** `*` is every resource and subresource; `*\/scale` is every resource's scale; `deployments` is not its scale. */
function resourceMatches(ruleResource: string, { resource, subresource }: AccessRequest): boolean {
  if (ruleResource === '*') return true;
  if (!subresource) return ruleResource === resource;
  return ruleResource === `${resource}/${subresource}` || ruleResource === `*/${subresource}`;
}

export function rulesAllow(rules: readonly ResourceRule[], request: AccessRequest): boolean {
  return rules.some((rule) => ruleAllows(rule, request));
}

/** Where a kind may be listed: everywhere, only in the namespace in view, or not at all. */
export type ListScope = 'cluster' | 'namespace' | undefined;

export interface Permissions {
  /** The namespace these permissions are about; undefined for every namespace at once. */
  namespace?: string;
  listScope(kind: KindRef): ListScope;
  may(action: Action, kind: KindRef, name?: string): boolean;
  /** Why an action is not allowed ("forbidden: needs patch on deployments.apps in namespace x"), if it is not. */
  denial(action: Action, kind: KindRef, name?: string): string | undefined;
}

/**
 * What the caller may do, from SelfSubjectRulesReview's rules: `cluster` are the
 * cluster-wide grants, `inNamespace` those that hold in `namespace` (RoleBindings there
 * as well as the cluster-wide ones). A cluster-scoped kind is decided by the cluster-wide
 * grants alone: a RoleBinding never grants it, whatever its role lists.
 */
export function derivePermissions(
  cluster: readonly ResourceRule[],
  namespace?: string,
  inNamespace: readonly ResourceRule[] = cluster,
): Permissions {
  const scoped = (kind: KindRef) => kind.namespaced && namespace !== undefined;
  const rulesFor = (kind: KindRef) => (scoped(kind) ? inNamespace : cluster);
  const request = (action: Action, kind: KindRef, name?: string): AccessRequest => ({
    ...ACTIONS[action],
    group: kind.apiGroup,
    resource: kind.plural,
    // Create names no object: a rule limited to names never allows it.
    ...(name !== undefined && action !== 'create' ? { name } : {}),
  });
  const may = (action: Action, kind: KindRef, name?: string) =>
    rulesAllow(rulesFor(kind), request(action, kind, name));
  return {
    namespace,
    listScope(kind) {
      const list = { verb: 'list', group: kind.apiGroup, resource: kind.plural };
      if (rulesAllow(cluster, list)) return 'cluster';
      return scoped(kind) && rulesAllow(inNamespace, list) ? 'namespace' : undefined;
    },
    may,
    denial(action, kind, name) {
      if (may(action, kind, name)) return undefined;
      const { verb, subresource } = ACTIONS[action];
      const resource = kind.apiGroup ? `${kind.plural}.${kind.apiGroup}` : kind.plural;
      const where = scoped(kind)
        ? ` in namespace ${namespace}`
        : kind.namespaced
          ? ' in every namespace'
          : '';
      return `forbidden: needs ${verb} on ${resource}${subresource ? `/${subresource}` : ''}${where}`;
    },
  };
}
