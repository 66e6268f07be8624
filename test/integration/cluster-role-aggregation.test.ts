import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterRoleAggregationController } from '../../agent/controllers/cluster-role-aggregation.ts';
import { DEFAULT_CLUSTER_ROLES } from '../../server/auth/default-roles.ts';
import { controllerCluster, eventually } from '../support/controller-cluster.ts';
import type { Untyped } from '../support/harness.ts';
import { forbidden, rbacCallers } from '../support/rbac-callers.ts';

// Aggregated ClusterRoles: the clusterrole-aggregation controller fills an aggregated role's
// rules from the roles its selectors match, and the escalation check asks for everything
// of whoever sets an aggregationRule, as Kubernetes does.

const CLUSTER_ROLES = '/apis/rbac.authorization.k8s.io/v1/clusterroles';
const MONITORING = 'example.com/aggregate-to-monitoring';
const PODS_READ = { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] };

const clusterRole = (name: string, extra: Record<string, unknown>) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name },
  ...extra,
});

describe('clusterrole aggregation', () => {
  const env = controllerCluster([clusterRoleAggregationController]);
  let callers: ReturnType<typeof rbacCallers>;
  const rest = (method: string, path: string, body?: unknown) =>
    callers.restAs(env.cluster.token, method, path, body);
  const rulesOf = async (name: string) => (await rest('GET', `${CLUSTER_ROLES}/${name}`)).body.rules ?? [];

  beforeAll(() => {
    callers = rbacCallers(env.cluster);
  });
  afterAll(() => callers.dispose());

  it('gathers the rules of the roles its selectors match, and drops them when the label goes', async () => {
    const aggregated = clusterRole('monitoring', {
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [MONITORING]: 'true' } }] },
    });
    expect((await rest('POST', CLUSTER_ROLES, aggregated)).status).toBe(201);
    const labelled = clusterRole('monitoring-pods', {
      metadata: { name: 'monitoring-pods', labels: { [MONITORING]: 'true' } },
      rules: [PODS_READ],
    });
    expect((await rest('POST', CLUSTER_ROLES, labelled)).status).toBe(201);
    await eventually(
      () => rulesOf('monitoring'),
      (rules: Untyped[]) => rules.length === 1,
    );
    expect(await rulesOf('monitoring')).toEqual([PODS_READ]);

    // Rules written by hand to an aggregated role are replaced by what it gathers.
    await env.writer.patch('ClusterRole', 'monitoring', undefined, {
      rules: [{ ...PODS_READ, verbs: ['*'] }],
    });
    await eventually(
      () => rulesOf('monitoring'),
      (rules: Untyped[]) => rules.length === 1 && rules[0].verbs.length === 2,
    );

    await env.writer.patch('ClusterRole', 'monitoring-pods', undefined, {
      metadata: { labels: { [MONITORING]: null } },
    });
    await eventually(
      () => rulesOf('monitoring'),
      (rules: Untyped[]) => rules.length === 0,
    );

    // The default roles are stored as what they aggregate to: the controller finds nothing to change.
    for (const role of ['admin', 'edit', 'view'])
      expect(await rulesOf(role)).toEqual(DEFAULT_CLUSTER_ROLES[role]);
  });

  it('lets a user bound to view list a custom kind once a role labelled aggregate-to-view grants it', async () => {
    await env.cluster.ok(`mutation { createNamespace(namespace: { metadata: { name: "agg" } }) { kind } }`);
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    };
    const created = await rest('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const viewer = await callers.tokenOf('agg', 'viewer');
    await env.cluster.ok(`mutation {
      createRoleBinding(namespace: "agg", roleBinding: { metadata: { name: "viewer" },
        roleRef: { kind: "ClusterRole", name: "view" },
        subjects: [{ kind: "ServiceAccount", name: "viewer", namespace: "agg" }] }) { kind }
    }`);
    const widgets = '/apis/example.com/v1/namespaces/agg/widgets';
    await eventually(
      () => rest('GET', widgets),
      (res) => res.status === 200,
    );
    expect((await callers.restAs(viewer, 'GET', widgets)).status).toBe(403);

    const widgetViewer = clusterRole('widget-viewer', {
      metadata: { name: 'widget-viewer', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
      rules: [{ apiGroups: ['example.com'], resources: ['widgets'], verbs: ['get', 'list', 'watch'] }],
    });
    expect((await rest('POST', CLUSTER_ROLES, widgetViewer)).status).toBe(201);
    const listed = await eventually(
      () => callers.restAs(viewer, 'GET', widgets),
      (res) => res.status === 200,
    );
    expect(listed.body.kind).toBe('WidgetList');
    // view is labelled into edit, and edit into admin: they gather it too.
    for (const role of ['edit', 'admin']) {
      await eventually(
        () => rulesOf(role),
        (rules: Untyped[]) => rules.some((rule) => rule.apiGroups?.includes('example.com')),
        10_000,
        `${role} to gather the widget rule`,
      );
    }
  });

  it('takes holding everything to set an aggregationRule, even with no rules', async () => {
    await env.cluster.ok(`mutation {
      createClusterRole(clusterRole: { metadata: { name: "role-writer" }, rules: [
        { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["create", "update", "patch"] }
      ] }) { kind }
      createClusterRoleBinding(clusterRoleBinding: { metadata: { name: "role-writer" },
        roleRef: { kind: "ClusterRole", name: "role-writer" },
        subjects: [{ kind: "ServiceAccount", name: "writer", namespace: "agg" }] }) { kind }
    }`);
    const writer = await callers.tokenOf('agg', 'writer');
    const plain = await callers.restAs(writer, 'POST', CLUSTER_ROLES, clusterRole('plain', { rules: [] }));
    expect(plain.status, JSON.stringify(plain.body)).toBe(201);

    const aggregationRule = { clusterRoleSelectors: [{ matchLabels: { 'example.com/anything': 'true' } }] };
    const aggregated = clusterRole('sneaky', { aggregationRule });
    const refused = await callers.restAs(writer, 'POST', CLUSTER_ROLES, aggregated);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(
      'clusterroles.rbac.authorization.k8s.io "sneaky" is forbidden: must have cluster-admin privileges to use the aggregationRule',
    );
    // Nor may one be added to a role that had none, or dropped from one that has one (keeping its rules).
    const patch = (name: string, body: unknown) =>
      callers.gqlAs(
        writer,
        `mutation($name: String!, $patch: JSON!) { patchClusterRole(name: $name, patch: $patch) { kind } }`,
        {
          name,
          patch: body,
        },
      );
    expect(forbidden(await patch('plain', { aggregationRule }))).toContain(
      'must have cluster-admin privileges to use the aggregationRule',
    );
    expect(forbidden(await patch('monitoring', { aggregationRule: null }))).toContain(
      'must have cluster-admin privileges to use the aggregationRule',
    );
    // What grants nothing (a label) may still change.
    expect((await patch('monitoring', { metadata: { labels: { team: 'ops' } } })).errors).toBeUndefined();
  });
});
