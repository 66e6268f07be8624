import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type GraphQLResponse, type TestCluster } from '../support/harness.ts';

/** Lists as kubectl uses them: selectors, namespaces, pages; and the edges between kinds. */

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(async () => {
  await cluster?.stop();
});

async function apply(manifests: string, namespace?: string): Promise<any[]> {
  const data = await cluster.ok(
    `mutation($m: String!, $ns: String) { apply(manifests: $m, namespace: $ns) { kind metadata { name namespace uid } } }`,
    { m: manifests, ns: namespace },
  );
  return data.apply;
}

function configMap(name: string, labels: Record<string, string> = {}, namespace?: string): string {
  const meta = [`  name: ${name}`, namespace ? `  namespace: ${namespace}` : ''].filter(Boolean).join('\n');
  const labelLines = Object.entries(labels)
    .map(([k, v]) => `    ${k}: "${v}"`)
    .join('\n');
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n${meta}\n${labelLines ? `  labels:\n${labelLines}\n` : ''}data:\n  name: ${name}\n`;
}

function pod(name: string, labels: Record<string, string> = {}, extraMeta = ''): string {
  const labelLines = Object.entries(labels)
    .map(([k, v]) => `    ${k}: "${v}"`)
    .join('\n');
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
${labelLines ? `  labels:\n${labelLines}\n` : ''}${extraMeta}spec:
  containers:
  - name: app
    image: nginx:1.27
`;
}

function listConfigMaps(args: {
  namespace?: string | null;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}): Promise<GraphQLResponse> {
  return cluster.gql(
    `query($ns: String, $l: String, $f: String, $limit: Int, $c: String) {
      configMaps(namespace: $ns, labelSelector: $l, fieldSelector: $f, limit: $limit, continue: $c) {
        metadata { resourceVersion continue remainingItemCount }
        items { metadata { name namespace } data }
      }
    }`,
    { ns: args.namespace, l: args.labelSelector, f: args.fieldSelector, limit: args.limit, c: args.continue },
  );
}

async function configMapNames(args: Parameters<typeof listConfigMaps>[0]): Promise<string[]> {
  const result = await listConfigMaps(args);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data.configMaps.items.map((i: any) => i.metadata.name);
}

async function podNames(
  namespace: string | null,
  fieldSelector?: string,
  labelSelector?: string,
): Promise<string[]> {
  const data = await cluster.ok(
    `query($ns: String, $f: String, $l: String) {
      pods(namespace: $ns, fieldSelector: $f, labelSelector: $l) { items { metadata { name } } }
    }`,
    { ns: namespace, f: fieldSelector, l: labelSelector },
  );
  return data.pods.items.map((i: any) => i.metadata.name);
}

function expectCode(result: GraphQLResponse, code: string) {
  expect(result.errors, `expected ${code}, got ${JSON.stringify(result)}`).toBeDefined();
  expect(result.errors![0].extensions?.code, result.errors![0].message).toBe(code);
  return result.errors![0];
}

