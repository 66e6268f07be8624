import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trustingFetch, type Fetch } from '../../client/node-tls.ts';
import { startCluster, type TestCluster, type Untyped } from '../support/harness.ts';
import { kubectlHome } from '../support/kubectl.ts';
import { kubectlBinaries, runKubectl } from '../support/kubectl-binaries.ts';

// The scale subresource of a custom resource: autoscaling/v1 Scale over REST at the
// definition's paths, in discovery and OpenAPI, and `kubectl scale` against it.

const BINARIES = kubectlBinaries('crd-scale');

type Json = { [key: string]: Untyped };

const SHARD_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'shards.scale.example.com' },
  spec: {
    group: 'scale.example.com',
    scope: 'Namespaced',
    names: { plural: 'shards', kind: 'Shard' },
    versions: [
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
                properties: { size: { type: 'integer', minimum: 0, maximum: 20 }, image: { type: 'string' } },
              },
              status: {
                type: 'object',
                properties: { readyShards: { type: 'integer' }, selector: { type: 'string' } },
              },
            },
          },
        },
        subresources: {
          status: {},
          scale: {
            specReplicasPath: '.spec.size',
            statusReplicasPath: '.status.readyShards',
            labelSelectorPath: '.status.selector',
          },
        },
      },
    ],
  },
};

let cluster: TestCluster;
let home: string;
let kubeconfig: string;
let https: { fetch: Fetch; close(): void };

beforeAll(async () => {
  cluster = await startCluster({ tls: { serve: true } });
  ({ home, kubeconfig } = await kubectlHome(cluster, 'crd-scale'));
  https = trustingFetch(cluster.server.ca!);
  const created = await rest('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', SHARD_CRD);
  if (created.status !== 201) throw new Error(`the CRD was not created: ${await created.text()}`);
}, 30_000);

afterAll(async () => {
  https?.close();
  await cluster?.stop();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

function rest(method: string, pathAndQuery: string, body?: unknown, contentType = 'application/json') {
  const root = new URL(cluster.url).origin;
  return https.fetch(`${root}${pathAndQuery}`, {
    method,
    headers: { authorization: `Bearer ${cluster.token}`, 'content-type': contentType },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const SHARDS = '/apis/scale.example.com/v1/namespaces/default/shards';

async function createShard(name: string, size: number): Promise<void> {
  const res = await rest('POST', SHARDS, {
    apiVersion: 'scale.example.com/v1',
    kind: 'Shard',
    metadata: { name },
    spec: { size, image: 'db:1' },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const status = await rest(
    'PATCH',
    `${SHARDS}/${name}/status`,
    { status: { readyShards: size, selector: `shard=${name}` } },
    'application/merge-patch+json',
  );
  expect(status.status, await status.clone().text()).toBe(200);
}

describe('the scale subresource of a custom resource', () => {
  it('is in discovery as an autoscaling/v1 Scale, and in OpenAPI', async () => {
    const list = (await (await rest('GET', '/apis/scale.example.com/v1')).json()) as Json;
    expect(list.resources.find((r: Json) => r.name === 'shards/scale')).toMatchObject({
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
      namespaced: true,
      verbs: ['get', 'patch', 'update'],
    });
    const index = (await (await rest('GET', '/openapi/v3')).json()) as Json;
    const url = index.paths['apis/scale.example.com/v1'].serverRelativeURL as string;
    const document = (await (await rest('GET', url)).json()) as Json;
    expect(Object.keys(document.paths)).toContain(
      '/apis/scale.example.com/v1/namespaces/{namespace}/shards/{name}/scale',
    );
  });

  it('reads the replicas and the selector at the paths the definition names', async () => {
    await createShard('orders', 3);
    const res = await rest('GET', `${SHARDS}/orders/scale`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: 'orders', namespace: 'default' },
      spec: { replicas: 3 },
      status: { replicas: 3, selector: 'shard=orders' },
    });
  });

  it('writes spec.replicas to the specReplicasPath by PUT and by PATCH, within the schema', async () => {
    await createShard('users', 2);
    const scale = (await (await rest('GET', `${SHARDS}/users/scale`)).json()) as Json;
    const put = await rest('PUT', `${SHARDS}/users/scale`, { ...scale, spec: { replicas: 6 } });
    expect(put.status, await put.clone().text()).toBe(200);
    expect(((await put.json()) as Json).spec.replicas).toBe(6);
    const patched = await rest(
      'PATCH',
      `${SHARDS}/users/scale`,
      { spec: { replicas: 7 } },
      'application/merge-patch+json',
    );
    expect(patched.status, await patched.clone().text()).toBe(200);
    const shard = (await (await rest('GET', `${SHARDS}/users`)).json()) as Json;
    expect(shard.spec).toEqual({ size: 7, image: 'db:1' });
    expect(shard.status.readyShards).toBe(2);

    const tooMany = await rest(
      'PATCH',
      `${SHARDS}/users/scale`,
      { spec: { replicas: 21 } },
      'application/merge-patch+json',
    );
    expect(tooMany.status).toBe(422);
    expect(((await tooMany.json()) as Json).message).toMatch(
      /spec\.size: Invalid value: 21: .*less than or equal to 20/,
    );
    const stale = await rest('PUT', `${SHARDS}/users/scale`, { ...scale, spec: { replicas: 1 } });
    expect(stale.status).toBe(409);
  });

  it('creates the objects on the way to a specReplicasPath that is missing', async () => {
    const res = await rest('POST', SHARDS, {
      apiVersion: 'scale.example.com/v1',
      kind: 'Shard',
      metadata: { name: 'empty' },
    });
    expect(res.status).toBe(201);
    const scale = (await (await rest('GET', `${SHARDS}/empty/scale`)).json()) as Json;
    expect(scale.spec.replicas).toBe(0);
    expect(scale.status).toEqual({ replicas: 0 });
    const patched = await rest(
      'PATCH',
      `${SHARDS}/empty/scale`,
      { spec: { replicas: 2 } },
      'application/merge-patch+json',
    );
    expect(patched.status, await patched.clone().text()).toBe(200);
    expect(((await (await rest('GET', `${SHARDS}/empty`)).json()) as Json).spec).toEqual({ size: 2 });
  });
});

for (const [version, binary] of Object.entries(BINARIES)) {
  describe.skipIf(!binary)(`kubectl ${version} scale of a custom resource`, () => {
    const kubectl = (args: string[]) => runKubectl(binary!, args, { home, kubeconfig });

    it('scales it through the scale subresource', async () => {
      const name = `kubectl-${version.replace('.', '')}`;
      await createShard(name, 1);
      const run = await kubectl(['scale', 'shard', name, '-n', 'default', '--replicas=5']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.trim()).toBe(`shard.scale.example.com/${name} scaled`);
      const size = await kubectl(['get', 'shards', name, '-n', 'default', '-o', 'jsonpath={.spec.size}']);
      expect(size.stdout).toBe('5');
      const guarded = await kubectl([
        'scale',
        `shards/${name}`,
        '-n',
        'default',
        '--current-replicas=4',
        '--replicas=2',
      ]);
      expect(guarded.code).not.toBe(0);
      expect(guarded.stderr).toMatch(/Expected replicas to be 4, was 5/);
    });
  });
}
