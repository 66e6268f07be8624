import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trustingFetch, type Fetch } from '../../client/node-tls.ts';
import { startCluster, type TestCluster, type Untyped } from '../support/harness.ts';
import { kubectlHome } from '../support/kubectl.ts';
import { kubectlBinaries, runKubectl } from '../support/kubectl-binaries.ts';

// A custom resource served at several versions (conversion strategy None: only apiVersion
// changes), each validated and pruned by its own schema; and a definition changed after it
// was first served.

const BINARIES = kubectlBinaries('crd-versions', ['1.33']);

type Json = { [key: string]: Untyped };

const sizeUpTo = (maximum: number) => ({ type: 'integer', minimum: 1, maximum });

function gizmoCrd(v1Spec: Record<string, unknown> = {}): Json {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'gizmos.versions.example.com' },
    spec: {
      group: 'versions.example.com',
      scope: 'Namespaced',
      names: { plural: 'gizmos', kind: 'Gizmo' },
      versions: [
        {
          name: 'v1alpha1',
          served: false,
          storage: false,
          schema: { openAPIV3Schema: { type: 'object' } },
        },
        {
          name: 'v1beta1',
          served: true,
          storage: false,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: { spec: { type: 'object', properties: { size: sizeUpTo(3) } } },
            },
          },
        },
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: { size: sizeUpTo(5), colour: { type: 'string' }, ...v1Spec },
                },
              },
            },
          },
          subresources: { scale: { specReplicasPath: '.spec.size', statusReplicasPath: '.status.size' } },
        },
      ],
    },
  };
}

let cluster: TestCluster;
let home: string;
let kubeconfig: string;
let https: { fetch: Fetch; close(): void };

beforeAll(async () => {
  cluster = await startCluster({ tls: { serve: true } });
  ({ home, kubeconfig } = await kubectlHome(cluster, 'crd-versions'));
  https = trustingFetch(cluster.server.ca!);
  const created = await rest('POST', CRDS, gizmoCrd());
  if (created.status !== 201) throw new Error(`the CRD was not created: ${await created.text()}`);
}, 30_000);

afterAll(async () => {
  https?.close();
  await cluster?.stop();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

function rest(method: string, pathAndQuery: string, body?: unknown): Promise<Response> {
  const root = new URL(cluster.url).origin;
  return https.fetch(`${root}${pathAndQuery}`, {
    method,
    headers: { authorization: `Bearer ${cluster.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function graphql(query: string, variables?: Json): Promise<Json> {
  const res = await https.fetch(cluster.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${cluster.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as Json;
}

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const GROUP = '/apis/versions.example.com';
const gizmos = (version: string) => `${GROUP}/${version}/namespaces/default/gizmos`;
const gizmo = (version: string, name: string, spec: Json) => ({
  apiVersion: `versions.example.com/${version}`,
  kind: 'Gizmo',
  metadata: { name },
  spec,
});

describe('a custom resource at several versions', () => {
  it('serves every served version in discovery, the highest preferred, and no other', async () => {
    const group = (await (await rest('GET', GROUP)).json()) as Json;
    expect(group.versions.map((v: Json) => v.version)).toEqual(['v1', 'v1beta1']);
    expect(group.preferredVersion.version).toBe('v1');
    for (const version of ['v1', 'v1beta1']) {
      const list = (await (await rest('GET', `${GROUP}/${version}`)).json()) as Json;
      expect(list.resources.map((r: Json) => r.name)).toContain('gizmos');
    }
    const v1beta1 = (await (await rest('GET', `${GROUP}/v1beta1`)).json()) as Json;
    expect(v1beta1.resources.map((r: Json) => r.name)).not.toContain('gizmos/scale');
    expect((await rest('GET', `${GROUP}/v1alpha1`)).status).toBe(404);
    expect((await rest('GET', gizmos('v1alpha1'))).status).toBe(404);
    const created = await rest('POST', gizmos('v1alpha1'), gizmo('v1alpha1', 'old', {}));
    expect(created.status).toBe(404);
  });

  it('stores what is written at another version, and shows it at each version asked for', async () => {
    const res = await rest('POST', gizmos('v1beta1'), gizmo('v1beta1', 'one', { size: 2, colour: 'red' }));
    expect(res.status, await res.clone().text()).toBe(201);
    const created = (await res.json()) as Json;
    expect(created.apiVersion).toBe('versions.example.com/v1beta1');
    // colour is not in v1beta1's schema: pruned, as that version does not know it.
    expect(created.spec).toEqual({ size: 2 });

    const v1 = (await (await rest('GET', `${gizmos('v1')}/one`)).json()) as Json;
    expect(v1).toMatchObject({ apiVersion: 'versions.example.com/v1', spec: { size: 2 } });
    expect(v1.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    const list = (await (await rest('GET', gizmos('v1beta1'))).json()) as Json;
    expect(list.apiVersion).toBe('versions.example.com/v1beta1');
    expect(list.items.map((item: Json) => item.apiVersion)).toEqual(['versions.example.com/v1beta1']);
  });

  it("validates what is written at a version by that version's schema", async () => {
    const tooBig = await rest('POST', gizmos('v1beta1'), gizmo('v1beta1', 'big', { size: 4 }));
    expect(tooBig.status).toBe(422);
    expect(((await tooBig.json()) as Json).message).toMatch(
      /spec\.size: Invalid value: 4: spec\.size in body should be less than or equal to 3/,
    );
    const atV1 = await rest('POST', gizmos('v1'), gizmo('v1', 'big', { size: 4, colour: 'blue' }));
    expect(atV1.status, await atV1.clone().text()).toBe(201);
    const merged = await https.fetch(`${new URL(cluster.url).origin}${gizmos('v1beta1')}/big`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${cluster.token}`, 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ spec: { size: 5 } }),
    });
    expect(merged.status).toBe(422);
  });

  it('serves the scale subresource at the versions that declare it', async () => {
    expect((await rest('GET', `${gizmos('v1')}/one/scale`)).status).toBe(200);
    expect((await rest('GET', `${gizmos('v1beta1')}/one/scale`)).status).toBe(404);
  });

  it("publishes each version's OpenAPI document with its own schema", async () => {
    const index = (await (await rest('GET', '/openapi/v3')).json()) as Json;
    const properties = async (version: string) => {
      const url = index.paths[`apis/versions.example.com/${version}`].serverRelativeURL as string;
      const document = (await (await rest('GET', url)).json()) as Json;
      const spec = document.components.schemas[`io.k8s.api.versions.${version}.GizmoSpec`];
      return Object.keys(spec.properties).sort();
    };
    expect(await properties('v1')).toEqual(['colour', 'size']);
    expect(await properties('v1beta1')).toEqual(['size']);
    expect(index.paths['apis/versions.example.com/v1alpha1']).toBeUndefined();
  });
});

