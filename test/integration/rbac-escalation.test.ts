import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/harness.ts';
import { forbidden, rbacCallers } from '../support/rbac-callers.ts';

// RBAC escalation prevention, as Kubernetes does it: a Role may grant only what its writer
// holds (or may `escalate`), a binding only a role whose every rule its writer holds (or
// may `bind`), over GraphQL and REST alike.

let cluster: TestCluster;
let callers: ReturnType<typeof rbacCallers>;
/** Manages roles and bindings in `esc` and reads pods there: nothing else. */
let lead: string;
/** Creates bindings in `esc`, and may bind the `edit` ClusterRole without holding it. */
let binder: string;
/** Creates roles in `esc`, and may escalate them. */
let escalator: string;

const LEAD = 'system:serviceaccount:esc:lead';
const LEAD_GROUPS = '"system:serviceaccounts" "system:serviceaccounts:esc" "system:authenticated"';
const RBAC_API = '/apis/rbac.authorization.k8s.io/v1/namespaces/esc';

beforeAll(async () => {
  cluster = await startCluster();
  callers = rbacCallers(cluster);
  await cluster.ok(`mutation {
    ns: createNamespace(namespace: { metadata: { name: "esc" } }) { kind }
    lead: createRole(namespace: "esc", role: { metadata: { name: "lead" }, rules: [
      { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: ["get", "list", "create", "update", "patch", "delete"] },
      { apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }
    ] }) { kind }
    binder: createRole(namespace: "esc", role: { metadata: { name: "binder" }, rules: [
      { apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["create"] },
      { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind"], resourceNames: ["edit"] }
    ] }) { kind }
    escalator: createRole(namespace: "esc", role: { metadata: { name: "escalator" }, rules: [
      { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["create", "escalate"] }
    ] }) { kind }
    a: createRoleBinding(namespace: "esc", roleBinding: { metadata: { name: "lead" }, roleRef: { kind: "Role", name: "lead" }, subjects: [{ kind: "ServiceAccount", name: "lead", namespace: "esc" }] }) { kind }
    b: createRoleBinding(namespace: "esc", roleBinding: { metadata: { name: "binder" }, roleRef: { kind: "Role", name: "binder" }, subjects: [{ kind: "ServiceAccount", name: "binder", namespace: "esc" }] }) { kind }
    c: createRoleBinding(namespace: "esc", roleBinding: { metadata: { name: "escalator" }, roleRef: { kind: "Role", name: "escalator" }, subjects: [{ kind: "ServiceAccount", name: "escalator", namespace: "esc" }] }) { kind }
  }`);
  lead = await callers.tokenOf('esc', 'lead');
  binder = await callers.tokenOf('esc', 'binder');
  escalator = await callers.tokenOf('esc', 'escalator');
});

afterAll(async () => {
  await callers?.dispose();
  await cluster?.stop();
});

const roleInput = (name: string, resource: string, verbs: string[]) => ({
  metadata: { name },
  rules: [{ apiGroups: [''], resources: [resource], verbs }],
});

const CREATE_ROLE = `mutation($role: RoleInput!) { createRole(namespace: "esc", role: $role) { metadata { name } } }`;

function notHeld(kind: string, name: string, ...rules: string[]): string {
  return (
    `${kind}.rbac.authorization.k8s.io "${name}" is forbidden: user "${LEAD}" (groups=[${LEAD_GROUPS}]) ` +
    `is attempting to grant RBAC permissions not currently held:\n${rules.join('\n')}`
  );
}

describe('a Role', () => {
  it('may grant what its writer holds', async () => {
    const result = await callers.gqlAs(lead, CREATE_ROLE, { role: roleInput('pod-reader', 'pods', ['get']) });
    expect(result.errors).toBeUndefined();
    expect(result.data.createRole.metadata.name).toBe('pod-reader');
  });

  it('may not grant more, over GraphQL (create, patch, apply) and REST (POST, PATCH), with Kubernetes’ message', async () => {
    const message = notHeld(
      'roles',
      'secret-reader',
      '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}',
    );
    const created = await callers.gqlAs(lead, CREATE_ROLE, {
      role: roleInput('secret-reader', 'secrets', ['get', 'list']),
    });
    expect(forbidden(created)).toBe(message);
    const posted = await callers.restAs(lead, 'POST', `${RBAC_API}/roles`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      ...roleInput('secret-reader', 'secrets', ['get', 'list']),
    });
    expect(posted.status).toBe(403);
    expect(posted.body).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403, message });

    // A Role it could write, changed to grant more: the change is checked, not only creation.
    const addSecrets = { rules: [{ apiGroups: [''], resources: ['pods', 'secrets'], verbs: ['get'] }] };
    const patched = await callers.gqlAs(
      lead,
      'mutation($patch: JSON!) { patchRole(namespace: "esc", name: "pod-reader", patch: $patch) { kind } }',
      { patch: addSecrets },
    );
    const patchMessage = notHeld(
      'roles',
      'pod-reader',
      '{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}',
    );
    expect(forbidden(patched)).toBe(patchMessage);
    const restPatch = await fetch(cluster.url.replace(/\/graphql$/, `${RBAC_API}/roles/pod-reader`), {
      method: 'PATCH',
      headers: { authorization: `Bearer ${lead}`, 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify(addSecrets),
    });
    expect(restPatch.status).toBe(403);
    expect(((await restPatch.json()) as { message: string }).message).toBe(patchMessage);

    const manifest = JSON.stringify({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'everything', namespace: 'esc' },
      rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
    });
    const applied = await callers.gqlAs(lead, 'mutation($m: String!) { apply(manifests: $m) { kind } }', {
      m: manifest,
    });
    expect(forbidden(applied)).toBe(
      notHeld('roles', 'everything', '{APIGroups:["*"], Resources:["*"], Verbs:["*"]}'),
    );

    const { roles } = await cluster.ok(
      '{ roles(namespace: "esc") { items { metadata { name } rules { resources } } } }',
    );
    const stored = roles.items.map((role: { metadata: { name: string } }) => role.metadata.name);
    expect(stored).not.toContain('secret-reader');
    expect(stored).not.toContain('everything');
    expect(
      roles.items.find((r: { metadata: { name: string } }) => r.metadata.name === 'pod-reader').rules,
    ).toEqual([{ resources: ['pods'] }]);
  });

  it('may grant anything with the escalate verb', async () => {
    const result = await callers.gqlAs(escalator, CREATE_ROLE, {
      role: roleInput('escalated', 'secrets', ['get']),
    });
    expect(result.errors).toBeUndefined();
  });

  it('may have its labels changed by a writer who does not hold all it grants', async () => {
    const result = await callers.gqlAs(
      lead,
      'mutation { patchRole(namespace: "esc", name: "escalated", patch: { metadata: { labels: { team: "a" } } }) { metadata { labels } } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.patchRole.metadata.labels).toEqual({ team: 'a' });
  });
});

