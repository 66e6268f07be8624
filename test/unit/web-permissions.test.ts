import { describe, expect, it } from 'vitest';
import { derivePermissions, ruleAllows, type ResourceRule } from '../../web/src/access/permissions.ts';
import { KINDS, kindInfo, type KindName } from '../../web/src/kinds.ts';

const kind = (name: KindName) => kindInfo(name)!;

/** Kubernetes' `view` role as RBAC writes it: reads most kinds, not Secrets. */
const VIEW: ResourceRule[] = [
  {
    apiGroups: [''],
    resources: ['pods', 'pods/log', 'services', 'endpoints', 'configmaps', 'events', 'namespaces'],
    verbs: ['get', 'list', 'watch'],
  },
  {
    apiGroups: ['apps'],
    resources: ['deployments', 'deployments/scale', 'replicasets', 'statefulsets', 'daemonsets'],
    verbs: ['get', 'list', 'watch'],
  },
];

describe('ruleAllows', () => {
  const deploymentsPatch = { verb: 'patch', group: 'apps', resource: 'deployments' };

  it('matches verb, group and resource, each by name or `*`', () => {
    expect(
      ruleAllows({ verbs: ['patch'], apiGroups: ['apps'], resources: ['deployments'] }, deploymentsPatch),
    ).toBe(true);
    expect(ruleAllows({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, deploymentsPatch)).toBe(true);
    expect(
      ruleAllows({ verbs: ['get'], apiGroups: ['apps'], resources: ['deployments'] }, deploymentsPatch),
    ).toBe(false);
    expect(
      ruleAllows({ verbs: ['patch'], apiGroups: [''], resources: ['deployments'] }, deploymentsPatch),
    ).toBe(false);
    expect(
      ruleAllows({ verbs: ['patch'], apiGroups: ['apps'], resources: ['replicasets'] }, deploymentsPatch),
    ).toBe(false);
  });

  it('grants a subresource only by its own name, `*/sub` or `*`, never by the parent resource', () => {
    const scale = { verb: 'update', group: 'apps', resource: 'deployments', subresource: 'scale' };
    const rule = (resources: string[]): ResourceRule => ({
      verbs: ['update'],
      apiGroups: ['apps'],
      resources,
    });
    expect(ruleAllows(rule(['deployments/scale']), scale)).toBe(true);
    expect(ruleAllows(rule(['*/scale']), scale)).toBe(true);
    expect(ruleAllows(rule(['*']), scale)).toBe(true);
    expect(ruleAllows(rule(['deployments']), scale)).toBe(false);
    expect(ruleAllows(rule(['*/status']), scale)).toBe(false);
    // And the parent resource is not granted by its subresource.
    expect(ruleAllows(rule(['deployments/scale']), { ...scale, subresource: undefined })).toBe(false);
  });

  it('limits a rule with resourceNames to those objects, and never to a request naming none', () => {
    const rule: ResourceRule = {
      verbs: ['delete', 'list'],
      apiGroups: [''],
      resources: ['pods'],
      resourceNames: ['a'],
    };
    expect(ruleAllows(rule, { verb: 'delete', group: '', resource: 'pods', name: 'a' })).toBe(true);
    expect(ruleAllows(rule, { verb: 'delete', group: '', resource: 'pods', name: 'b' })).toBe(false);
    expect(ruleAllows(rule, { verb: 'list', group: '', resource: 'pods' })).toBe(false);
    expect(ruleAllows({ ...rule, resourceNames: [] }, { verb: 'list', group: '', resource: 'pods' })).toBe(
      true,
    );
  });
});

describe('derivePermissions', () => {
  it('lists what `view` may list, and hides Secrets, Nodes and Leases', () => {
    const view = derivePermissions(VIEW);
    const listable = KINDS.filter((k) => view.listScope(k)).map((k) => k.kind);
    expect(listable).toEqual([
      'Pod',
      'Deployment',
      'ReplicaSet',
      'StatefulSet',
      'DaemonSet',
      'Service',
      'Endpoints',
      'ConfigMap',
      'Namespace',
      'Event',
    ]);
  });

  it('tells a kind listable cluster-wide from one listable only in the namespace in view', () => {
    // `view` bound by a RoleBinding in team: nothing cluster-wide, its rules in team.
    const inTeam = derivePermissions([], 'team', VIEW);
    expect(inTeam.listScope(kind('Deployment'))).toBe('namespace');
    expect(inTeam.listScope(kind('Secret'))).toBeUndefined();
    // A RoleBinding never grants a cluster-scoped kind, whatever its role lists.
    expect(inTeam.listScope(kind('Namespace'))).toBeUndefined();
    expect(derivePermissions(VIEW, 'team', VIEW).listScope(kind('Deployment'))).toBe('cluster');
    // Every namespace at once is decided by the cluster-wide grants only.
    expect(derivePermissions([]).listScope(kind('Deployment'))).toBeUndefined();
  });

  it('denies `view` every write, saying which permission each needs and where', () => {
    const view = derivePermissions([], 'team', VIEW);
    const deployment = kind('Deployment');
    expect(view.denial('scale', deployment, 'web')).toBe(
      'forbidden: needs update on deployments.apps/scale in namespace team',
    );
    expect(view.denial('edit', deployment, 'web')).toBe(
      'forbidden: needs patch on deployments.apps in namespace team',
    );
    expect(view.denial('delete', deployment, 'web')).toBe(
      'forbidden: needs delete on deployments.apps in namespace team',
    );
    expect(view.denial('rollout', deployment, 'web')).toBe(
      'forbidden: needs patch on deployments.apps in namespace team',
    );
    expect(view.denial('create', kind('ConfigMap'))).toBe(
      'forbidden: needs create on configmaps in namespace team',
    );
    expect(view.denial('exec', kind('Pod'), 'p')).toBe(
      'forbidden: needs create on pods/exec in namespace team',
    );
    expect(view.denial('delete', kind('Node'), 'n1')).toBe('forbidden: needs delete on nodes');
    expect(derivePermissions(VIEW).denial('delete', kind('Pod'))).toBe(
      'forbidden: needs delete on pods in every namespace',
    );
    // Reading logs is viewing.
    expect(view.may('logs', kind('Pod'), 'p')).toBe(true);
    expect(view.denial('logs', kind('Pod'), 'p')).toBeUndefined();
  });

  it('allows everything to `*` on `*` in `*`, subresources included', () => {
    const admin = derivePermissions([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]);
    for (const k of KINDS) expect(admin.listScope(k)).toBe('cluster');
    for (const action of ['create', 'edit', 'scale', 'delete', 'rollout', 'logs', 'exec'] as const)
      expect(admin.denial(action, kind('Pod'), 'p')).toBeUndefined();
  });

  it('allows actions on named objects only, and never creating under a rule limited to names', () => {
    const rules: ResourceRule[] = [
      { verbs: ['create'], apiGroups: [''], resources: ['pods/exec'], resourceNames: ['debug'] },
      { verbs: ['create', 'patch'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['settings'] },
    ];
    const p = derivePermissions([], 'team', rules);
    expect(p.may('exec', kind('Pod'), 'debug')).toBe(true);
    expect(p.may('exec', kind('Pod'), 'web')).toBe(false);
    expect(p.may('logs', kind('Pod'), 'debug')).toBe(false);
    expect(p.may('edit', kind('ConfigMap'), 'settings')).toBe(true);
    expect(p.may('create', kind('ConfigMap'), 'settings')).toBe(false);
  });
});
