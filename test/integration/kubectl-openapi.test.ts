import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trustingFetch, type Fetch } from '../../client/node-tls.ts';
import { DeploymentSpec } from '../../schema/kinds/deployment.ts';
import { Container, PodSpec } from '../../schema/kinds/pod.ts';
import { startCluster, type TestCluster, type Untyped } from '../support/harness.ts';
import { kubectlHome } from '../support/kubectl.ts';
import { kubectlBinaries, runKubectl, type KubectlRun } from '../support/kubectl-binaries.ts';

// OpenAPI v3 generated from the kind shapes (server/rest/openapi*.ts): the documents over
// HTTP, and what kubectl does with them (explain, validation before a write).

const BINARIES = kubectlBinaries('kubectl-openapi');

type Json = { [key: string]: Untyped };

let cluster: TestCluster;
let home: string;
let kubeconfig: string;
let https: { fetch: Fetch; close(): void };

beforeAll(async () => {
  // kubectl sends its token only over TLS: the server's own, verified with the cluster CA.
  cluster = await startCluster({ tls: { serve: true } });
  ({ home, kubeconfig } = await kubectlHome(cluster, 'kubectl-openapi'));
  https = trustingFetch(cluster.server.ca!);
});

afterAll(async () => {
  https?.close();
  await cluster?.stop();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

function get(pathAndQuery: string, headers: Record<string, string> = {}): Promise<Response> {
  const root = new URL(cluster.url).origin;
  return https.fetch(`${root}${pathAndQuery}`, {
    headers: { authorization: `Bearer ${cluster.token}`, ...headers },
  });
}

async function getJson(pathAndQuery: string): Promise<Json> {
  const res = await get(pathAndQuery);
  expect(res.status, pathAndQuery).toBe(200);
  return (await res.json()) as Json;
}

/** The group-versions discovery serves, as OpenAPI v3 paths (`api/v1`, `apis/apps/v1`). */
async function servedGroupVersions(): Promise<string[]> {
  const groups = await getJson('/apis');
  return [
    'api/v1',
    // Every version of a group: autoscaling serves v1 beside its preferred v2.
    ...groups.groups.flatMap((g: Json) =>
      (g.versions as Json[]).map((v) => `apis/${v.groupVersion as string}`),
    ),
  ].sort();
}

async function documents(): Promise<Map<string, Json>> {
  const index = await getJson('/openapi/v3');
  const found = new Map<string, Json>();
  for (const [gv, { serverRelativeURL }] of Object.entries(index.paths as Record<string, Json>)) {
    found.set(gv, await getJson(serverRelativeURL));
  }
  return found;
}

/** The schema a property or item stands for: through `allOf: [{$ref}]` and `$ref`. */
function resolve(document: Json, schema: Json): Json {
  const target = schema.allOf?.length === 1 ? schema.allOf[0] : schema;
  if (!target.$ref) return target;
  const found = document.components.schemas[(target.$ref as string).replace('#/components/schemas/', '')];
  expect(found, target.$ref).toBeDefined();
  return found;
}

function refsIn(value: unknown): string[] {
  const refs: string[] = [];
  JSON.stringify(value, (key, item: unknown) => {
    if (key === '$ref') refs.push(item as string);
    return item;
  });
  return refs;
}

/**
 * Where each verb discovery advertises is served, as `method path action group/version/kind`:
 * Kubernetes' URLs and OpenAPI actions; a subresource's kind is its body's (a Scale).
 */
function expectedOperations(group: string, version: string, resource: Json): string[] {
  const [plural, subresource] = (resource.name as string).split('/');
  const root = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const collection = `${root}${resource.namespaced ? '/namespaces/{namespace}' : ''}/${plural}`;
  const item = `${collection}/{name}${subresource ? `/${subresource}` : ''}`;
  const gvk = `${resource.group ?? group}/${resource.version ?? version}/${resource.kind}`;
  const at: Record<string, string[]> = {
    get: [`get ${item} get`],
    update: [`put ${item} put`],
    patch: [`patch ${item} patch`],
    delete: subresource ? [] : [`delete ${item} delete`],
    list: subresource
      ? []
      : [`get ${collection} list`, ...(resource.namespaced ? [`get ${root}/${plural} list`] : [])],
    create: subresource ? [] : [`post ${collection} post`],
    deletecollection: subresource ? [] : [`delete ${collection} deletecollection`],
  };
  return (resource.verbs as string[]).flatMap((verb) => (at[verb] ?? []).map((op) => `${op} ${gvk}`));
}

describe('OpenAPI v3 over HTTP', () => {
  it('indexes every group-version discovery serves, each by the hash of its document', async () => {
    const res = await get('/openapi/v3');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-cache, private');
    expect(res.headers.get('etag')).toBeTruthy();
    const index = (await res.json()) as Json;
    expect(Object.keys(index.paths).sort()).toEqual(await servedGroupVersions());
    for (const [gv, entry] of Object.entries(index.paths as Record<string, Json>)) {
      expect(entry.serverRelativeURL).toMatch(new RegExp(`^/openapi/v3/${gv}\\?hash=[\\w-]+$`));
    }
  });

  it('serves a document by its hash as immutable and compressed, revalidates it, and redirects an old hash', async () => {
    const index = await getJson('/openapi/v3');
    const url: string = index.paths['apis/apps/v1'].serverRelativeURL;

    const res = await get(url, { 'accept-encoding': 'gzip', accept: 'application/json' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('cache-control')).toBe('public, immutable');
    const expires = Date.parse(res.headers.get('expires') ?? '');
    expect(expires - Date.now()).toBeGreaterThan(360 * 24 * 3600 * 1000);
    expect(res.headers.get('content-encoding')).toBe('gzip');
    const document = JSON.parse(zlib.gunzipSync(Buffer.from(await res.arrayBuffer())).toString());
    expect(document).toMatchObject({ openapi: '3.0.0', info: { title: 'Kubernetes' } });

    const etag = res.headers.get('etag')!;
    expect((await get(url, { 'if-none-match': etag })).status).toBe(304);

    const unhashed = await get('/openapi/v3/apis/apps/v1');
    expect(unhashed.status).toBe(200);
    expect(unhashed.headers.get('cache-control')).toBe('no-cache, private');
    expect(await unhashed.json()).toEqual(document);

    const stale = await get('/openapi/v3/apis/apps/v1?hash=0123');
    expect(stale.status).toBe(301);
    expect(stale.headers.get('location')).toBe(url);
  });

  it('answers what it does not serve with a Status: an unknown group-version, v2, protobuf only', async () => {
    for (const missing of ['/openapi/v3/apis/nope.example.com/v1', '/openapi/v2']) {
      const res = await get(missing);
      expect(res.status, missing).toBe(404);
      expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404 });
    }
    const protobuf = await get('/openapi/v3/api/v1', {
      accept: 'application/com.github.proto-openapi.spec.v3.v1.0+protobuf',
    });
    expect(protobuf.status).toBe(406);
    expect(await protobuf.json()).toMatchObject({ kind: 'Status', reason: 'NotAcceptable', code: 406 });
    const anonymous = await https.fetch(`${new URL(cluster.url).origin}/openapi/v3`, { headers: {} });
    expect(anonymous.status).toBe(401);
  });

  it('resolves every $ref within its document, and names each kind and its List with their group-version-kind', async () => {
    const all = await documents();
    for (const [gv, document] of all) {
      const schemas = document.components.schemas as Json;
      for (const ref of refsIn(document)) {
        expect(ref, `${gv}: ${ref}`).toMatch(/^#\/components\/schemas\//);
        expect(schemas[ref.replace('#/components/schemas/', '')], `${gv}: ${ref}`).toBeDefined();
      }
      const { resources } = await getJson(`/${gv}`);
      const [group, version] = gv.startsWith('api/') ? ['', gv.slice(4)] : gv.slice(5).split('/');
      const kinds = resources.filter((r: Json) => !r.name.includes('/')).map((r: Json) => r.kind as string);
      expect(kinds.length, gv).toBeGreaterThan(0);
      for (const kind of kinds) {
        for (const name of [kind, `${kind}List`]) {
          const withGvk = Object.values(schemas).filter((s: Json) =>
            s['x-kubernetes-group-version-kind']?.some(
              (gvk: Json) => gvk.group === group && gvk.version === version && gvk.kind === name,
            ),
          );
          expect(withGvk, `${gv} ${name}`).toHaveLength(1);
        }
      }
      // Every group-version of stored kinds has their metadata; metrics.k8s.io stores none.
      const metas = gv.includes('metrics.k8s.io')
        ? ['ListMeta', 'Status']
        : ['ObjectMeta', 'ListMeta', 'Status', 'DeleteOptions'];
      for (const meta of metas) {
        expect(schemas[`io.k8s.apimachinery.pkg.apis.meta.v1.${meta}`], `${gv} ${meta}`).toBeDefined();
      }
    }
    const core = all.get('api/v1')!.components.schemas;
    expect(core['io.k8s.api.core.v1.Pod']['x-kubernetes-group-version-kind']).toEqual([
      { group: '', kind: 'Pod', version: 'v1' },
    ]);
    const apps = all.get('apis/apps/v1')!.components.schemas;
    expect(apps['io.k8s.api.apps.v1.DeploymentList']['x-kubernetes-group-version-kind']).toEqual([
      { group: 'apps', kind: 'DeploymentList', version: 'v1' },
    ]);
    // A type shared across groups keeps the name of the group that defines it.
    expect(apps['io.k8s.api.core.v1.PodTemplateSpec']).toBeDefined();
  });

  it('carries the shapes: descriptions, required fields, enums, maps, quantities, int-or-strings and merge keys', async () => {
    const core = await getJson((await getJson('/openapi/v3')).paths['api/v1'].serverRelativeURL);
    const schemas = core.components.schemas;
    const podSpec = resolve(core, schemas['io.k8s.api.core.v1.Pod'].properties.spec);
    expect(podSpec.required).toContain('containers');
    const containers = podSpec.properties.containers;
    expect(containers).toMatchObject({
      description: PodSpec.fields.containers.description,
      type: 'array',
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    });
    expect(containers.items.description).toBe(Container.description);
    const container = resolve(core, containers.items);
    expect(container.required).toContain('name');
    expect(container.properties.image.description).toBe(Container.fields.image.description);
    expect(container.properties.imagePullPolicy).toMatchObject({
      type: 'string',
      enum: ['Always', 'IfNotPresent', 'Never'],
    });
    expect(podSpec.properties.nodeSelector).toMatchObject({
      type: 'object',
      additionalProperties: { type: 'string' },
    });
    const resources = resolve(core, container.properties.resources);
    expect(resolve(core, resources.properties.limits.additionalProperties)).toMatchObject({
      oneOf: [{ type: 'string' }, { type: 'number' }],
    });
    // Several fields identify a Service port.
    const serviceSpec = resolve(core, schemas['io.k8s.api.core.v1.Service'].properties.spec);
    expect(serviceSpec.properties.ports['x-kubernetes-list-map-keys']).toEqual(['port', 'protocol']);
    const meta = resolve(core, schemas['io.k8s.api.core.v1.Pod'].properties.metadata);
    expect(meta).toBe(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
    expect(meta.properties.ownerReferences['x-kubernetes-patch-merge-key']).toBe('uid');

    const apps = await getJson((await getJson('/openapi/v3')).paths['apis/apps/v1'].serverRelativeURL);
    const deploymentSpec = resolve(
      apps,
      apps.components.schemas['io.k8s.api.apps.v1.Deployment'].properties.spec,
    );
    expect(deploymentSpec.required).toEqual(expect.arrayContaining(['selector', 'template']));
    const strategy = deploymentSpec.properties.strategy;
    expect(strategy.description).toBe(DeploymentSpec.fields.strategy.description);
    const maxSurge = resolve(apps, strategy).properties.rollingUpdate;
    expect(resolve(apps, resolve(apps, maxSurge).properties.maxSurge)).toMatchObject({
      'x-kubernetes-int-or-string': true,
    });
  });

  it('declares the operations discovery advertises, with their action, kind and parameters', async () => {
    for (const [gv, document] of await documents()) {
      const [group, version] = gv.startsWith('api/') ? ['', gv.slice(4)] : gv.slice(5).split('/');
      const { resources } = await getJson(`/${gv}`);
      const expected = resources
        .filter((r: Json) => !r.name.includes('/') || /\/(status|scale)$/.test(r.name))
        .flatMap((r: Json) => expectedOperations(group, version, r));
      expect(expected.length, gv).toBeGreaterThan(0);
      const declared: string[] = [];
      for (const [url, item] of Object.entries(document.paths as Record<string, Json>)) {
        for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
          const op = item[method];
          if (!op) continue;
          const gvk = op['x-kubernetes-group-version-kind'];
          declared.push(
            `${method} ${url} ${op['x-kubernetes-action']} ${gvk.group}/${gvk.version}/${gvk.kind}`,
          );
          const query = ((op.parameters ?? []) as Json[]).filter((p) => p.in === 'query').map((p) => p.name);
          if (['post', 'put', 'patch'].includes(method)) {
            expect(query, `${method} ${url}`).toEqual(
              expect.arrayContaining(['dryRun', 'fieldManager', 'fieldValidation']),
            );
          }
          if (op['x-kubernetes-action'] === 'list') {
            const watched = resources.some(
              (r: Json) => url.endsWith(`/${r.name}`) && r.verbs.includes('watch'),
            );
            expect(query, `${method} ${url}`).toEqual(
              expect.arrayContaining([
                'labelSelector',
                'fieldSelector',
                'limit',
                'continue',
                ...(watched ? ['watch'] : []),
              ]),
            );
          }
        }
      }
      expect(declared.sort(), gv).toEqual(expected.sort());
    }
    const core = await getJson('/openapi/v3/api/v1');
    // kubectl decides on server-side field validation by this parameter of the kind's PATCH.
    expect(core.paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch).toMatchObject({
      operationId: 'patchCoreV1NamespacedPod',
      parameters: expect.arrayContaining([expect.objectContaining({ name: 'fieldValidation', in: 'query' })]),
      requestBody: {
        content: expect.objectContaining({ 'application/strategic-merge-patch+json': expect.anything() }),
      },
      'x-kubernetes-action': 'patch',
      'x-kubernetes-group-version-kind': { group: '', kind: 'Pod', version: 'v1' },
    });
    const apps = await getJson('/openapi/v3/apis/apps/v1');
    expect(apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'].put).toMatchObject({
      operationId: 'replaceAppsV1NamespacedDeploymentScale',
      'x-kubernetes-group-version-kind': { group: 'autoscaling', kind: 'Scale', version: 'v1' },
    });
  });
});

function kubectl(binary: string, args: string[]): Promise<KubectlRun> {
  return runKubectl(binary, args, { home, kubeconfig }, 20_000);
}

async function ok(binary: string, args: string[]): Promise<string> {
  const run = await kubectl(binary, args);
  if (run.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
  return run.stdout;
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

for (const [version, binary] of Object.entries(BINARIES)) {
  describe.skipIf(!binary)(`kubectl ${version} with OpenAPI v3`, () => {
    const bin = binary!;
    const suffix = version.replace('.', '-');

    it('explain pod.spec.containers prints the shapes: type, descriptions, required fields, enums', async () => {
      const out = await ok(bin, ['explain', 'pod.spec.containers']);
      expect(out).toMatch(/^KIND:\s+Pod$/m);
      expect(out).toMatch(/^FIELD: containers <\[\]Container>$/m);
      expect(out).toContain(PodSpec.fields.containers.description);
      expect(out).toContain(Container.description);
      expect(out).toMatch(/^ {2}name\t<string> -required-$/m);
      expect(out).toMatch(/^ {2}env\t<\[\]EnvVar>$/m);
      expect(out).toMatch(/^ {2}resources\t<ResourceRequirements>$/m);
      expect(out).toMatch(/^ {2}imagePullPolicy\t<string>\n {2}enum: Always, IfNotPresent, Never$/m);
    });

    it('explain deployment.spec.strategy prints its group, its fields and its description once', async () => {
      const out = await ok(bin, ['explain', 'deployment.spec.strategy']);
      expect(out).toMatch(/^GROUP:\s+apps$/m);
      expect(out).toMatch(/^KIND:\s+Deployment$/m);
      expect(out).toMatch(/^FIELD: strategy <DeploymentStrategy>$/m);
      expect(occurrences(out, DeploymentSpec.fields.strategy.description!)).toBe(1);
      expect(out).toMatch(/^ {2}rollingUpdate\t<RollingUpdateDeployment>$/m);
      expect(out).toMatch(/^ {2}type\t<string>\n {2}enum: RollingUpdate, Recreate$/m);
      const surge = await ok(bin, ['explain', 'deployment.spec.strategy.rollingUpdate.maxSurge']);
      expect(surge).toMatch(/^FIELD: maxSurge <IntOrString>$/m);
    });

    it('explain pods --recursive walks every field', async () => {
      const out = await ok(bin, ['explain', 'pods', '--recursive']);
      expect(out).toMatch(/^ {2}metadata\t<ObjectMeta>$/m);
      expect(out).toMatch(/^ {4}containers\t<\[\]Container> -required-$/m);
      expect(out).toMatch(/^ {8}limits\t<map\[string\]Quantity>$/m);
      expect(out).toMatch(/^ {4}nodeSelector\t<map\[string\]string>$/m);
      expect(out).toMatch(/^ {4}phase\t<string>$/m);
    });

    it('validates before writing: a valid manifest is created, one with an unknown field is refused', async () => {
      const valid = path.join(home, `valid-${suffix}.yaml`);
      fs.writeFileSync(
        valid,
        `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: valid-${suffix} }\ndata: { a: b }\n`,
      );
      const created = await kubectl(bin, ['create', '-f', valid]);
      expect(created.stderr).not.toContain('failed to download openapi');
      expect(created).toMatchObject({ code: 0, stdout: `configmap/valid-${suffix} created\n` });

      const unknown = path.join(home, `unknown-${suffix}.yaml`);
      fs.writeFileSync(
        unknown,
        `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: unknown-${suffix} }\ndata: { a: b }\nbogus: 1\n`,
      );
      const refused = await kubectl(bin, ['apply', '-f', unknown]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('Error from server (BadRequest)');
      expect(refused.stderr).toContain('strict decoding error: unknown field "bogus"');
      const missing = await kubectl(bin, ['get', 'configmap', `unknown-${suffix}`]);
      expect(missing.stderr).toContain('NotFound');
    });
  });
}