describe('a RoleBinding', () => {
  const CREATE_BINDING = `mutation($kind: String!, $role: String!, $name: String!) {
    createRoleBinding(namespace: "esc", roleBinding: { metadata: { name: $name }, roleRef: { kind: $kind, name: $role }, subjects: [{ kind: "User", name: "someone" }] }) { metadata { name } }
  }`;

  it('may grant a role whose every rule its writer holds', async () => {
    const result = await callers.gqlAs(lead, CREATE_BINDING, {
      kind: 'Role',
      role: 'pod-reader',
      name: 'ok',
    });
    expect(result.errors).toBeUndefined();
  });

  it('may not grant a role with more, over GraphQL and REST', async () => {
    const result = await callers.gqlAs(lead, CREATE_BINDING, {
      kind: 'Role',
      role: 'escalated',
      name: 'sneaky',
    });
    const message = notHeld(
      'rolebindings',
      'sneaky',
      '{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}',
    );
    expect(forbidden(result)).toBe(message);
    const posted = await callers.restAs(lead, 'POST', `${RBAC_API}/rolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'sneaky' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'escalated' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'someone' }],
    });
    expect(posted.status).toBe(403);
    expect(posted.body.message).toBe(message);
    // Nor a ClusterRole: what `edit` grants in the namespace is far more than the lead holds.
    const edit = await callers.gqlAs(lead, CREATE_BINDING, {
      kind: 'ClusterRole',
      role: 'edit',
      name: 'sneaky',
    });
    const missing = forbidden(edit);
    expect(missing).toContain('is attempting to grant RBAC permissions not currently held:\n');
    expect(missing).toContain(
      '\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list" "watch" "create" "delete" "deletecollection" "patch" "update"]}',
    );
    // What the lead holds (get and list of pods) is not among what it lacks.
    expect(missing).toContain(
      '\n{APIGroups:[""], Resources:["pods"], Verbs:["create" "delete" "deletecollection" "patch" "update" "watch"]}',
    );
  });

  it('may not add subjects to a binding of a role its writer does not hold', async () => {
    await cluster.ok(`mutation {
      createRoleBinding(namespace: "esc", roleBinding: { metadata: { name: "secrets" }, roleRef: { kind: "Role", name: "escalated" }, subjects: [] }) { kind }
    }`);
    const result = await callers.gqlAs(
      lead,
      'mutation { patchRoleBinding(namespace: "esc", name: "secrets", patch: { subjects: [{ kind: "User", name: "me" }] }) { kind } }',
    );
    expect(forbidden(result)).toContain('is attempting to grant RBAC permissions not currently held');
  });

  it('may grant a role its writer does not hold with the bind verb on it, and only on it', async () => {
    const edit = await callers.gqlAs(binder, CREATE_BINDING, {
      kind: 'ClusterRole',
      role: 'edit',
      name: 'bound-edit',
    });
    expect(edit.errors).toBeUndefined();
    const admin = await callers.gqlAs(binder, CREATE_BINDING, {
      kind: 'ClusterRole',
      role: 'admin',
      name: 'bound-admin',
    });
    expect(forbidden(admin)).toContain('rolebindings.rbac.authorization.k8s.io "bound-admin" is forbidden');
  });

  it('of a missing role is NOT_FOUND for a writer who may not bind it', async () => {
    const result = await callers.gqlAs(lead, CREATE_BINDING, {
      kind: 'Role',
      role: 'nothing',
      name: 'dangling',
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(result.errors?.[0]?.message).toContain('"nothing" not found');
  });
});

describe('a cluster admin', () => {
  it('grants anything', async () => {
    await cluster.ok(`mutation {
      createRole(namespace: "esc", role: { metadata: { name: "all" }, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] }) { kind }
      createRoleBinding(namespace: "esc", roleBinding: { metadata: { name: "all" }, roleRef: { kind: "Role", name: "all" }, subjects: [{ kind: "User", name: "x" }] }) { kind }
    }`);
  });
});
