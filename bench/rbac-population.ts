import { post, type Server } from './server-process.ts';

/**
 * A cluster's RBAC as a busy multi-team one holds it: `bindings` RoleBindings and
 * ClusterRoleBindings spread over NAMESPACES namespaces, binding users, groups and
 * ServiceAccounts to the default roles and to a custom Role in each namespace. Nearly all
 * bind other subjects than the measured caller, a ServiceAccount of `callerNamespace`,
 * which holds `edit` there through a RoleBinding and `view` everywhere through its
 * namespace's group: the two paths by which real workloads are granted.
 */
export const NAMESPACES = 50;
const BATCH = 100;

const APPLY = `mutation($m: String!) { apply(manifests: $m) { kind } }`;

export interface RbacPopulation {
  bindings: number;
  callerNamespace: string;
  /** The measured ServiceAccount's name. */
  caller: string;
}

/** The namespaces, then the Roles and bindings, as objects to store. */
export function rbacObjects({ bindings, callerNamespace, caller }: RbacPopulation): {
  namespaces: object[];
  rbac: object[];
} {
  const names = [callerNamespace, ...Array.from({ length: NAMESPACES - 1 }, (_, i) => `team-${i}`)];
  const callerBindings = [
    roleBinding(callerNamespace, `${caller}-edit`, 'edit', [
      { kind: 'ServiceAccount', name: caller, namespace: callerNamespace },
    ]),
    clusterRoleBinding(`${callerNamespace}-accounts-view`, 'view', [
      { kind: 'Group', name: `system:serviceaccounts:${callerNamespace}`, apiGroup: RBAC_GROUP },
    ]),
  ];
  const others = Array.from({ length: bindings - callerBindings.length }, (_, i) => otherBinding(i, names));
  return {
    namespaces: names.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
    rbac: [...names.map(deployerRole), ...callerBindings, ...others],
  };
}

/** Applies the namespaces, roles and bindings with the admin token; returns the caller's token. */
export async function populateRbac(server: Server, population: RbacPopulation): Promise<string> {
  const { namespaces, rbac } = rbacObjects(population);
  await applyAll(server, [...namespaces, ...rbac]);
  const data = await post<{ token: { token: string } }>(
    server,
    `mutation($ns: String!, $name: String!) {
      createServiceAccount(namespace: $ns, serviceAccount: { metadata: { name: $name } }) { kind }
      token: createToken(namespace: $ns, serviceAccountName: $name) { token }
    }`,
    { ns: population.callerNamespace, name: population.caller },
  );
  return data.token.token;
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';
const ROLES = ['view', 'edit', 'admin', 'deployer'];

interface BindingSubject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

/**
 * The i-th binding of someone else: nine in ten are RoleBindings, each of one to three
 * subjects (users, teams' groups, other namespaces' ServiceAccounts), the rest ClusterRoleBindings.
 */
function otherBinding(i: number, namespaces: string[]) {
  const subjects: BindingSubject[] = Array.from({ length: 1 + (i % 3) }, (_, s) => {
    const id = i * 3 + s;
    const home = namespaces[id % namespaces.length];
    switch (id % 3) {
      case 0:
        return { kind: 'User', name: `user-${id}@example.com`, apiGroup: RBAC_GROUP };
      case 1:
        return { kind: 'Group', name: `team-${id % 40}`, apiGroup: RBAC_GROUP };
      default:
        return { kind: 'ServiceAccount', name: `sa-${id}`, namespace: home };
    }
  });
  if (i % 10 === 9) return clusterRoleBinding(`other-${i}`, i % 20 === 9 ? 'view' : 'edit', subjects);
  const role = ROLES[i % ROLES.length];
  return roleBinding(namespaces[i % namespaces.length], `other-${i}`, role, subjects);
}

function roleBinding(namespace: string, name: string, role: string, subjects: BindingSubject[]) {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'RoleBinding',
    metadata: { name, namespace },
    roleRef: { apiGroup: RBAC_GROUP, kind: role === 'deployer' ? 'Role' : 'ClusterRole', name: role },
    subjects,
  };
}

function clusterRoleBinding(name: string, role: string, subjects: BindingSubject[]) {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: role },
    subjects,
  };
}

/** A team's own Role: roll out its Deployments and read what they run. */
function deployerRole(namespace: string) {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'Role',
    metadata: { name: 'deployer', namespace },
    rules: [
      {
        apiGroups: ['apps'],
        resources: ['deployments', 'deployments/scale'],
        verbs: ['get', 'list', 'watch', 'update', 'patch'],
      },
      {
        apiGroups: [''],
        resources: ['pods', 'pods/log', 'services', 'configmaps'],
        verbs: ['get', 'list', 'watch'],
      },
    ],
  };
}

async function applyAll(server: Server, objects: object[]): Promise<void> {
  for (let at = 0; at < objects.length; at += BATCH) {
    const items = objects.slice(at, at + BATCH);
    await post(server, APPLY, { m: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
  }
}