describe('a definition changed after it is first served', () => {
  it('validates, prunes and publishes with the new schema at once', async () => {
    // GraphQL has served the kind before the change (its types are the first definition's).
    const listed = await graphql(`
      {
        gizmos(namespace: "default") {
          items {
            spec {
              size
            }
          }
        }
      }
    `);
    expect(listed.errors).toBeUndefined();
    const current = (await (await rest('GET', `${CRDS}/gizmos.versions.example.com`)).json()) as Json;
    const changed = gizmoCrd({ weight: { type: 'integer', maximum: 100 } });
    changed.metadata.resourceVersion = current.metadata.resourceVersion;
    const res = await rest('PUT', `${CRDS}/gizmos.versions.example.com`, changed);
    expect(res.status, await res.clone().text()).toBe(200);

    const created = await rest('POST', gizmos('v1'), gizmo('v1', 'heavy', { size: 1, weight: 40 }));
    expect(created.status, await created.clone().text()).toBe(201);
    expect(((await created.json()) as Json).spec).toEqual({ size: 1, weight: 40 });
    const refused = await rest('POST', gizmos('v1'), gizmo('v1', 'heavier', { size: 1, weight: 400 }));
    expect(refused.status).toBe(422);

    const index = (await (await rest('GET', '/openapi/v3')).json()) as Json;
    const url = index.paths['apis/versions.example.com/v1'].serverRelativeURL as string;
    const document = (await (await rest('GET', url)).json()) as Json;
    expect(document.components.schemas['io.k8s.api.versions.v1.GizmoSpec'].properties.weight).toMatchObject({
      type: 'integer',
    });
  });

  it('is what GraphQL writes check and prune with, while its types stay the first', async () => {
    const patch = (weight: number) =>
      graphql(
        `
          mutation ($patch: JSON!) {
            patchGizmo(namespace: "default", name: "one", patch: $patch) {
              manifest
            }
          }
        `,
        { patch: { spec: { weight } } },
      );
    const patched = await patch(7);
    expect(patched.errors).toBeUndefined();
    expect(patched.data.patchGizmo.manifest.spec).toEqual({ size: 2, weight: 7 });
    const refused = await patch(700);
    expect(refused.errors?.[0]?.extensions?.code).toBe('INVALID');
  });
});

for (const [version, binary] of Object.entries(BINARIES)) {
  describe.skipIf(!binary)(`kubectl ${version} and a custom resource at several versions`, () => {
    const kubectl = (args: string[]) => runKubectl(binary!, args, { home, kubeconfig });

    it('applies at a version that is not the storage one and reads at any', async () => {
      const file = path.join(home, 'gizmo.yaml');
      fs.writeFileSync(
        file,
        'apiVersion: versions.example.com/v1beta1\nkind: Gizmo\nmetadata: { name: applied, namespace: default }\nspec: { size: 3 }\n',
      );
      const applied = await kubectl(['apply', '-f', file]);
      expect(applied.code, applied.stderr).toBe(0);
      expect(applied.stdout).toMatch(/^gizmo\.versions\.example\.com\/applied created/m);
      const preferred = await kubectl([
        'get',
        'gizmo',
        'applied',
        '-n',
        'default',
        '-o',
        'jsonpath={.apiVersion}',
      ]);
      expect(preferred.stdout).toBe('versions.example.com/v1');
      const beta = await kubectl([
        'get',
        'gizmos.v1beta1.versions.example.com',
        'applied',
        '-n',
        'default',
        '-o',
        'jsonpath={.apiVersion} {.spec.size}',
      ]);
      expect(beta.stdout).toBe('versions.example.com/v1beta1 3');
    });
  });
}
