import { beforeAll, describe, expect, it } from 'vitest';
import { clusterPerFile } from '../support/cluster-per-file.ts';
import { listApi, pod, type AppliedObject } from '../support/list-queries.ts';

/** The edges between kinds: owners, the node a pod is bound to, a Service's pods and endpoints, events. */

const cluster = clusterPerFile();
const { apply } = listApi(cluster);

interface Named {
  metadata: { name: string };
}

describe('edges between kinds', () => {
  let deployment: AppliedObject;
  let replicaSet: AppliedObject;
  let pods: AppliedObject[];

  beforeAll(async () => {
    await apply(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: edges\n`);
    await apply(`apiVersion: v1\nkind: Node\nmetadata:\n  name: edges-node\n`);
    [deployment] = await apply(
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers: [{ name: web, image: nginx:1.27 }]
`,
      'edges',
    );
    const owner = (kind: string, obj: AppliedObject, apiVersion: string) =>
      `  ownerReferences:
  - apiVersion: ${apiVersion}
    kind: ${kind}
    name: ${obj.metadata.name}
    uid: ${obj.metadata.uid}
    controller: true
    blockOwnerDeletion: true
`;
    [replicaSet] = await apply(
      `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-7d4b9c
  labels: { app: web, pod-template-hash: 7d4b9c }
${owner('Deployment', deployment, 'apps/v1')}spec:
  replicas: 2
  selector:
    matchLabels: { app: web, pod-template-hash: 7d4b9c }
  template:
    metadata:
      labels: { app: web, pod-template-hash: 7d4b9c }
    spec:
      containers: [{ name: web, image: nginx:1.27 }]
`,
      'edges',
    );
    const labels = { app: 'web', 'pod-template-hash': '7d4b9c' };
    pods = await apply(
      [
        pod('web-7d4b9c-aaaaa', labels, owner('ReplicaSet', replicaSet, 'apps/v1')),
        pod('web-7d4b9c-bbbbb', labels, owner('ReplicaSet', replicaSet, 'apps/v1')),
        pod('other', { app: 'other' }),
      ].join('---\n'),
      'edges',
    );
  });

  it('Deployment.replicaSets and Deployment.pods follow owner references', async () => {
    const data = await cluster.ok<{
      deployment: { replicaSets: Array<Named & { pods: Named[] }>; pods: Named[] };
    }>(`{
      deployment(namespace: "edges", name: "web") {
        replicaSets { metadata { name } pods { metadata { name } } }
        pods { metadata { name } }
      }
    }`);
    expect(data.deployment.replicaSets.map((rs) => rs.metadata.name)).toEqual(['web-7d4b9c']);
    const owned = ['web-7d4b9c-aaaaa', 'web-7d4b9c-bbbbb'];
    expect(data.deployment.replicaSets[0].pods.map((p) => p.metadata.name).sort()).toEqual(owned);
    expect(data.deployment.pods.map((p) => p.metadata.name).sort()).toEqual(owned);
  });

  it('Pod.owner and ReplicaSet.owner lead back up', async () => {
    const data = await cluster.ok<{
      pod: {
        owner: {
          __typename: string;
          kind: string;
          metadata: { name: string; uid: string };
          spec: { replicas: number };
          owner: { __typename: string; metadata: { name: string; uid: string } } | null;
        };
      };
      other: { owner: { kind: string } | null };
    }>(`{
      pod(namespace: "edges", name: "web-7d4b9c-aaaaa") {
        owner {
          __typename kind metadata { name uid }
          ... on ReplicaSet { spec { replicas } owner { __typename metadata { name uid } } }
        }
      }
      other: pod(namespace: "edges", name: "other") { owner { kind } }
    }`);
    const owner = data.pod.owner;
    expect(owner.__typename).toBe('ReplicaSet');
    expect(owner.kind).toBe('ReplicaSet');
    expect(owner.metadata).toEqual({ name: 'web-7d4b9c', uid: replicaSet.metadata.uid });
    expect(owner.spec.replicas).toBe(2);
    expect(owner.owner).toEqual({
      __typename: 'Deployment',
      metadata: { name: 'web', uid: deployment.metadata.uid },
    });
    expect(data.other.owner).toBeNull();
  });

  it('Pod.node and Node.pods follow the binding', async () => {
    const before = await cluster.ok<{ pod: { node: Named | null } }>(
      `{ pod(namespace: "edges", name: "web-7d4b9c-aaaaa") { node { metadata { name } } } }`,
    );
    expect(before.pod.node).toBeNull();
    const emptyNode = await cluster.ok<{ node: { pods: Named[] } }>(
      `{ node(name: "edges-node") { pods { metadata { name } } } }`,
    );
    expect(emptyNode.node.pods).toEqual([]);

    await cluster.ok(
      `mutation { bindPod(namespace: "edges", name: "web-7d4b9c-aaaaa", nodeName: "edges-node") { kind } }`,
    );
    const after = await cluster.ok<{
      pod: {
        spec: { nodeName: string | null };
        node: Named | null;
        status: { conditions: Array<{ type: string; status: string }> };
      };
    }>(`{
      pod(namespace: "edges", name: "web-7d4b9c-aaaaa") { spec { nodeName } node { metadata { name } } status { conditions { type status } } }
    }`);
    expect(after.pod.spec.nodeName).toBe('edges-node');
    expect(after.pod.node).toEqual({ metadata: { name: 'edges-node' } });
    expect(after.pod.status.conditions).toContainEqual({ type: 'PodScheduled', status: 'True' });
    const node = await cluster.ok<{
      node: { pods: Array<{ metadata: { name: string; namespace: string } }> };
    }>(`{ node(name: "edges-node") { pods { metadata { name namespace } } } }`);
    expect(node.node.pods).toEqual([{ metadata: { name: 'web-7d4b9c-aaaaa', namespace: 'edges' } }]);
  });

  it('Service.pods follows the selector and Service.endpoints the Endpoints of the same name', async () => {
    await apply(
      `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: { app: web }
  ports: [{ port: 80 }]
---
apiVersion: v1
kind: Service
metadata:
  name: external
spec:
  ports: [{ port: 5432 }]
`,
      'edges',
    );
    const before = await cluster.ok<{
      service: { pods: Named[]; endpoints: Named | null };
      external: { pods: Named[] };
    }>(`{
      service(namespace: "edges", name: "web") { pods { metadata { name } } endpoints { metadata { name } } }
      external: service(namespace: "edges", name: "external") { pods { metadata { name } } }
    }`);
    expect(before.service.pods.map((p) => p.metadata.name).sort()).toEqual([
      'web-7d4b9c-aaaaa',
      'web-7d4b9c-bbbbb',
    ]);
    expect(before.service.endpoints).toBeNull();
    // Without a selector a Service picks no pods.
    expect(before.external.pods).toEqual([]);

    await apply(
      `apiVersion: v1
kind: Endpoints
metadata:
  name: web
subsets:
- addresses:
  - ip: 10.244.1.7
    targetRef: { kind: Pod, name: web-7d4b9c-aaaaa, namespace: edges }
  ports:
  - port: 80
`,
      'edges',
    );
    const after = await cluster.ok<{ service: { endpoints: unknown } }>(`{
      service(namespace: "edges", name: "web") { endpoints { metadata { name } subsets { addresses { ip targetRef { name } } } } }
    }`);
    expect(after.service.endpoints).toEqual({
      metadata: { name: 'web' },
      subsets: [{ addresses: [{ ip: '10.244.1.7', targetRef: { name: 'web-7d4b9c-aaaaa' } }] }],
    });
  });

  it('events lists the Events about an object, oldest first', async () => {
    const target = pods.find((p) => p.metadata.name === 'web-7d4b9c-bbbbb')!;
    const event = (name: string, reason: string, at: string, uid = target.metadata.uid) => `apiVersion: v1
kind: Event
metadata:
  name: ${name}
involvedObject:
  apiVersion: v1
  kind: Pod
  name: web-7d4b9c-bbbbb
  namespace: edges
  uid: ${uid}
reason: ${reason}
message: ${reason} happened
type: Normal
firstTimestamp: "${at}"
lastTimestamp: "${at}"
`;
    await apply(
      [
        event('web-7d4b9c-bbbbb.2', 'Pulled', '2024-05-01T10:00:05Z'),
        event('web-7d4b9c-bbbbb.1', 'Scheduled', '2024-05-01T10:00:00Z'),
        event('web-7d4b9c-bbbbb.3', 'Started', '2024-05-01T10:00:09Z'),
        event('unrelated', 'Other', '2024-05-01T10:00:01Z', '00000000-0000-0000-0000-000000000000'),
      ].join('---\n'),
      'edges',
    );
    const data = await cluster.ok<{
      pod: { events: Array<{ reason: string; involvedObject: { uid: string } }> };
      other: { events: unknown[] };
      deployment: { events: unknown[] };
    }>(`{
      pod(namespace: "edges", name: "web-7d4b9c-bbbbb") { events { reason involvedObject { uid } } }
      other: pod(namespace: "edges", name: "other") { events { reason } }
      deployment(namespace: "edges", name: "web") { events { reason } }
    }`);
    expect(data.pod.events.map((e) => e.reason)).toEqual(['Scheduled', 'Pulled', 'Started']);
    expect(data.pod.events.every((e) => e.involvedObject.uid === target.metadata.uid)).toBe(true);
    expect(data.other.events).toEqual([]);
    expect(data.deployment.events).toEqual([]);

    // An Event is found through the field selectors kubectl describe uses, too.
    const byUid = await cluster.ok<{ events: { items: Named[] } }>(
      `query($f: String) { events(namespace: "edges", fieldSelector: $f) { items { metadata { name } } } }`,
      { f: `involvedObject.uid=${target.metadata.uid},reason=Pulled` },
    );
    expect(byUid.events.items).toEqual([{ metadata: { name: 'web-7d4b9c-bbbbb.2' } }]);
  });

  it('an edge to an object that is gone is empty', async () => {
    await apply(
      pod(
        'orphan',
        {},
        `  ownerReferences:\n  - { apiVersion: apps/v1, kind: ReplicaSet, name: gone, uid: 11111111-2222-3333-4444-555555555555 }\n`,
      ),
      'edges',
    );
    const data = await cluster.ok<{ pod: unknown }>(
      `{ pod(namespace: "edges", name: "orphan") { owner { kind } node { kind } events { reason } } }`,
    );
    expect(data.pod).toEqual({ owner: null, node: null, events: [] });
  });
});
