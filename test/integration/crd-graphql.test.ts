import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type KubeqlClient } from '../../client/index.ts';
import { startCluster, type TestCluster, type Untyped } from '../support/harness.ts';
import { waitFor } from '../support/wait.ts';

// Custom resources in the GraphQL API while the server runs: a CRD applied gives its kind
// a type and the operations every kind has; a CRD deleted takes them away.

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: widgets.toys.example.com }
spec:
  group: toys.example.com
  scope: Namespaced
  names: { plural: widgets, kind: Widget }
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: { type: integer, minimum: 1 }
              colour: { type: string, enum: [red, blue] }
              template:
                type: object
                properties:
                  label: { type: string }
                  weights: { type: array, items: { type: number } }
              extra: { type: object, x-kubernetes-preserve-unknown-fields: true }
`;

let cluster: TestCluster;
let api: KubeqlClient;

beforeAll(async () => {
  cluster = await startCluster();
  api = createClient({ url: cluster.url, token: cluster.token });
}, 30_000);

afterAll(async () => {
  await api?.close();
  await cluster?.stop();
});

const typeFields = async (name: string) => {
  const data = await api.request<{ __type: { fields: Array<{ name: string; type: Untyped }> } | null }>(
    `query($name: String!) { __type(name: $name) { fields { name type { name kind ofType { name } } } } }`,
    { name },
  );
  return data.__type?.fields;
};

describe('a CRD applied', () => {
  it('gives its kind a type, introspectable within a second', async () => {
    const started = Date.now();
    await api.request(`mutation($m: String!) { apply(manifests: $m) { kind } }`, { m: CRD });
    await waitFor(async () => (await typeFields('Widget')) !== undefined, { ms: 1000, every: 20 });
    console.log(`CRD applied to type queryable: ${Date.now() - started} ms`);
    const spec = await typeFields('WidgetSpec');
    const byName = Object.fromEntries(spec!.map((f) => [f.name, f.type]));
    expect(byName.size).toMatchObject({ kind: 'NON_NULL', ofType: { name: 'Int' } });
    expect(byName.colour).toMatchObject({ name: 'String' });
    expect(byName.template).toMatchObject({ name: 'WidgetSpecTemplate' });
    expect(byName.extra).toMatchObject({ name: 'JSON' });
    const template = await typeFields('WidgetSpecTemplate');
    expect(template!.find((f) => f.name === 'weights')!.type).toMatchObject({ kind: 'LIST' });
  });

  it('creates, lists and watches its objects', async () => {
    const events = api.subscribe<{ watchWidgets: { type: string; object: Untyped } }>(
      `subscription { watchWidgets(namespace: "default") { type object { metadata { name } spec { size colour extra } } } }`,
    );
    const created = await api.request<{ createWidget: Untyped }>(
      `mutation($w: WidgetInput!) { createWidget(namespace: "default", widget: $w) { metadata { name } spec { size template { label } } } }`,
      {
        w: {
          apiVersion: 'toys.example.com/v1',
          kind: 'Widget',
          metadata: { name: 'first' },
          spec: { size: 2, colour: 'red', template: { label: 'x' }, extra: { any: ['thing'] } },
        },
      },
    );
    expect(created.createWidget).toEqual({
      metadata: { name: 'first' },
      spec: { size: 2, template: { label: 'x' } },
    });
    const first = await events.next();
    expect(first.value!.watchWidgets).toEqual({
      type: 'ADDED',
      object: { metadata: { name: 'first' }, spec: { size: 2, colour: 'red', extra: { any: ['thing'] } } },
    });
    await events.return();
    const list = await api.request<{ widgets: { items: Untyped[] } }>(
      `{ widgets(namespace: "default") { items { metadata { name } } } }`,
    );
    expect(list.widgets.items).toEqual([{ metadata: { name: 'first' } }]);
  });

  it('refuses an object against its schema, with the field path', async () => {
    const refused = api.request(
      `mutation($w: WidgetInput!) { createWidget(namespace: "default", widget: $w) { metadata { name } } }`,
      { w: { metadata: { name: 'tiny' }, spec: { size: 0, colour: 'green' } } },
    );
    await expect(refused).rejects.toThrow(
      /spec\.size: Invalid value: 0: spec\.size in body should be greater than or equal to 1/,
    );
    await expect(refused).rejects.toThrow(/spec\.colour: Unsupported value: "green"/);
  });

  it('whose kind names a type the API has stays out of GraphQL, which keeps working', async () => {
    const hooks = CRD.replace('widgets.toys', 'lifecycles.toys').replace(
      'plural: widgets, kind: Widget',
      'plural: lifecycles, kind: Lifecycle',
    );
    await api.request(`mutation($m: String!) { apply(manifests: $m) { kind } }`, { m: hooks });
    const data = await api.request<{ widgets: { items: Untyped[] } }>(
      `{ widgets(namespace: "default") { items { metadata { name } } } }`,
    );
    expect(data.widgets.items).toHaveLength(1);
    const schema = await api.request<{ __schema: { queryType: { fields: Array<{ name: string }> } } }>(
      `{ __schema { queryType { fields { name } } } }`,
    );
    expect(schema.__schema.queryType.fields.map((f) => f.name)).not.toContain('lifecycles');
  });

  it('deleted, takes its kind out of the API and its objects with it', async () => {
    await api.request(
      `mutation { deleteCustomResourceDefinition(name: "widgets.toys.example.com") { metadata { name } } }`,
    );
    await waitFor(async () => (await typeFields('Widget')) === undefined, { ms: 2000, every: 20 });
    const schema = await api.request<{ __schema: { queryType: { fields: Array<{ name: string }> } } }>(
      `{ __schema { queryType { fields { name } } } }`,
    );
    expect(schema.__schema.queryType.fields.map((f) => f.name)).not.toContain('widgets');
    await api.request(`mutation($m: String!) { apply(manifests: $m) { kind } }`, { m: CRD });
    await waitFor(async () => (await typeFields('Widget')) !== undefined, { ms: 1000, every: 20 });
    const list = await api.request<{ widgets: { items: Untyped[] } }>(
      `{ widgets { items { metadata { name } } } }`,
    );
    expect(list.widgets.items).toEqual([]);
  });
});
