import { describe, expect, it } from 'vitest';
import { clusterPerFile } from '../support/cluster-per-file.ts';
import { collect, type GraphQLResponse } from '../support/harness.ts';

// Keys that mean something to JavaScript (`__proto__`, `constructor`, `prototype`) or
// that only exist on Object.prototype (`toString`) are refused wherever a client puts
// them, with the field's path, except `constructor` and `prototype` as keys of string
// maps (labels, ConfigMap data), where Kubernetes allows them; and a write that changes
// nothing stores nothing.

const cluster = clusterPerFile();

const APPLY = `mutation($m: String!) { apply(manifests: $m) { metadata { name resourceVersion } } }`;
const META = `metadata { name resourceVersion generation labels }`;

function expectInvalid(result: GraphQLResponse, field: string, reason: string): void {
  expect(result.data ?? null).toBeNull();
  const error = result.errors?.[0];
  expect(error?.extensions?.code).toBe('INVALID');
  expect(error?.extensions?.causes).toContainEqual(expect.objectContaining({ field, reason }));
  expect(error?.message).toContain(`${field}: `);
}

async function configMap(name: string) {
  const data = await cluster.ok(
    `query($n: String!) { configMap(namespace: "default", name: $n) { ${META} data } }`,
    {
      n: name,
    },
  );
  return data.configMap;
}

async function deployment(name: string) {
  const data = await cluster.ok(
    `query($n: String!) { deployment(namespace: "default", name: $n) { ${META} spec { replicas } } }`,
    { n: name },
  );
  return data.deployment;
}

const DEPLOYMENT = (name: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'web', image: 'kubeql/demo-web:v1' }] },
    },
  },
});

/** A JSON manifest with `key` set (as an own property, as JSON.parse makes it) in the object at `path`. */
function withKey(manifest: Record<string, unknown>, path: string[], key: string, value: unknown): string {
  const copy = structuredClone(manifest);
  let at: Record<string, unknown> = copy;
  for (const step of path) at = at[step] as Record<string, unknown>;
  Object.defineProperty(at, key, { value, enumerable: true, writable: true, configurable: true });
  return JSON.stringify(copy);
}

describe('apply refuses hostile keys with their paths, and stores nothing', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hostile' }, data: { a: 'b' } };

  it.each([
    ['metadata.__proto__', withKey(cm, ['metadata'], '__proto__', { labels: { evil: 'yes' } }), 'Forbidden'],
    ['metadata.toString', withKey(cm, ['metadata'], 'toString', 'evil'), 'UnknownField'],
    ['metadata.hasOwnProperty', withKey(cm, ['metadata'], 'hasOwnProperty', 1), 'UnknownField'],
    ['metadata.constructor', withKey(cm, ['metadata'], 'constructor', { prototype: {} }), 'Forbidden'],
    ['__proto__', withKey(cm, [], '__proto__', { kind: 'Secret' }), 'Forbidden'],
    ['data.__proto__', withKey(cm, ['data'], '__proto__', 'x'), 'Forbidden'],
    [
      'binaryData.__proto__',
      withKey({ ...cm, binaryData: {} }, ['binaryData'], '__proto__', 'eA=='),
      'Forbidden',
    ],
    [
      'metadata.labels.__proto__',
      withKey(cm, ['metadata'], 'labels', JSON.parse('{"__proto__": "x"}')),
      'Forbidden',
    ],
  ])('%s (JSON)', async (field, manifest, reason) => {
    expectInvalid(await cluster.gql(APPLY, { m: manifest }), field, reason);
    expect(await configMap('hostile')).toBeNull();
  });

  it.each([
    [
      'metadata.__proto__',
      'metadata: {name: hostile, __proto__: {labels: {evil: "yes"}}}\ndata: {a: b}',
      'Forbidden',
    ],
    ['metadata.toString', 'metadata: {name: hostile, toString: evil}', 'UnknownField'],
    ['data.__proto__', 'metadata: {name: hostile}\ndata:\n  __proto__: x', 'Forbidden'],
  ])('%s (YAML)', async (field, rest, reason) => {
    expectInvalid(
      await cluster.gql(APPLY, { m: `apiVersion: v1\nkind: ConfigMap\n${rest}\n` }),
      field,
      reason,
    );
    expect(await configMap('hostile')).toBeNull();
  });

  it('spec.__proto__ of a Deployment', async () => {
    const manifest = withKey(DEPLOYMENT('hostile-deploy'), ['spec'], '__proto__', { replicas: 50 });
    expectInvalid(await cluster.gql(APPLY, { m: manifest }), 'spec.__proto__', 'Forbidden');
    expect(await deployment('hostile-deploy')).toBeNull();
  });

  it('keys of a typed create input (labels sent as variables)', async () => {
    const labels = JSON.parse('{"__proto__": "x", "ok": "y"}') as Record<string, string>;
    const result = await cluster.gql(
      `mutation($cm: ConfigMapInput!) { createConfigMap(configMap: $cm) { metadata { name } } }`,
      { cm: { metadata: { name: 'hostile-typed', labels } } },
    );
    expectInvalid(result, 'metadata.labels.__proto__', 'Forbidden');
    expect(await configMap('hostile-typed')).toBeNull();
  });
});