describe('label selectors', () => {
  beforeAll(async () => {
    await apply(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: labels\n`);
    await apply(
      [
        configMap('a', { app: 'web', env: 'prod', tier: 'frontend' }),
        configMap('b', { app: 'web', env: 'staging' }),
        configMap('c', { app: 'api', env: 'prod', legacy: 'true' }),
        configMap('d', { app: 'db', 'example.com/team': 'storage' }),
        configMap('e'),
      ].join('---\n'),
      'labels',
    );
  });

  it.each([
    ['app=web', ['a', 'b']],
    ['app==web', ['a', 'b']],
    ['app!=web', ['c', 'd', 'e']],
    ['env in (prod,staging)', ['a', 'b', 'c']],
    ['env in (prod)', ['a', 'c']],
    ['env notin (prod)', ['b', 'd', 'e']],
    ['env notin (prod,staging)', ['d', 'e']],
    ['legacy', ['c']],
    ['!legacy', ['a', 'b', 'd', 'e']],
    ['example.com/team', ['d']],
    ['example.com/team=storage', ['d']],
    ['app=web,env=prod', ['a']],
    ['app in (web,api),!legacy', ['a', 'b']],
    ['tier,env!=staging', ['a']],
    ['env,!tier', ['b', 'c']],
    [' app = web , env in ( prod , qa ) ', ['a']],
    ['app=nothing', []],
    ['', ['a', 'b', 'c', 'd', 'e']],
  ])('%j selects %j', async (selector, expected) => {
    expect(await configMapNames({ namespace: 'labels', labelSelector: selector })).toEqual(expected);
  });

  it.each(['app in prod', 'app in (web', '=web', 'app=web,,env=prod', '!', 'app notin', 'a b', 'app=(web)'])(
    'answers BAD_REQUEST for %j',
    async (selector) => {
      const error = expectCode(
        await listConfigMaps({ namespace: 'labels', labelSelector: selector }),
        'BAD_REQUEST',
      );
      expect(error.message).toContain('unable to parse selector');
    },
  );

  it('selects across all namespaces', async () => {
    await apply(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: labels-2\n`);
    await apply(configMap('f', { app: 'web', env: 'prod' }), 'labels-2');
    const result = await listConfigMaps({ labelSelector: 'app=web,env=prod' });
    const items = result.data.configMaps.items.map((i: any) => `${i.metadata.namespace}/${i.metadata.name}`);
    // Key order, as etcd's: "labels-2/" sorts before "labels/" ('-' < '/').
    expect(items).toEqual(['labels-2/f', 'labels/a']);
  });
});

describe('field selectors', () => {
  beforeAll(async () => {
    await apply(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: fields\n`);
    await apply(
      `apiVersion: v1\nkind: Node\nmetadata:\n  name: fields-node-1\n---\napiVersion: v1\nkind: Node\nmetadata:\n  name: fields-node-2\n`,
    );
    await apply(
      [pod('p1', { app: 'web' }), pod('p2', { app: 'web' }), pod('p3', { app: 'batch' })].join('---\n'),
      'fields',
    );
    const bind = (name: string, node: string) =>
      cluster.ok(
        `mutation($n: String!, $node: String!) { bindPod(namespace: "fields", name: $n, nodeName: $node) { spec { nodeName } } }`,
        { n: name, node },
      );
    expect((await bind('p1', 'fields-node-1')).bindPod.spec.nodeName).toBe('fields-node-1');
    await bind('p2', 'fields-node-2');
    const status = (name: string, phase: string) =>
      cluster.ok(
        `mutation($n: String!, $s: PodStatusInput!) { updatePodStatus(namespace: "fields", name: $n, status: $s) { status { phase } } }`,
        { n: name, s: { phase, podIP: '10.244.0.5' } },
      );
    expect((await status('p1', 'Running')).updatePodStatus.status.phase).toBe('Running');
    await status('p3', 'Failed');
  });

  it.each([
    ['metadata.name=p1', ['p1']],
    ['metadata.name==p1', ['p1']],
    ['metadata.name!=p1', ['p2', 'p3']],
    ['metadata.namespace=fields', ['p1', 'p2', 'p3']],
    ['metadata.namespace=default', []],
    ['spec.nodeName=fields-node-1', ['p1']],
    ['spec.nodeName=', ['p3']],
    ['spec.nodeName!=', ['p1', 'p2']],
    ['status.phase=Running', ['p1']],
    ['status.phase=Pending', ['p2']],
    ['status.phase!=Running', ['p2', 'p3']],
    ['spec.nodeName=fields-node-2,status.phase=Pending', ['p2']],
    ['spec.nodeName=fields-node-1,status.phase=Pending', []],
  ])('pods %j → %j', async (selector, expected) => {
    expect(await podNames('fields', selector)).toEqual(expected);
  });

  it('selects across all namespaces, and together with a label selector', async () => {
    expect(await podNames(null, 'metadata.namespace=fields')).toEqual(['p1', 'p2', 'p3']);
    expect(await podNames(null, 'status.phase!=Failed', 'app=web')).toEqual(['p1', 'p2']);
    expect(await podNames(null, 'metadata.name=p3', 'app=web')).toEqual([]);
  });

  it('sees a binding and a status update in the Node.pods edge and the list of that node', async () => {
    const node = await cluster.ok(
      `{ node(name: "fields-node-1") { pods { metadata { name } status { phase } } } }`,
    );
    expect(node.node.pods).toEqual([{ metadata: { name: 'p1' }, status: { phase: 'Running' } }]);
  });

  it.each([
    ['pods', 'spec.containers=app'],
    ['pods', 'status.phase'],
    ['pods', 'metadata.labels=x'],
    ['configMaps', 'spec.nodeName=fields-node-1'],
    ['configMaps', 'data.name=a'],
  ])('%s answers BAD_REQUEST for the unsupported %j', async (field, selector) => {
    const result = await cluster.gql(`query($f: String) { ${field}(fieldSelector: $f) { items { kind } } }`, {
      f: selector,
    });
    expectCode(result, 'BAD_REQUEST');
  });
});

describe('namespaces', () => {
  it('lists one namespace, or every namespace when none is given', async () => {
    await apply(
      `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: scope-a\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: scope-b\n`,
    );
    await apply(
      [
        configMap('shared', {}, 'scope-a'),
        configMap('shared', {}, 'scope-b'),
        configMap('only-b', {}, 'scope-b'),
      ].join('---\n'),
    );

    expect(await configMapNames({ namespace: 'scope-a' })).toEqual(['shared']);
    expect(await configMapNames({ namespace: 'scope-b' })).toEqual(['only-b', 'shared']);
    const all = await listConfigMaps({ namespace: null, fieldSelector: 'metadata.name=shared' });
    expect(all.data.configMaps.items.map((i: any) => i.metadata.namespace)).toEqual(['scope-a', 'scope-b']);
    const everywhere = await listConfigMaps({});
    const keys = everywhere.data.configMaps.items.map(
      (i: any) => `${i.metadata.namespace}/${i.metadata.name}`,
    );
    expect(keys).toEqual(expect.arrayContaining(['scope-a/shared', 'scope-b/only-b', 'scope-b/shared']));
    // In namespace, then name order.
    expect(keys).toEqual([...keys].sort());
    // A namespace whose name is a prefix of another's does not see the other's objects.
    await apply(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: scope\n`);
    expect(await configMapNames({ namespace: 'scope' })).toEqual([]);

    const selected = await cluster.ok(`{ configMap(namespace: "scope-a", name: "only-b") { kind } }`);
    expect(selected.configMap).toBeNull();
  });

  it('lists cluster-scoped kinds without a namespace', async () => {
    const names = (await cluster.ok(`{ namespaces { items { metadata { name namespace } } } }`)).namespaces
      .items;
    expect(names).toEqual(
      expect.arrayContaining([
        { metadata: { name: 'default', namespace: null } },
        { metadata: { name: 'kube-system', namespace: null } },
      ]),
    );
    const active = await cluster.ok(
      `{ namespaces(fieldSelector: "status.phase=Active") { items { metadata { name } } } }`,
    );
    expect(active.namespaces.items.map((i: any) => i.metadata.name)).toContain('default');
  });
});

