import { buildSchema as parseSdl, OperationTypeNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enforceFieldAccess, fieldAccessOf } from '../../server/graphql/field-access.ts';
import { buildSchema } from '../../server/graphql/schema.ts';
import { codeOf, collect, startCluster, type TestCluster, type Untyped } from '../support/harness.ts';
import { forbidden, rbacCallers } from '../support/rbac-callers.ts';

// Every field of the API is authorized by the verb it means, as Kubernetes maps it; a
// list edge the caller may not follow is null at its own path, its parent intact.

let cluster: TestCluster;
let callers: ReturnType<typeof rbacCallers>;
/** No role at all. */
let nobody: string;
/** Reads and patches Deployments and their ReplicaSets in `fields`, scales them, reads pods' logs; not pods. */
let deployer: string;

const NOBODY = 'system:serviceaccount:fields:nobody';

beforeAll(async () => {
  cluster = await startCluster();
  callers = rbacCallers(cluster);
  await cluster.ok('mutation { createNamespace(namespace: { metadata: { name: "fields" } }) { kind } }');
  const { d } = await cluster.ok(`mutation {
    d: createDeployment(namespace: "fields", deployment: { metadata: { name: "app" }, spec: { selector: { matchLabels: { app: "app" } }, template: { metadata: { labels: { app: "app" } }, spec: { containers: [{ name: "c", image: "busybox:1" }] } } } }) { metadata { uid } }
    role: createRole(namespace: "fields", role: { metadata: { name: "deployer" }, rules: [
      { apiGroups: ["apps"], resources: ["deployments", "replicasets"], verbs: ["get", "list", "patch"] },
      { apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["update"] },
      { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] }
    ] }) { kind }
    rb: createRoleBinding(namespace: "fields", roleBinding: { metadata: { name: "deployer" }, roleRef: { kind: "Role", name: "deployer" }, subjects: [{ kind: "ServiceAccount", name: "deployer", namespace: "fields" }] }) { kind }
  }`);
  // What the controllers would make: a ReplicaSet of the Deployment, and a Pod of that.
  const { rs } = await cluster.ok(
    `mutation($owner: String!) {
      rs: createReplicaSet(namespace: "fields", replicaSet: { metadata: { name: "app-1", ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "app", uid: $owner, controller: true }] }, spec: { selector: { matchLabels: { app: "app" } }, template: { metadata: { labels: { app: "app" } }, spec: { containers: [{ name: "c", image: "busybox:1" }] } } } }) { metadata { uid } }
    }`,
    { owner: d.metadata.uid },
  );
  await cluster.ok(
    `mutation($owner: String!) {
      p: createPod(namespace: "fields", pod: { metadata: { name: "app-1-x", labels: { app: "app" }, ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "app-1", uid: $owner, controller: true }] }, spec: { containers: [{ name: "c", image: "busybox:1" }] } }) { kind }
    }`,
    { owner: rs.metadata.uid },
  );
  nobody = await callers.tokenOf('fields', 'nobody');
  deployer = await callers.tokenOf('fields', 'deployer');
});

afterAll(async () => {
  await callers?.dispose();
  await cluster?.stop();
});

describe('every root field', () => {
  it('declares its authorization, as introspection over the endpoint lists the fields', async () => {
    const { __schema } = await cluster.ok(`{ __schema {
      queryType { name fields { name } }
      mutationType { name fields { name } }
      subscriptionType { name fields { name } }
    } }`);
    const served = buildSchema();
    const undeclared: string[] = [];
    let count = 0;
    for (const root of [__schema.queryType, __schema.mutationType, __schema.subscriptionType]) {
      const fields = served.getRootType(rootOperation(root.name))!.getFields();
      for (const { name } of root.fields as Array<{ name: string }>) {
        count++;
        if (!fields[name] || !fieldAccessOf(fields[name])) undeclared.push(`${root.name}.${name}`);
      }
    }
    expect(count).toBeGreaterThan(200);
    expect(undeclared).toEqual([]);
  });

  it('cannot be added without a declaration: the schema refuses to build', () => {
    const unchecked = parseSdl('type Query { unchecked: Int }');
    expect(() => enforceFieldAccess(unchecked)).toThrow(/Query\.unchecked declares no authorization/);
  });
});

