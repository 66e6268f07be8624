import { beforeAll, describe, expect, it } from 'vitest';
import { clusterPerFile } from '../support/cluster-per-file.ts';
import { configMap, expectCode, listApi, pod } from '../support/list-queries.ts';

/** Lists as kubectl narrows them: label selectors, field selectors, one namespace or all. */

const cluster = clusterPerFile();
const { apply, listConfigMaps, configMapNames, podNames } = listApi(cluster);

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
    const items = result.data!.configMaps.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`);
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
      cluster.ok<{ bindPod: { spec: { nodeName: string } } }>(
        `mutation($n: String!, $node: String!) { bindPod(namespace: "fields", name: $n, nodeName: $node) { spec { nodeName } } }`,
        { n: name, node },
      );
    expect((await bind('p1', 'fields-node-1')).bindPod.spec.nodeName).toBe('fields-node-1');
    await bind('p2', 'fields-node-2');
    const status = (name: string, phase: string) =>
      cluster.ok<{ updatePodStatus: { status: { phase: string } } }>(
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
    const node = await cluster.ok<{ node: { pods: unknown[] } }>(
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
    expect(all.data!.configMaps.items.map((i) => i.metadata.namespace)).toEqual(['scope-a', 'scope-b']);
    const everywhere = await listConfigMaps({});
    const keys = everywhere.data!.configMaps.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`);
    expect(keys).toEqual(expect.arrayContaining(['scope-a/shared', 'scope-b/only-b', 'scope-b/shared']));
    // In namespace, then name order.
    expect(keys).toEqual([...keys].sort());
    // A namespace whose name is a prefix of another's does not see the other's objects.
    await apply(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: scope\n`);
    expect(await configMapNames({ namespace: 'scope' })).toEqual([]);

    const selected = await cluster.ok<{ configMap: { kind: string } | null }>(
      `{ configMap(namespace: "scope-a", name: "only-b") { kind } }`,
    );
    expect(selected.configMap).toBeNull();
  });

  it('lists cluster-scoped kinds without a namespace', async () => {
    const names = (
      await cluster.ok<{ namespaces: { items: unknown[] } }>(
        `{ namespaces { items { metadata { name namespace } } } }`,
      )
    ).namespaces.items;
    expect(names).toEqual(
      expect.arrayContaining([
        { metadata: { name: 'default', namespace: null } },
        { metadata: { name: 'kube-system', namespace: null } },
      ]),
    );
    const active = await cluster.ok<{ namespaces: { items: Array<{ metadata: { name: string } }> } }>(
      `{ namespaces(fieldSelector: "status.phase=Active") { items { metadata { name } } } }`,
    );
    expect(active.namespaces.items.map((i) => i.metadata.name)).toContain('default');
  });
});
