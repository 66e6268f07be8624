import { afterAll, beforeAll, expect, it } from 'vitest';
import { codeOf, collect, startCluster, type TestCluster } from '../support/harness.ts';
import { rbacCallers } from '../support/rbac-callers.ts';

// One execution of a watch event serves every caller whose authorization decisions for
// it are the same, and no caller with a different answer to any of them.

let cluster: TestCluster;
let callers: ReturnType<typeof rbacCallers>;

beforeAll(async () => {
  cluster = await startCluster();
  callers = rbacCallers(cluster);
  await cluster.ok(`mutation {
    ns: createNamespace(namespace: { metadata: { name: "sharing" } }) { kind }
    node: createNode(node: { metadata: { name: "n-shared" } }) { kind }
    role: createRole(namespace: "sharing", role: { metadata: { name: "pod-watcher" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }] }) { kind }
    rb: createRoleBinding(namespace: "sharing", roleBinding: { metadata: { name: "pod-watchers" }, roleRef: { kind: "Role", name: "pod-watcher" }, subjects: [{ kind: "Group", name: "system:serviceaccounts:sharing" }] }) { kind }
    nodes: createClusterRole(clusterRole: { metadata: { name: "node-reader" }, rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get"] }] }) { kind }
    nodesToo: createClusterRole(clusterRole: { metadata: { name: "node-reader-too" }, rules: [{ apiGroups: [""], resources: ["nodes", "services"], verbs: ["get", "list"] }] }) { kind }
    crb1: createClusterRoleBinding(clusterRoleBinding: { metadata: { name: "node-reader" }, roleRef: { kind: "ClusterRole", name: "node-reader" }, subjects: [{ kind: "ServiceAccount", name: "sees-nodes", namespace: "sharing" }] }) { kind }
    crb2: createClusterRoleBinding(clusterRoleBinding: { metadata: { name: "node-reader-too" }, roleRef: { kind: "ClusterRole", name: "node-reader-too" }, subjects: [{ kind: "ServiceAccount", name: "sees-nodes-too", namespace: "sharing" }] }) { kind }
  }`);
});

afterAll(async () => {
  await callers?.dispose();
  await cluster?.stop();
});

it('gives each caller the edges its own decisions allow, however the results are shared', async () => {
  const query =
    'subscription { watchPods(namespace: "sharing") { type object { metadata { name } node { metadata { name } } } } }';
  const createPod = (name: string) =>
    cluster.ok(`mutation {
      createPod(namespace: "sharing", pod: { metadata: { name: "${name}" }, spec: { nodeName: "n-shared", containers: [{ name: "c", image: "busybox:1" }] } }) { kind }
    }`);
  await createPod('zero');
  // One after the other, each live once it has its initial event: events then reach them
  // in this order, so that each event's first execution is one that may read the node.
  const watching = async (account: string) => {
    const watch = collect(callers.wsClient(await callers.tokenOf('sharing', account)), query);
    await watch.until(() => watch.items.length === 1);
    return watch;
  };
  const seesNodes = await watching('sees-nodes');
  const blind = await watching('blind');
  const seesNodesToo = await watching('sees-nodes-too');
  const alsoBlind = await watching('also-blind');
  const all = [seesNodes, blind, seesNodesToo, alsoBlind];
  for (const name of ['first', 'second']) {
    await createPod(name);
    for (const watch of all)
      await watch.until(() => watch.items.some((item) => item.watchPods.object.metadata.name === name));
  }
  for (const watch of [seesNodes, seesNodesToo]) {
    expect(watch.items.map((item) => item.watchPods.object.node)).toEqual(
      Array(3).fill({ metadata: { name: 'n-shared' } }),
    );
    expect(watch.errors).toEqual([]);
  }
  for (const watch of [blind, alsoBlind]) {
    expect(watch.items.map((item) => item.watchPods.object.node)).toEqual([null, null, null]);
    expect(watch.errors.map(codeOf)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
  }
  for (const watch of all) watch.unsubscribe();
});