describe('pagination', () => {
  const many = (namespace: string) =>
    apply(
      [
        `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${namespace}\n`,
        ...Array.from({ length: 25 }, (_, i) =>
          configMap(`cm-${String(i).padStart(2, '0')}`, { page: 'yes' }, namespace),
        ),
      ].join('---\n'),
    );

  it('pages 25 objects by 10, every object exactly once and in order', async () => {
    await many('pages');
    const all = Array.from({ length: 25 }, (_, i) => `cm-${String(i).padStart(2, '0')}`);

    const first = (await listConfigMaps({ namespace: 'pages', limit: 10 })).data.configMaps;
    expect(first.items.map((i: any) => i.metadata.name)).toEqual(all.slice(0, 10));
    expect(first.metadata.remainingItemCount).toBe(15);
    expect(first.metadata.continue).toEqual(expect.any(String));

    const second = (
      await listConfigMaps({ namespace: 'pages', limit: 10, continue: first.metadata.continue })
    ).data.configMaps;
    expect(second.items.map((i: any) => i.metadata.name)).toEqual(all.slice(10, 20));
    expect(second.metadata.remainingItemCount).toBe(5);
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);

    const third = (
      await listConfigMaps({ namespace: 'pages', limit: 10, continue: second.metadata.continue })
    ).data.configMaps;
    expect(third.items.map((i: any) => i.metadata.name)).toEqual(all.slice(20));
    expect(third.metadata.continue).toBeNull();
    expect(third.metadata.remainingItemCount).toBeNull();
    expect(third.metadata.resourceVersion).toBe(first.metadata.resourceVersion);

    // Without a limit: all of them, one page.
    const whole = (await listConfigMaps({ namespace: 'pages' })).data.configMaps;
    expect(whole.items.map((i: any) => i.metadata.name)).toEqual(all);
    expect(whole.metadata.continue).toBeNull();

    // A limit that divides the list exactly leaves no empty last page.
    const five = (await listConfigMaps({ namespace: 'pages', limit: 20 })).data.configMaps;
    const rest = (await listConfigMaps({ namespace: 'pages', limit: 5, continue: five.metadata.continue }))
      .data.configMaps;
    expect(rest.items).toHaveLength(5);
    expect(rest.metadata.continue).toBeNull();
  });

  it('pages with a selector, counting only matches and giving no remainingItemCount', async () => {
    await apply(configMap('cm-12', { page: 'yes', odd: 'no' }, 'pages'));
    const collected: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = (
        await listConfigMaps({
          namespace: 'pages',
          labelSelector: 'page=yes,!odd',
          limit: 7,
          continue: token,
        })
      ).data.configMaps;
      expect(page.items.length).toBeLessThanOrEqual(7);
      expect(page.metadata.remainingItemCount).toBeNull();
      collected.push(...page.items.map((i: any) => i.metadata.name));
      token = page.metadata.continue ?? undefined;
      pages++;
    } while (token);
    expect(pages).toBe(4);
    expect(collected).toHaveLength(24);
    expect(collected).not.toContain('cm-12');
    expect(new Set(collected).size).toBe(24);
  });

  it('reads every page at the revision of the first, whatever changes in between', async () => {
    await many('snapshot');
    const first = (await listConfigMaps({ namespace: 'snapshot', limit: 10 })).data.configMaps;
    expect(first.items).toHaveLength(10);

    // Concurrent writes: deletes before and inside the next page, a create inside it, a change.
    const del = (name: string) =>
      cluster.ok(`mutation($n: String!) { deleteConfigMap(namespace: "snapshot", name: $n) { kind } }`, {
        n: name,
      });
    await del('cm-05');
    await del('cm-12');
    await cluster.ok(
      `mutation { patchConfigMap(namespace: "snapshot", name: "cm-15", patch: { data: { name: "changed" } }) { kind } }`,
    );
    await apply(configMap('cm-13a', {}, 'snapshot'));

    const second = (
      await listConfigMaps({ namespace: 'snapshot', limit: 10, continue: first.metadata.continue })
    ).data.configMaps;
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    expect(second.items.map((i: any) => i.metadata.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `cm-${i + 10}`),
    );
    expect(second.items.find((i: any) => i.metadata.name === 'cm-15').data).toEqual({ name: 'cm-15' });
    expect(second.metadata.remainingItemCount).toBe(5);

    const third = (
      await listConfigMaps({ namespace: 'snapshot', limit: 10, continue: second.metadata.continue })
    ).data.configMaps;
    expect(third.items.map((i: any) => i.metadata.name)).toEqual([
      'cm-20',
      'cm-21',
      'cm-22',
      'cm-23',
      'cm-24',
    ]);

    // A new list sees the present.
    const now = (await listConfigMaps({ namespace: 'snapshot' })).data.configMaps;
    const names = now.items.map((i: any) => i.metadata.name);
    expect(names).toHaveLength(24);
    expect(names).toContain('cm-13a');
    expect(names).not.toContain('cm-12');
    expect(names).not.toContain('cm-05');
    expect(now.items.find((i: any) => i.metadata.name === 'cm-15').data).toEqual({ name: 'changed' });
    expect(Number(now.metadata.resourceVersion)).toBeGreaterThan(Number(first.metadata.resourceVersion));
  });

  it.each([
    ['garbage', 'garbage'],
    ['not JSON', Buffer.from('{nope').toString('base64url')],
    ['wrong fields', Buffer.from(JSON.stringify({ rv: 'x', key: 1 })).toString('base64url')],
  ])('answers BAD_REQUEST for a continue token that is %s', async (_what, token) => {
    const error = expectCode(
      await listConfigMaps({ namespace: 'pages', limit: 10, continue: token }),
      'BAD_REQUEST',
    );
    expect(error.message).toContain('continue');
  });
});