describe('a caller without roles', () => {
  const cases: Array<[string, string, string]> = [
    [
      'podLog',
      '{ podLog(namespace: "fields", name: "app-1-x") }',
      'cannot get resource "pods/log" in API group ""',
    ],
    [
      'execPod',
      'mutation { execPod(namespace: "fields", name: "app-1-x", command: ["true"]) { exitCode } }',
      'cannot create resource "pods/exec" in API group ""',
    ],
    [
      'bindPod',
      'mutation { bindPod(namespace: "fields", name: "app-1-x", nodeName: "n1") { kind } }',
      'cannot create resource "pods/binding" in API group ""',
    ],
    [
      'setImage',
      'mutation { setImage(kind: Deployment, namespace: "fields", name: "app", images: [{ container: "c", image: "busybox:2" }]) { kind } }',
      'cannot patch resource "deployments" in API group "apps"',
    ],
    [
      'rolloutRestart',
      'mutation { rolloutRestart(kind: Deployment, namespace: "fields", name: "app") { kind } }',
      'cannot patch resource "deployments" in API group "apps"',
    ],
    [
      'pauseDeployment',
      'mutation { pauseDeployment(namespace: "fields", name: "app") { kind } }',
      'cannot patch resource "deployments" in API group "apps"',
    ],
    [
      'resumeDeployment',
      'mutation { resumeDeployment(namespace: "fields", name: "app") { kind } }',
      'cannot patch resource "deployments" in API group "apps"',
    ],
    [
      'rolloutUndoDeployment',
      'mutation { rolloutUndoDeployment(namespace: "fields", name: "app") { revision } }',
      'cannot patch resource "deployments" in API group "apps"',
    ],
    [
      'rolloutHistory',
      '{ rolloutHistory(kind: Deployment, namespace: "fields", name: "app") { revision } }',
      'cannot get resource "deployments" in API group "apps"',
    ],
    [
      'scaleDeployment',
      'mutation { scaleDeployment(namespace: "fields", name: "app", replicas: 2) { kind } }',
      'cannot update resource "deployments/scale" in API group "apps"',
    ],
    [
      'podMetrics',
      '{ podMetrics(namespace: "fields") { top { name } } }',
      'cannot list resource "pods" in API group "metrics.k8s.io" in the namespace "fields"',
    ],
    [
      'nodeMetrics',
      '{ nodeMetrics { top { name } } }',
      'cannot list resource "nodes" in API group "metrics.k8s.io" at the cluster scope',
    ],
    [
      'reportNodeUsage',
      'mutation { reportNodeUsage(report: { nodeName: "n1", timestamp: "2026-01-01T00:00:00Z", windowSeconds: 10, cpuNanoCores: 1, memoryWorkingSetBytes: 1, pods: [] }) }',
      'nodes "n1" is forbidden: User "system:serviceaccount:fields:nobody" cannot update resource "nodes/status"',
    ],
    [
      'nodeStreamReply',
      'mutation { nodeStreamReply(input: { nodeName: "n1", requestId: "1", done: true }) }',
      'cannot update resource "nodes/status" in API group "" at the cluster scope',
    ],
    [
      'createToken',
      'mutation { createToken(namespace: "fields", serviceAccountName: "nobody") { token } }',
      'cannot create resource "serviceaccounts/token" in API group ""',
    ],
  ];

  it.each(cases)('is refused %s, by the verb Kubernetes uses', async (_field, query, message) => {
    const result = await callers.gqlAs(nobody, query);
    expect(forbidden(result)).toContain(message);
    expect(forbidden(result)).toContain(`User "${NOBODY}"`);
  });

  const subscriptions: Array<[string, string, string]> = [
    [
      'podLogs',
      'subscription { podLogs(namespace: "fields", name: "app-1-x") { text } }',
      'cannot get resource "pods/log"',
    ],
    [
      'execPodSession',
      'subscription { execPodSession(namespace: "fields", name: "app-1-x", command: ["sh"]) { session } }',
      'cannot create resource "pods/exec"',
    ],
    [
      'rolloutStatus',
      'subscription { rolloutStatus(namespace: "fields", name: "app") { message } }',
      'cannot get resource "deployments"',
    ],
    [
      'nodeStreamRequests',
      'subscription { nodeStreamRequests(nodeName: "n1") { id } }',
      'cannot update resource "nodes/status"',
    ],
  ];

  it.each(subscriptions)('is refused the %s subscription', async (_field, query, message) => {
    const sub = collect(callers.wsClient(nobody), query);
    await sub.until(() => sub.errors.length > 0 || sub.completed);
    expect(sub.items).toEqual([]);
    expect(codeOf(sub.errors[0])).toBe('FORBIDDEN');
    expect((sub.errors[0] as Error).message).toContain(message);
  });

  it('may still ask about itself', async () => {
    const result = await callers.gqlAs(
      nobody,
      '{ whoami { username } canI(verb: "get", resource: "pods", namespace: "fields") }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ whoami: { username: NOBODY }, canI: false });
  });
});

describe('a caller with the verbs a field means', () => {
  it('gets through: pause, scale and history work, and a missing pod’s log is NOT_FOUND, not FORBIDDEN', async () => {
    const paused = await callers.gqlAs(
      deployer,
      'mutation { pauseDeployment(namespace: "fields", name: "app") { spec { paused } } }',
    );
    expect(paused.errors).toBeUndefined();
    expect(paused.data.pauseDeployment.spec.paused).toBe(true);
    const scaled = await callers.gqlAs(
      deployer,
      'mutation { scaleDeployment(namespace: "fields", name: "app", replicas: 3) { spec { replicas } } }',
    );
    expect(scaled.errors).toBeUndefined();
    expect(scaled.data.scaleDeployment.spec.replicas).toBe(3);
    const history = await callers.gqlAs(
      deployer,
      '{ rolloutHistory(kind: Deployment, namespace: "fields", name: "app") { revision } }',
    );
    expect(history.errors).toBeUndefined();
    const log = await callers.gqlAs(deployer, '{ podLog(namespace: "fields", name: "missing") }');
    expect(log.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('needs every verb a field means: rollout history also lists the ReplicaSets', async () => {
    await cluster.ok(`mutation {
      createRole(namespace: "fields", role: { metadata: { name: "deployments-only" }, rules: [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["get"] }] }) { kind }
      createRoleBinding(namespace: "fields", roleBinding: { metadata: { name: "nobody-deployments" }, roleRef: { kind: "Role", name: "deployments-only" }, subjects: [{ kind: "ServiceAccount", name: "nobody", namespace: "fields" }] }) { kind }
    }`);
    try {
      const history = await callers.gqlAs(
        nobody,
        '{ rolloutHistory(kind: Deployment, namespace: "fields", name: "app") { revision } }',
      );
      expect(forbidden(history)).toContain('cannot list resource "replicasets" in API group "apps"');
    } finally {
      await cluster.ok(
        'mutation { deleteRoleBinding(namespace: "fields", name: "nobody-deployments") { kind } }',
      );
    }
  });
});

describe('a list edge the caller may not follow', () => {
  it('is null at its own path with FORBIDDEN, its parent and the other edges intact', async () => {
    const result = await callers.gqlAs(
      deployer,
      `{ deployment(namespace: "fields", name: "app") {
        metadata { name }
        replicaSets { metadata { name } }
        pods { metadata { name } }
      } }`,
    );
    expect(result.data.deployment).toEqual({
      metadata: { name: 'app' },
      replicaSets: [{ metadata: { name: 'app-1' } }],
      pods: null,
    });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0].path).toEqual(['deployment', 'pods']);
    expect(forbidden(result)).toContain(
      'cannot list resource "pods" in API group "" in the namespace "fields"',
    );
    // The admin follows it.
    const admin = await cluster.ok(
      '{ deployment(namespace: "fields", name: "app") { pods { metadata { name } } } }',
    );
    expect(admin.deployment.pods.map((pod: Untyped) => pod.metadata.name)).toEqual(['app-1-x']);
  });

  it('is null in every item of a list, each with its own error', async () => {
    const result = await callers.gqlAs(
      deployer,
      '{ replicaSets(namespace: "fields") { items { metadata { name } pods { metadata { name } } } } }',
    );
    expect(result.data.replicaSets.items).toEqual([{ metadata: { name: 'app-1' }, pods: null }]);
    expect(result.errors![0].path).toEqual(['replicaSets', 'items', 0, 'pods']);
  });
});

describe('a watch event', () => {
  it('resolves its edges for each caller, never sharing one caller’s result with another', async () => {
    await cluster.ok(`mutation {
      createNode(node: { metadata: { name: "n-watch" } }) { kind }
      createRole(namespace: "fields", role: { metadata: { name: "pod-watcher" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }] }) { kind }
      createRoleBinding(namespace: "fields", roleBinding: { metadata: { name: "watcher" }, roleRef: { kind: "Role", name: "pod-watcher" }, subjects: [{ kind: "ServiceAccount", name: "watcher", namespace: "fields" }] }) { kind }
    }`);
    const watcher = await callers.tokenOf('fields', 'watcher');
    const query =
      'subscription { watchPods(namespace: "fields", labelSelector: "watch=yes") { type object { metadata { name } node { metadata { name } } } } }';
    const createPod = (name: string) =>
      cluster.ok(`mutation {
        createPod(namespace: "fields", pod: { metadata: { name: "${name}", labels: { watch: "yes" } }, spec: { nodeName: "n-watch", containers: [{ name: "c", image: "busybox:1" }] } }) { kind }
      }`);
    const admin = collect(cluster.wsClient(), query);
    const limited = collect(callers.wsClient(watcher), query);
    // Once both have seen a first pod, both watch live: the next event is one object for both.
    await createPod('first');
    await admin.until(() => admin.items.length === 1);
    await limited.until(() => limited.items.length === 1);
    await createPod('watched');
    await admin.until(() => admin.items.length === 2);
    await limited.until(() => limited.items.length === 2 && limited.errors.length === 2);
    expect(admin.items[1].watchPods.object).toEqual({
      metadata: { name: 'watched' },
      node: { metadata: { name: 'n-watch' } },
    });
    expect(admin.errors).toEqual([]);
    expect(limited.items[1].watchPods.object).toEqual({ metadata: { name: 'watched' }, node: null });
    expect(codeOf(limited.errors[1])).toBe('FORBIDDEN');
    admin.unsubscribe();
    limited.unsubscribe();
  });
});

function rootOperation(name: string): OperationTypeNode {
  if (name === 'Query') return OperationTypeNode.QUERY;
  return name === 'Mutation' ? OperationTypeNode.MUTATION : OperationTypeNode.SUBSCRIPTION;
}
