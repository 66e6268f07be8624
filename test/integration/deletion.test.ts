import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, startCluster, type TestCluster } from '../support/harness.ts';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(() => cluster.stop());

const apply = (manifest: string) =>
  cluster.ok(`mutation($m: String!) { apply(manifests: $m) { kind metadata { name } } }`, { m: manifest });
const getCm = (name: string) =>
  cluster.ok(
    `query($n: String!) { configMap(name: $n) { metadata { deletionTimestamp finalizers resourceVersion } } }`,
    { n: name },
  );

describe('deletion', () => {
  it('keeps an object with finalizers visible, marked with deletionTimestamp, until the last finalizer goes', async () => {
    await apply(
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  finalizers: [example.com/hold, example.com/other]`,
    );
    const rv = (await getCm('held')).configMap.metadata.resourceVersion;
    const watch = collect(
      cluster.wsClient(),
      `subscription($rv: String) { watchConfigMaps(namespace: "default", resourceVersion: $rv) { type object { metadata { name deletionTimestamp finalizers } } } }`,
      { rv },
    );

    const deleted = await cluster.ok(
      `mutation { deleteConfigMap(name: "held") { metadata { deletionTimestamp } } }`,
    );
    expect(deleted.deleteConfigMap.metadata.deletionTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const marked = (await getCm('held')).configMap.metadata;
    expect(marked.deletionTimestamp).toBeTruthy();

    const addFinalizer = await cluster.gql(
      `mutation { patchConfigMap(name: "held", patch: { metadata: { finalizers: ["example.com/hold", "example.com/other", "example.com/new"] } }) { kind } }`,
    );
    expect(addFinalizer.errors?.[0].extensions?.code).toBe('INVALID');

    await cluster.ok(
      `mutation { patchConfigMap(name: "held", patch: { metadata: { finalizers: ["example.com/other"] } }) { kind } }`,
    );
    expect((await getCm('held')).configMap).not.toBeNull();
    await cluster.ok(
      `mutation { patchConfigMap(name: "held", patch: { metadata: { finalizers: null } }) { kind } }`,
    );
    expect((await getCm('held')).configMap).toBeNull();

    await watch.until(() => watch.items.length >= 3);
    expect(watch.items.map((e) => e.watchConfigMaps.type)).toEqual(['MODIFIED', 'MODIFIED', 'DELETED']);
    watch.unsubscribe();
  });

  it('records the propagation policy as a finalizer for the garbage collector', async () => {
    const deployment = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers: [{ name: c, image: busybox }]`;
    await apply(deployment('orphaned'));
    await apply(deployment('foreground'));
    await apply(deployment('background'));
    const del = (name: string, policy: string) =>
      cluster.ok(
        `mutation($n: String!, $p: PropagationPolicy) { deleteDeployment(name: $n, propagationPolicy: $p) { metadata { finalizers deletionTimestamp } } }`,
        { n: name, p: policy },
      );
    expect((await del('orphaned', 'Orphan')).deleteDeployment.metadata.finalizers).toEqual(['orphan']);
    expect((await del('foreground', 'Foreground')).deleteDeployment.metadata.finalizers).toEqual([
      'foregroundDeletion',
    ]);
    await del('background', 'Background');
    const left = await cluster.ok<{
      deployments: { items: Array<{ metadata: { name: string; deletionTimestamp: string | null } }> };
    }>(`{ deployments(namespace: "default") { items { metadata { name deletionTimestamp } } } }`);
    const names = left.deployments.items.map((d) => d.metadata.name).sort();
    expect(names).toEqual(['foreground', 'orphaned']);
    expect(left.deployments.items.every((d) => d.metadata.deletionTimestamp)).toBe(true);
  });

  it('gives a Pod on a node its grace period; a zero grace period then removes it', async () => {
    await apply(`apiVersion: v1\nkind: Node\nmetadata:\n  name: node-a`);
    await apply(
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: graceful\nspec:\n  terminationGracePeriodSeconds: 45\n  containers: [{ name: c, image: busybox }]`,
    );
    await apply(
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: unbound\nspec:\n  containers: [{ name: c, image: busybox }]`,
    );
    await cluster.ok(`mutation { bindPod(name: "graceful", nodeName: "node-a") { spec { nodeName } } }`);
    const second = await cluster.gql(`mutation { bindPod(name: "graceful", nodeName: "node-b") { kind } }`);
    expect(second.errors?.[0].extensions?.code).toBe('CONFLICT');

    const marked = await cluster.ok(
      `mutation { deletePod(name: "graceful") { metadata { deletionTimestamp deletionGracePeriodSeconds } } }`,
    );
    expect(marked.deletePod.metadata.deletionGracePeriodSeconds).toBe(45);
    const due = Date.parse(marked.deletePod.metadata.deletionTimestamp) - Date.now();
    expect(due).toBeGreaterThan(40_000);
    expect((await cluster.ok(`{ pod(name: "graceful") { metadata { name } } }`)).pod).not.toBeNull();
    await cluster.ok(`mutation { deletePod(name: "graceful", gracePeriodSeconds: 0) { kind } }`);
    expect((await cluster.ok(`{ pod(name: "graceful") { metadata { name } } }`)).pod).toBeNull();

    await cluster.ok(`mutation { deletePod(name: "unbound") { kind } }`);
    expect((await cluster.ok(`{ pod(name: "unbound") { metadata { name } } }`)).pod).toBeNull();
  });

  it('turns a deleted Namespace Terminating and refuses new content in it', async () => {
    await apply(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: doomed`);
    const ns = await cluster.ok(
      `mutation { deleteNamespace(name: "doomed") { status { phase } metadata { deletionTimestamp } spec { finalizers } } }`,
    );
    expect(ns.deleteNamespace.status.phase).toBe('Terminating');
    expect(ns.deleteNamespace.spec.finalizers).toEqual(['kubernetes']);
    const refused = await cluster.gql(
      `mutation { createConfigMap(namespace: "doomed", configMap: { metadata: { name: "late" } }) { kind } }`,
    );
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    // The namespace controller finishes the job by releasing the finalizer.
    await cluster.ok(
      `mutation { patchNamespace(name: "doomed", patch: { spec: { finalizers: [] } }) { kind } }`,
    );
    expect((await cluster.ok(`{ namespace(name: "doomed") { metadata { name } } }`)).namespace).toBeNull();
  });

  it('honours a resourceVersion precondition on delete', async () => {
    await apply(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: precond`);
    const result = await cluster.gql(
      `mutation { deleteConfigMap(name: "precond", resourceVersion: "1") { kind } }`,
    );
    expect(result.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect((await getCm('precond')).configMap).not.toBeNull();
  });
});