describe('edges between kinds', () => {
  let deployment: any;
  let replicaSet: any;
  let pods: any[];

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
    const owner = (kind: string, obj: any, apiVersion: string) =>
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
    const data = await cluster.ok(`{
      deployment(namespace: "edges", name: "web") {
        replicaSets { metadata { name } pods { metadata { name } } }
        pods { metadata { name } }
      }
    }`);
    expect(data.deployment.replicaSets.map((rs: any) => rs.metadata.name)).toEqual(['web-7d4b9c']);
    const owned = ['web-7d4b9c-aaaaa', 'web-7d4b9c-bbbbb'];
    expect(data.deployment.replicaSets[0].pods.map((p: any) => p.metadata.name).sort()).toEqual(owned);
    expect(data.deployment.pods.map((p: any) => p.metadata.name).sort()).toEqual(owned);
  });

  it('Pod.owner and ReplicaSet.owner lead back up', async () => {
    const data = await cluster.ok(`{
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
    const before = await cluster.ok(
      `{ pod(namespace: "edges", name: "web-7d4b9c-aaaaa") { node { metadata { name } } } }`,
    );
    expect(before.pod.node).toBeNull();
    const emptyNode = await cluster.ok(`{ node(name: "edges-node") { pods { metadata { name } } } }`);
    expect(emptyNode.node.pods).toEqual([]);

    await cluster.ok(
      `mutation { bindPod(namespace: "edges", name: "web-7d4b9c-aaaaa", nodeName: "edges-node") { kind } }`,
    );
    const after = await cluster.ok(`{
      pod(namespace: "edges", name: "web-7d4b9c-aaaaa") { spec { nodeName } node { metadata { name } } status { conditions { type status } } }
    }`);
    expect(after.pod.spec.nodeName).toBe('edges-node');
    expect(after.pod.node).toEqual({ metadata: { name: 'edges-node' } });
    expect(after.pod.status.conditions).toContainEqual({ type: 'PodScheduled', status: 'True' });
    const node = await cluster.ok(`{ node(name: "edges-node") { pods { metadata { name namespace } } } }`);
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
    const before = await cluster.ok(`{
      service(namespace: "edges", name: "web") { pods { metadata { name } } endpoints { metadata { name } } }
      external: service(namespace: "edges", name: "external") { pods { metadata { name } } }
    }`);
    expect(before.service.pods.map((p: any) => p.metadata.name).sort()).toEqual([
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
    const after = await cluster.ok(`{
      service(namespace: "edges", name: "web") { endpoints { metadata { name } subsets { addresses { ip targetRef { name } } } } }
    }`);
    expect(after.service.endpoints).toEqual({
      metadata: { name: 'web' },
      subsets: [{ addresses: [{ ip: '10.244.1.7', targetRef: { name: 'web-7d4b9c-aaaaa' } }] }],
    });
  });

  it('events lists the Events about an object, oldest first', async () => {
    const target = pods.find((p) => p.metadata.name === 'web-7d4b9c-bbbbb');
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
    const data = await cluster.ok(`{
      pod(namespace: "edges", name: "web-7d4b9c-bbbbb") { events { reason involvedObject { uid } } }
      other: pod(namespace: "edges", name: "other") { events { reason } }
      deployment(namespace: "edges", name: "web") { events { reason } }
    }`);
    expect(data.pod.events.map((e: any) => e.reason)).toEqual(['Scheduled', 'Pulled', 'Started']);
    expect(data.pod.events.every((e: any) => e.involvedObject.uid === target.metadata.uid)).toBe(true);
    expect(data.other.events).toEqual([]);
    expect(data.deployment.events).toEqual([]);

    // An Event is found through the field selectors kubectl describe uses, too.
    const byUid = await cluster.ok(
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
    const data = await cluster.ok(
      `{ pod(namespace: "edges", name: "orphan") { owner { kind } node { kind } events { reason } } }`,
    );
    expect(data.pod).toEqual({ owner: null, node: null, events: [] });
  });
});
