import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/harness.ts';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(() => cluster.stop());

describe('the status subresource', () => {
  it('changes status only: spec, metadata and generation stay; a stale resourceVersion is a CONFLICT', async () => {
    await cluster.ok(`mutation($m: String!) { apply(manifests: $m) { kind } }`, {
      m: `apiVersion: apps/v1
kind: Deployment
metadata: { name: st, labels: { a: b } }
spec:
  replicas: 2
  selector: { matchLabels: { app: st } }
  template:
    metadata: { labels: { app: st } }
    spec: { containers: [{ name: c, image: busybox }] }`,
    });
    const before = (
      await cluster.ok(
        `{ deployment(name: "st") { metadata { resourceVersion generation labels } spec { replicas } } }`,
      )
    ).deployment;
    const updated = await cluster.ok(
      `mutation($rv: String) { updateDeploymentStatus(name: "st", resourceVersion: $rv, status: { replicas: 2, readyReplicas: 1, observedGeneration: 1 }) { metadata { resourceVersion generation labels } spec { replicas } status { readyReplicas } } }`,
      { rv: before.metadata.resourceVersion },
    );
    const after = updated.updateDeploymentStatus;
    expect(after.status.readyReplicas).toBe(1);
    expect(after.spec).toEqual(before.spec);
    expect(after.metadata.generation).toBe(before.metadata.generation);
    expect(after.metadata.labels).toEqual(before.metadata.labels);
    expect(after.metadata.resourceVersion).not.toBe(before.metadata.resourceVersion);

    const stale = await cluster.gql(
      `mutation($rv: String) { updateDeploymentStatus(name: "st", resourceVersion: $rv, status: { replicas: 2 }) { kind } }`,
      { rv: before.metadata.resourceVersion },
    );
    expect(stale.errors?.[0].extensions?.code).toBe('CONFLICT');

    // A main-resource write cannot change status.
    await cluster.ok(
      `mutation { patchDeployment(name: "st", patch: { status: { readyReplicas: 99 } }) { kind } }`,
    );
    expect(
      (await cluster.ok(`{ deployment(name: "st") { status { readyReplicas } } }`)).deployment.status
        .readyReplicas,
    ).toBe(1);
  });

  it('admits what a node agent reports: allocatable defaults to capacity', async () => {
    await cluster.ok(`mutation { createNode(node: { metadata: { name: "n1" } }) { kind } }`);
    const node = await cluster.ok(
      `mutation { updateNodeStatus(name: "n1", status: { capacity: { cpu: 4, memory: "8Gi", pods: "110" } }) { status { capacity allocatable } } }`,
    );
    expect(node.updateNodeStatus.status.allocatable).toEqual({ cpu: 4, memory: '8Gi', pods: '110' });
    const bad = await cluster.gql(
      `mutation { updateNodeStatus(name: "n1", status: { capacity: { cpu: "lots" } }) { kind } }`,
    );
    expect(bad.errors?.[0].message).toMatch(/quantit/);
  });

  it('keeps the phase of a pod and of a namespace that a status leaves out: it is never missing', async () => {
    await cluster.ok(`mutation($m: String!) { apply(manifests: $m) { kind } }`, {
      m: `apiVersion: v1
kind: Namespace
metadata: { name: st-phase }
---
apiVersion: v1
kind: Pod
metadata: { name: p, namespace: st-phase }
spec: { containers: [{ name: c, image: busybox }] }`,
    });
    const running = await cluster.ok(
      `mutation { updatePodStatus(namespace: "st-phase", name: "p", status: { phase: Running }) { status { phase } } }`,
    );
    expect(running.updatePodStatus.status.phase).toBe('Running');
    const pod = await cluster.ok(
      `mutation { updatePodStatus(namespace: "st-phase", name: "p", status: { podIP: "10.0.0.9" }) { status { phase podIP } } }`,
    );
    expect(pod.updatePodStatus.status).toEqual({ phase: 'Running', podIP: '10.0.0.9' });
    const ns = await cluster.ok(
      `mutation { updateNamespaceStatus(name: "st-phase", status: { conditions: [] }) { status { phase } } }`,
    );
    expect(ns.updateNamespaceStatus.status.phase).toBe('Active');
    expect(
      (await cluster.ok(`{ namespace(name: "st-phase") { manifest } }`)).namespace.manifest.status,
    ).toEqual({ phase: 'Active', conditions: [] });
  });
});
