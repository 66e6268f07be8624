import { describe, expect, it } from 'vitest';
import { clusterPerFile } from '../support/cluster-per-file.ts';
import { codeOf, collect } from '../support/harness.ts';

/** Object identification over the endpoint: every object's `id`, and reading objects back by it. */
const cluster = clusterPerFile();

const configMap = (name: string, value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name}, namespace: default }\ndata: { k: "${value}" }`;

async function apply(manifests: string): Promise<string> {
  const data = await cluster.ok(`mutation($m: String!) { apply(manifests: $m) { id } }`, { m: manifests });
  return data.apply[0].id;
}

async function remove(name: string): Promise<void> {
  await cluster.ok(`mutation($n: String!) { deleteConfigMap(name: $n) { id } }`, { n: name });
}

const BY_ID = `query($id: ID!) { resource(id: $id) { __typename id metadata { name } ... on ConfigMap { data } } }`;

describe('object ids', () => {
  it('are the same in every read and write of an object, and through its updates', async () => {
    const id = await apply(configMap('same', 'a'));
    const read = await cluster.ok(
      `query { configMap(name: "same") { id } configMaps { items { id metadata { name } } } }`,
    );
    expect(read.configMap.id).toBe(id);
    expect(read.configMaps.items.find((cm: { id: string }) => cm.id === id).metadata.name).toBe('same');
    const patched = await cluster.ok(
      `mutation { patchConfigMap(name: "same", patch: { data: { k: "b" } }) { id data } }`,
    );
    expect(patched.patchConfigMap).toEqual({ id, data: { k: 'b' } });
  });

  it('are new for an object deleted and created again under the same name', async () => {
    const first = await apply(configMap('again', 'a'));
    await remove('again');
    const second = await apply(configMap('again', 'a'));
    expect(second).not.toBe(first);
    expect((await cluster.ok(BY_ID, { id: first })).resource).toBeNull();
  });

  it('ride on watch events; a bookmark has an id of its own, which names no object', async () => {
    const id = await apply(configMap('watched', 'a'));
    const watch = collect(
      cluster.wsClient(),
      `subscription {
      watchConfigMaps(namespace: "default", fieldSelector: "metadata.name=watched", sendInitialEvents: true, allowBookmarks: true) {
        type object { id }
      }
    }`,
    );
    await watch.until(() => watch.items.some((item) => item.watchConfigMaps.type === 'BOOKMARK'));
    watch.unsubscribe();
    const [added, bookmark] = watch.items.map((item) => item.watchConfigMaps);
    expect(added).toEqual({ type: 'ADDED', object: { id } });
    expect(bookmark.type).toBe('BOOKMARK');
    expect(bookmark.object.id).not.toBe(id);
    expect((await cluster.ok(BY_ID, { id: bookmark.object.id })).resource).toBeNull();
  });
});

describe('resource(id:) and resources(ids:)', () => {
  it('read any object back by its id, as its own type', async () => {
    const id = await apply(configMap('by-id', 'a'));
    expect((await cluster.ok(BY_ID, { id })).resource).toEqual({
      __typename: 'ConfigMap',
      id,
      metadata: { name: 'by-id' },
      data: { k: 'a' },
    });
  });

  it('answer null for an object that no longer exists', async () => {
    const id = await apply(configMap('gone', 'a'));
    await remove('gone');
    expect((await cluster.ok(BY_ID, { id })).resource).toBeNull();
  });

  it('refuse a string that is not an id with BAD_REQUEST', async () => {
    // Not base64url; base64url of no `kind:uid`; of an unknown kind; a known one with trailing junk.
    const ids = [
      'not an id!',
      'bm9jb2xvbg',
      Buffer.from('Gadget:1').toString('base64url'),
      'Q29uZmlnTWFwOng$',
    ];
    for (const id of ids) {
      const result = await cluster.gql(BY_ID, { id });
      expect(result.data).toEqual({ resource: null });
      expect(codeOf(result.errors?.[0])).toBe('BAD_REQUEST');
      expect(result.errors?.[0].message).toMatch(/^malformed object id .*: use the `id` field of an object/);
    }
  });

  it('answer in order, with null for a deleted object and an error at the index of a malformed id', async () => {
    const kept = await apply(configMap('kept', 'a'));
    const deleted = await apply(configMap('deleted', 'a'));
    await remove('deleted');
    const result = await cluster.gql(
      `query($ids: [ID!]!) { resources(ids: $ids) { id metadata { name } } }`,
      {
        ids: [kept, 'junk', deleted, kept],
      },
    );
    expect(result.data).toEqual({
      resources: [
        { id: kept, metadata: { name: 'kept' } },
        null,
        null,
        { id: kept, metadata: { name: 'kept' } },
      ],
    });
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]).toMatchObject({ path: ['resources', 1], extensions: { code: 'BAD_REQUEST' } });
  });

  it('take at most 500 ids at once', async () => {
    const result = await cluster.gql(`query($ids: [ID!]!) { resources(ids: $ids) { id } }`, {
      ids: Array.from({ length: 501 }, () => 'x'),
    });
    expect(codeOf(result.errors?.[0])).toBe('BAD_REQUEST');
    expect(result.errors?.[0].message).toBe('at most 500 ids at once, not 501');
  });
});