describe('string maps take constructor and prototype as ordinary keys, as Kubernetes does', () => {
  const MAPS = `metadata { name labels annotations } data binaryData`;
  const manifest = (name: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, labels: { constructor: 'yes' }, annotations: { prototype: 'note' } },
    data: { constructor: 'c', prototype: 'p' },
    binaryData: { toString: 'eA==' },
  });

  it('applies them, in JSON and YAML, and reads them back', async () => {
    await cluster.ok(APPLY, { m: JSON.stringify(manifest('proto-keys')) });
    await cluster.ok(APPLY, {
      m: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: proto-keys-yaml}\ndata: {constructor: c, prototype: p}\n',
    });
    const read = await cluster.ok(
      `query { a: configMap(name: "proto-keys") { ${MAPS} } b: configMap(name: "proto-keys-yaml") { data } }`,
    );
    expect(read.a).toEqual({
      metadata: { name: 'proto-keys', labels: { constructor: 'yes' }, annotations: { prototype: 'note' } },
      data: { constructor: 'c', prototype: 'p' },
      binaryData: { toString: 'eA==' },
    });
    expect(read.b.data).toEqual({ constructor: 'c', prototype: 'p' });
  });

  it('selects by such a label key only the objects that have it', async () => {
    await cluster.ok(APPLY, { m: JSON.stringify(manifest('proto-labelled')) });
    await cluster.ok(APPLY, {
      m: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: proto-unlabelled, labels: {other: x}}\n',
    });
    const names = async (selector: string) =>
      (
        await cluster.ok(
          `query($s: String) { configMaps(namespace: "default", labelSelector: $s) { items { metadata { name } } } }`,
          { s: selector },
        )
      ).configMaps.items.map((cm: { metadata: { name: string } }) => cm.metadata.name);
    expect(await names('constructor')).toContain('proto-labelled');
    expect(await names('constructor')).not.toContain('proto-unlabelled');
    expect(await names('!constructor')).toContain('proto-unlabelled');
  });

  it('patches them: set, change and delete', async () => {
    await cluster.ok(APPLY, {
      m: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: proto-patched}\ndata: {a: b}\n',
    });
    const patch = `mutation($p: JSON!) { patchConfigMap(name: "proto-patched", patch: $p) { data } }`;
    expect((await cluster.ok(patch, { p: { data: { constructor: 'c' } } })).patchConfigMap.data).toEqual({
      a: 'b',
      constructor: 'c',
    });
    expect(
      (await cluster.ok(patch, { p: { data: { constructor: null, prototype: 'p' } } })).patchConfigMap.data,
    ).toEqual({ a: 'b', prototype: 'p' });
  });

  it('still refuses __proto__ among them, with its path', async () => {
    const data = JSON.parse('{"constructor": "c", "__proto__": "x"}') as Record<string, string>;
    const result = await cluster.gql(APPLY, { m: JSON.stringify({ ...manifest('proto-refused'), data }) });
    expectInvalid(result, 'data.__proto__', 'Forbidden');
    expect(result.errors?.[0]?.extensions?.causes).toHaveLength(1);
    expect(result.errors?.[0]?.message).toBe(
      'ConfigMap "proto-refused" is invalid: data.__proto__: "__proto__" is a reserved name and may not be used as a key',
    );
    expect(await configMap('proto-refused')).toBeNull();
  });
});

