import { describe, expect, it } from 'vitest';
import type { Resource } from '../../schema/kind.ts';
import type { AccessAttributes } from '../../server/auth/access-attributes.ts';
import { Authorizer } from '../../server/auth/authorizer.ts';
import { defaultClusterRoleBindings, defaultClusterRoles } from '../../server/auth/default-roles.ts';
import { ruleAllows, ruleAllowsPath } from '../../server/auth/policy-rule.ts';
import type { Store } from '../../server/store/store.ts';

// Kubernetes' RBAC matching, rule by rule, and the meaning of the default ClusterRoles.

const request = (extra: Partial<AccessAttributes>): AccessAttributes => ({
  user: 'alice',
  groups: ['system:authenticated'],
  verb: 'get',
  apiGroup: '',
  resource: 'pods',
  namespace: 'team',
  ...extra,
});

describe('a policy rule', () => {
  it('matches verbs, groups and resources exactly or by *', () => {
    const rule = { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list'] };
    expect(ruleAllows(rule, request({ apiGroup: 'apps', resource: 'deployments' }))).toBe(true);
    expect(ruleAllows(rule, request({ apiGroup: 'apps', resource: 'deployments', verb: 'delete' }))).toBe(
      false,
    );
    expect(ruleAllows(rule, request({ apiGroup: '', resource: 'deployments' }))).toBe(false);
    expect(
      ruleAllows({ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, request({ verb: 'escalate' })),
    ).toBe(true);
  });

  it('keeps subresources apart: pods does not cover pods/log, */log covers every log', () => {
    const pods = { apiGroups: [''], resources: ['pods'], verbs: ['get'] };
    expect(ruleAllows(pods, request({ subresource: 'log' }))).toBe(false);
    expect(ruleAllows({ ...pods, resources: ['pods/log'] }, request({ subresource: 'log' }))).toBe(true);
    expect(ruleAllows({ ...pods, resources: ['pods/log'] }, request({}))).toBe(false);
    expect(ruleAllows({ ...pods, resources: ['*/log'] }, request({ subresource: 'log' }))).toBe(true);
  });

  it('narrows to resourceNames, which a list (naming none) never matches', () => {
    const rule = { apiGroups: [''], resources: ['pods'], resourceNames: ['web'], verbs: ['get', 'list'] };
    expect(ruleAllows(rule, request({ name: 'web' }))).toBe(true);
    expect(ruleAllows(rule, request({ name: 'db' }))).toBe(false);
    expect(ruleAllows(rule, request({ verb: 'list' }))).toBe(false);
  });
});

/** An authorizer over these objects, as the store would hold them. */
function authorizer(objects: Array<Record<string, unknown>>): Authorizer {
  const byKind = new Map<string, Map<string, Resource>>();
  for (const obj of objects as unknown as Resource[]) {
    if (!byKind.has(obj.kind)) byKind.set(obj.kind, new Map());
    byKind.get(obj.kind)!.set(`${obj.metadata.namespace}/${obj.metadata.name}`, obj);
  }
  const store = {
    subscribe: () => () => {},
    objects: { ofKind: (kind: string) => byKind.get(kind) ?? new Map() },
  };
  return new Authorizer(store as unknown as Store);
}

const roleRef = (kind: string, name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind, name });
const binding = (
  kind: string,
  namespace: string | undefined,
  role: ReturnType<typeof roleRef>,
  subject: object,
) => ({
  kind,
  metadata: { name: `b-${Math.random()}`, namespace },
  roleRef: role,
  subjects: [subject],
});

describe('the default ClusterRoles bound in a namespace', () => {
  const authz = authorizer([
    ...defaultClusterRoles(),
    binding('RoleBinding', 'team', roleRef('ClusterRole', 'view'), { kind: 'User', name: 'viewer' }),
    binding('RoleBinding', 'team', roleRef('ClusterRole', 'edit'), { kind: 'User', name: 'editor' }),
    binding('RoleBinding', 'team', roleRef('ClusterRole', 'admin'), { kind: 'Group', name: 'leads' }),
  ]);
  const can = (user: string, extra: Partial<AccessAttributes>, groups: string[] = []) =>
    authz.authorize(request({ user, groups, ...extra })).allowed;

  it('view reads most kinds but not Secrets, and writes nothing', () => {
    expect(can('viewer', { verb: 'list', apiGroup: 'apps', resource: 'deployments' })).toBe(true);
    expect(can('viewer', { verb: 'watch', resource: 'pods' })).toBe(true);
    expect(can('viewer', { verb: 'get', resource: 'secrets' })).toBe(false);
    expect(can('viewer', { verb: 'create', resource: 'configmaps' })).toBe(false);
  });

  it('edit writes most kinds and Secrets, not roles or bindings', () => {
    expect(can('editor', { verb: 'delete', resource: 'secrets' })).toBe(true);
    expect(
      can('editor', { verb: 'patch', apiGroup: 'apps', resource: 'deployments', subresource: 'scale' }),
    ).toBe(true);
    expect(
      can('editor', { verb: 'create', apiGroup: 'rbac.authorization.k8s.io', resource: 'rolebindings' }),
    ).toBe(false);
  });

  it('admin manages roles and bindings in its namespace, nowhere else, and nothing cluster-scoped', () => {
    const rbac = { verb: 'create', apiGroup: 'rbac.authorization.k8s.io', resource: 'roles' };
    expect(can('lead', rbac, ['leads'])).toBe(true);
    expect(can('lead', { ...rbac, namespace: 'other' }, ['leads'])).toBe(false);
    expect(can('lead', { verb: 'list', resource: 'namespaces', namespace: undefined }, ['leads'])).toBe(
      false,
    );
    expect(can('lead', { ...rbac, resource: 'clusterroles', namespace: undefined }, ['leads'])).toBe(false);
  });

  it('explains a refusal as Kubernetes does', () => {
    const decision = authz.authorize(
      request({ user: 'viewer', verb: 'get', resource: 'secrets', name: 'db' }),
    );
    expect(decision).toEqual({
      allowed: false,
      reason:
        'secrets "db" is forbidden: User "viewer" cannot get resource "secrets" in API group "" in the namespace "team"',
    });
  });
});

describe('bindings', () => {
  it('a RoleBinding grants its Role in its own namespace; a ServiceAccount subject defaults to it', () => {
    const authz = authorizer([
      {
        kind: 'Role',
        metadata: { name: 'r', namespace: 'team' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
      },
      binding('RoleBinding', 'team', roleRef('Role', 'r'), { kind: 'ServiceAccount', name: 'ci' }),
    ]);
    const ci = { user: 'system:serviceaccount:team:ci', groups: [] };
    expect(authz.authorize(request(ci)).allowed).toBe(true);
    expect(authz.authorize(request({ ...ci, namespace: 'other' })).allowed).toBe(false);
    expect(authz.authorize(request({ ...ci, user: 'system:serviceaccount:other:ci' })).allowed).toBe(false);
  });

  it('a ClusterRoleBinding grants everywhere and at the cluster scope; system:masters needs none', () => {
    const authz = authorizer([
      ...defaultClusterRoles(),
      binding('ClusterRoleBinding', undefined, roleRef('ClusterRole', 'view'), {
        kind: 'Group',
        name: 'auditors',
      }),
    ]);
    expect(
      authz.authorize(request({ groups: ['auditors'], verb: 'list', namespace: undefined })).allowed,
    ).toBe(true);
    expect(authz.authorize(request({ groups: ['auditors'], verb: 'list', namespace: 'x' })).allowed).toBe(
      true,
    );
    expect(
      authz.authorize(request({ groups: ['system:masters'], verb: 'delete', resource: 'nodes' })).allowed,
    ).toBe(true);
    expect(authz.authorize(request({ groups: [], verb: 'list', namespace: undefined })).allowed).toBe(false);
  });
});

describe('paths outside the resources', () => {
  it('match a nonResourceURL exactly, or under a prefix ending in *', () => {
    const rule = { nonResourceURLs: ['/healthz', '/apis/*'], verbs: ['get'] };
    expect(ruleAllowsPath(rule, 'get', '/healthz')).toBe(true);
    expect(ruleAllowsPath(rule, 'get', '/healthz/etcd')).toBe(false);
    expect(ruleAllowsPath(rule, 'get', '/apis/apps/v1')).toBe(true);
    expect(ruleAllowsPath(rule, 'get', '/apis')).toBe(false);
    expect(ruleAllowsPath(rule, 'post', '/healthz')).toBe(false);
    expect(ruleAllowsPath({ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, 'get', '/healthz')).toBe(
      false,
    );
  });

  it('are discovery for every authenticated caller and version for anyone, /metrics for neither', () => {
    const authz = authorizer([...defaultClusterRoles(), ...defaultClusterRoleBindings()]);
    const can = (groups: string[], path: string) =>
      authz.authorizePath({ user: 'u', groups, verb: 'get', path }).allowed;
    const authenticated = ['system:authenticated'];
    expect(can(authenticated, '/apis/apps/v1')).toBe(true);
    expect(can(authenticated, '/openapi/v3')).toBe(true);
    expect(can(authenticated, '/metrics')).toBe(false);
    expect(can(['system:unauthenticated'], '/version')).toBe(true);
    expect(can(['system:unauthenticated'], '/api')).toBe(false);
    expect(can(['system:masters'], '/metrics')).toBe(true);
    expect(authz.authorizePath({ user: 'u', groups: authenticated, verb: 'get', path: '/metrics' })).toEqual({
      allowed: false,
      reason: 'forbidden: User "u" cannot get path "/metrics"',
    });
  });
});