describe('merge patches', () => {
  const PATCH_CM = `mutation($n: String!, $p: JSON!) { patchConfigMap(name: $n, patch: $p) { ${META} } }`;
  const PATCH_DEPLOY = `mutation($n: String!, $p: JSON!) { patchDeployment(name: $n, patch: $p) { ${META} } }`;

  it('refuses a patch of only __proto__, and nothing changes (same resourceVersion and generation)', async () => {
    await cluster.ok(APPLY, {
      m: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: patched}\ndata: {a: b}\n',
    });
    const before = await configMap('patched');
    expect(before.metadata.generation).toBe(1);

    const patch = JSON.parse('{"__proto__": {"data": {"a": "polluted"}}}') as unknown;
    expectInvalid(await cluster.gql(PATCH_CM, { n: 'patched', p: patch }), '__proto__', 'Forbidden');
    // The same as a GraphQL literal, which graphql-js builds as an object without a prototype.
    expectInvalid(
      await cluster.gql(
        `mutation { patchConfigMap(name: "patched", patch: { __proto__: { data: { a: "x" } } }) { kind } }`,
      ),
      '__proto__',
      'Forbidden',
    );
    const nested = JSON.parse('{"metadata": {"__proto__": {"labels": {"evil": "yes"}}}}') as unknown;
    expectInvalid(
      await cluster.gql(PATCH_CM, { n: 'patched', p: nested }),
      'metadata.__proto__',
      'Forbidden',
    );
    // Even to delete one: such a key is never stored, so there is nothing to delete.
    expectInvalid(
      await cluster.gql(PATCH_CM, {
        n: 'patched',
        p: JSON.parse('{"data": {"__proto__": null}}') as unknown,
      }),
      'data.__proto__',
      'Forbidden',
    );

    expect(await configMap('patched')).toEqual(before);
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });

  it('refuses spec.__proto__ in a Deployment patch without a new generation', async () => {
    await cluster.ok(APPLY, { m: JSON.stringify(DEPLOYMENT('patched-deploy')) });
    const before = await deployment('patched-deploy');
    const patch = JSON.parse('{"spec": {"__proto__": {"replicas": 7}}}') as unknown;
    expectInvalid(
      await cluster.gql(PATCH_DEPLOY, { n: 'patched-deploy', p: patch }),
      'spec.__proto__',
      'Forbidden',
    );
    expect(await deployment('patched-deploy')).toEqual(before);
  });

  it('refuses a patch nested deeper than the manifest limit', async () => {
    await cluster.ok(APPLY, { m: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep-patch}\n' });
    let patch: unknown = 'x';
    for (let level = 0; level < 150; level++) patch = { a: patch };
    const result = await cluster.gql(PATCH_CM, { n: 'deep-patch', p: { data: patch } });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    expect(result.errors?.[0]?.message).toMatch(/nest|depth/);
  });

  it('stores nothing for a patch that changes nothing: no resourceVersion, no generation, no watch event', async () => {
    await cluster.ok(APPLY, {
      m: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: noop, labels: {app: web}}\ndata: {a: b}\n',
    });
    const before = await configMap('noop');
    const watch = collect(
      cluster.wsClient(),
      `subscription($rv: String) { watchConfigMaps(namespace: "default", resourceVersion: $rv) { type object { metadata { name resourceVersion labels } } } }`,
      { rv: before.metadata.resourceVersion },
    );
    try {
      for (const patch of [
        {},
        { metadata: { labels: { app: 'web' } } },
        { data: { a: 'b' } },
        { data: { gone: null } },
      ]) {
        const after = (await cluster.ok(PATCH_CM, { n: 'noop', p: patch })).patchConfigMap;
        expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
        expect(after.metadata.generation).toBe(before.metadata.generation);
      }
      const reapplied = await cluster.ok(APPLY, {
        m: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: noop, labels: {app: web}}\ndata: {a: b}\n',
      });
      expect(reapplied.apply[0].metadata.resourceVersion).toBe(before.metadata.resourceVersion);

      // A real change afterwards is the first and only event the watch sees.
      const changed = (await cluster.ok(PATCH_CM, { n: 'noop', p: { metadata: { labels: { app: 'api' } } } }))
        .patchConfigMap;
      expect(changed.metadata.resourceVersion).not.toBe(before.metadata.resourceVersion);
      await watch.until(() => watch.items.length >= 1);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(watch.items.map((item) => item.watchConfigMaps.type)).toEqual(['MODIFIED']);
      expect(watch.items[0].watchConfigMaps.object.metadata).toMatchObject({
        name: 'noop',
        resourceVersion: changed.metadata.resourceVersion,
        labels: { app: 'api' },
      });
    } finally {
      watch.unsubscribe();
    }
  });
});

describe('explicit nulls', () => {
  it('reads a null container port name as absent, as Kubernetes decodes it, instead of failing inside admission', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'null-port-name' },
      spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, name: null }] }] },
    };
    const result = await cluster.gql(APPLY, { m: JSON.stringify(pod) });
    expect(result.errors).toBeUndefined();
    expect(result.data.apply[0].metadata.name).toBe('null-port-name');
  });
});
