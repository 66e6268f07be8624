import * as k8s from '@kubernetes/client-node';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { trustingFetch } from '../../client/node-tls.ts';
import { startCluster, type TestCluster, type Untyped } from '../support/harness.ts';
import { kubectlBinaries, runKubectl } from '../support/kubectl-binaries.ts';
import { kubectlHome } from '../support/kubectl.ts';

// Server-side apply (server/apply/) and managedFields, as the real kubectl uses them:
// `kubectl apply --server-side`, conflicts with other managers, --force-conflicts, and
// the fields an applier lets go of. On a server without controllers, so that nothing but
// the test writes the objects and their resourceVersions move only with our writes.

const BINARIES = kubectlBinaries('kubectl-server-side-apply');

let cluster: TestCluster;
let home: string;
let kubeconfig: string;
let tls: ReturnType<typeof trustingFetch>;

beforeAll(async () => {
  // kubectl sends its token only over TLS.
  cluster = await startCluster({ tls: { serve: true } });
  ({ home, kubeconfig } = await kubectlHome(cluster, 'kubectl-server-side-apply'));
  tls = trustingFetch(cluster.server.ca!);
}, 30_000);

afterAll(async () => {
  tls?.close();
  await cluster?.stop();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

function deployment(name: string, replicas: number, labels: Record<string, string> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name, ...labels } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
      },
    },
  };
}

/** A PATCH of the REST API with the admin token. */
async function rest(method: string, url: string, body: string, contentType: string) {
  const res = await tls.fetch(`${cluster.url.replace(/\/graphql$/, '')}${url}`, {
    method,
    headers: { authorization: `Bearer ${cluster.token}`, 'content-type': contentType },
    body,
  });
  return { status: res.status, body: (await res.json()) as Untyped };
}

describe('server-side apply over REST', () => {
  const url = '/apis/apps/v1/namespaces/default/deployments/rest';
  const yaml = stringify(deployment('rest', 1));
  const APPLY = 'application/apply-patch+yaml';

  it('requires a fieldManager, creates with 201, then answers 200 without a new resourceVersion', async () => {
    const missing = await rest('PATCH', url, yaml, APPLY);
    expect(missing.status).toBe(422);
    expect(missing.body.message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
    const dry = await rest('PATCH', `${url}?fieldManager=ci&dryRun=All`, yaml, APPLY);
    expect(dry.status).toBe(201);
    expect(dry.body.metadata.managedFields).toEqual([
      expect.objectContaining({
        manager: 'ci',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        fieldsType: 'FieldsV1',
      }),
    ]);
    expect((await rest('PATCH', `${url}?fieldManager=ci`, yaml, APPLY)).status).toBe(201);
    const created = await rest('PATCH', `${url}?fieldManager=ci`, yaml, APPLY);
    expect(created.status).toBe(200);
    const again = await rest('PATCH', `${url}?fieldManager=ci`, yaml, APPLY);
    expect(again.body.metadata.resourceVersion).toBe(created.body.metadata.resourceVersion);
    expect(again.body.metadata.managedFields[0].fieldsV1['f:spec']['f:replicas']).toEqual({});
  });

  it('answers a conflict with 409 and one FieldManagerConflict cause per field', async () => {
    const merge = await rest(
      'PATCH',
      `${url}?fieldManager=tuner`,
      '{"spec":{"replicas":4}}',
      'application/merge-patch+json',
    );
    expect(merge.status).toBe(200);
    expect(merge.body.metadata.managedFields.map((m: Untyped) => [m.manager, m.operation])).toEqual([
      ['ci', 'Apply'],
      ['tuner', 'Update'],
    ]);
    const conflict = await rest('PATCH', `${url}?fieldManager=ci`, yaml, APPLY);
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({
      kind: 'Status',
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "tuner" using apps/v1: .spec.replicas',
      details: {
        causes: [
          {
            reason: 'FieldManagerConflict',
            message: 'conflict with "tuner" using apps/v1',
            field: '.spec.replicas',
          },
        ],
      },
    });
    const forced = await rest('PATCH', `${url}?fieldManager=ci&force=true`, yaml, APPLY);
    expect(forced.status).toBe(200);
    expect(forced.body.spec.replicas).toBe(1);
    // The merge patch's only field went to the applier: its manager has nothing left.
    expect(forced.body.metadata.managedFields.map((m: Untyped) => m.manager)).toEqual(['ci']);
  });

  it('tracks the writes of every endpoint: a create by the User-Agent, status by its subresource', async () => {
    const res = await tls.fetch(
      `${cluster.url.replace(/\/graphql$/, '')}/api/v1/namespaces/default/configmaps`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${cluster.token}`,
          'content-type': 'application/json',
          'user-agent': 'deployer/1.2 (linux/amd64)',
        },
        body: JSON.stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'ua' },
          data: { a: '1' },
        }),
      },
    );
    const created = (await res.json()) as Untyped;
    expect(created.metadata.managedFields).toEqual([
      {
        manager: 'deployer',
        operation: 'Update',
        apiVersion: 'v1',
        time: expect.any(String),
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { 'f:a': {} } },
      },
    ]);
    const status = await rest(
      'PATCH',
      `${url}/status?fieldManager=controller`,
      '{"status":{"replicas":1}}',
      'application/merge-patch+json',
    );
    expect(status.body.metadata.managedFields).toContainEqual(
      expect.objectContaining({
        manager: 'controller',
        operation: 'Update',
        subresource: 'status',
        fieldsV1: { 'f:status': { 'f:replicas': {} } },
      }),
    );
  });
});

describe('server-side apply with @kubernetes/client-node', () => {
  it('applies, and reads the conflict of a second manager as a 409', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'kubeql', server: new URL(cluster.url).origin, skipTLSVerify: true }],
      users: [{ name: 'admin', token: cluster.token }],
      contexts: [{ name: 'kubeql', cluster: 'kubeql', user: 'admin' }],
      currentContext: 'kubeql',
    });
    const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    const configMap = (value: string): k8s.V1ConfigMap => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'client-node', namespace: 'default' },
      data: { key: value },
    });
    const SSA = k8s.PatchStrategy.ServerSideApply;
    const applied = await objects.patch(configMap('a'), undefined, undefined, 'first', false, SSA);
    expect(applied.metadata?.managedFields?.map((m) => m.manager)).toEqual(['first']);
    const conflict = await objects.patch(configMap('b'), undefined, undefined, 'second', false, SSA).then(
      () => undefined,
      (error: { code?: number; body?: string }) => error,
    );
    expect(conflict?.code).toBe(409);
    expect(JSON.parse(conflict!.body!).message).toBe(
      'Apply failed with 1 conflict: conflict with "first": .data.key',
    );
    const forced = await objects.patch(configMap('b'), undefined, undefined, 'second', true, SSA);
    expect(forced.metadata?.managedFields?.map((m) => m.manager)).toEqual(['second']);
  });
});

describe('server-side apply through GraphQL', () => {
  async function gql(query: string, variables: Record<string, unknown>) {
    const res = await tls.fetch(cluster.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${cluster.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as Untyped;
  }
  const APPLY = `mutation($m: String!, $manager: String, $force: Boolean) {
    apply(manifests: $m, serverSide: true, fieldManager: $manager, force: $force) {
      ... on ConfigMap { data metadata { resourceVersion managedFields { manager operation fieldsV1 } } }
    }
  }`;
  const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: gql }\ndata: { a: "1" }\n';

  it('applies as the fieldManager given, and answers a conflict with CONFLICT and its causes', async () => {
    const anonymous = await gql(APPLY, { m: manifest });
    expect(anonymous.errors[0].extensions.code).toBe('BAD_REQUEST');
    const applied = await gql(APPLY, { m: manifest, manager: 'gql' });
    expect(applied.data.apply[0].metadata.managedFields).toEqual([
      { manager: 'gql', operation: 'Apply', fieldsV1: { 'f:data': { 'f:a': {} } } },
    ]);
    const patched = await gql(
      `mutation { patchConfigMap(namespace: "default", name: "gql", patch: { data: { a: "2" } }) { data } }`,
      {},
    );
    expect(patched.data.patchConfigMap.data).toEqual({ a: '2' });
    const refused = await gql(APPLY, { m: manifest, manager: 'gql' });
    expect(refused.errors[0].message).toMatch(
      /^Apply failed with 1 conflict: conflict with ".+" using v1: \.data\.a$/,
    );
    expect(refused.errors[0].extensions).toMatchObject({
      code: 'CONFLICT',
      causes: [{ reason: 'FieldManagerConflict', field: '.data.a' }],
    });
    const forced = await gql(APPLY, { m: manifest, manager: 'gql', force: true });
    expect(forced.data.apply[0].data).toEqual({ a: '1' });
  });
});

for (const [version, binary] of Object.entries(BINARIES)) {
  describe.skipIf(!binary)(`kubectl ${version} apply --server-side`, () => {
    const ns = `ssa-${version.replace('.', '-')}`;
    const kubectl = (...args: string[]) => runKubectl(binary!, [...args, '-n', ns], { home, kubeconfig });
    const ok = async (...args: string[]) => {
      const run = await kubectl(...args);
      if (run.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
      return run.stdout;
    };
    const file = (name: string, obj: unknown) => {
      const at = path.join(home, `${ns}-${name}.yaml`);
      fs.writeFileSync(at, stringify(obj));
      return at;
    };
    const get = async (name: string): Promise<Untyped> =>
      JSON.parse(await ok('get', 'deployment', name, '-o', 'json', '--show-managed-fields'));
    const managers = (obj: Untyped) =>
      (obj.metadata.managedFields as Untyped[]).map(
        (m) => `${m.manager}/${m.operation}${m.subresource ? `/${m.subresource}` : ''}`,
      );

    beforeAll(async () => {
      await runKubectl(binary!, ['create', 'namespace', ns], { home, kubeconfig });
    });

    it('creates, then applies again as "serverside-applied" with the same resourceVersion', async () => {
      const manifest = file('web', deployment('web', 2));
      expect(await ok('apply', '--server-side', '-f', manifest)).toBe(
        'deployment.apps/web serverside-applied\n',
      );
      const created = await get('web');
      expect(created.spec.replicas).toBe(2);
      expect(managers(created)).toEqual(['kubectl/Apply']);
      expect(await ok('apply', '--server-side', '-f', manifest)).toBe(
        'deployment.apps/web serverside-applied\n',
      );
      expect((await get('web')).metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    });

    it('shows managedFields only with --show-managed-fields', async () => {
      const shown = await ok('get', 'deployment', 'web', '-o', 'yaml', '--show-managed-fields');
      expect(shown).toContain('managedFields:');
      expect(shown).toContain('manager: kubectl');
      expect(shown).toContain('operation: Apply');
      expect(shown).toContain('f:replicas: {}');
      expect(shown).toContain('k:{"name":"web"}:');
      expect(await ok('get', 'deployment', 'web', '-o', 'yaml')).not.toContain('managedFields');
      // The OpenAPI document has Kubernetes' types for them.
      const explained = await ok('explain', 'deployments.metadata.managedFields');
      expect(explained).toContain('ManagedFieldsEntry');
      expect(explained).toMatch(/fieldsV1\s+<FieldsV1>/);
    });

    it('refuses to change replicas `kubectl scale` set, naming the manager; --force-conflicts takes them', async () => {
      expect(await ok('scale', 'deployment', 'web', '--replicas=5')).toBe('deployment.apps/web scaled\n');
      const scaled = await get('web');
      const scaler = (scaled.metadata.managedFields as Untyped[]).find((m) => m.operation === 'Update');
      expect(scaler).toMatchObject({ subresource: 'scale', fieldsV1: { 'f:spec': { 'f:replicas': {} } } });

      const manifest = file('web', deployment('web', 3));
      const refused = await kubectl('apply', '--server-side', '-f', manifest);
      expect(refused.code).not.toBe(0);
      // No fieldManager: the manager is the User-Agent's product, kubectl's binary name.
      expect(scaler.manager).toMatch(/^kubectl/);
      expect(refused.stderr).toContain(
        `Apply failed with 1 conflict: conflict with "${scaler.manager}" with subresource "scale" using apps/v1: .spec.replicas`,
      );
      expect((await get('web')).spec.replicas).toBe(5);

      expect(await ok('apply', '--server-side', '--force-conflicts', '-f', manifest)).toBe(
        'deployment.apps/web serverside-applied\n',
      );
      const forced = await get('web');
      expect(forced.spec.replicas).toBe(3);
      expect(managers(forced)).toEqual(['kubectl/Apply']);
    });

    it('removes a field the applier no longer applies, and keeps what another manager applies', async () => {
      expect(
        await ok('apply', '--server-side', '-f', file('web', deployment('web', 3, { tier: 'front' }))),
      ).toContain('serverside-applied');
      expect((await get('web')).metadata.labels).toEqual({ app: 'web', tier: 'front' });

      const other = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', annotations: { team: 'payments' } },
      };
      expect(
        await ok('apply', '--server-side', '--field-manager=team-tool', '-f', file('other', other)),
      ).toContain('serverside-applied');

      // The first applier drops its tier label: gone, while the other manager's annotation stays.
      expect(await ok('apply', '--server-side', '-f', file('web', deployment('web', 3)))).toContain(
        'serverside-applied',
      );
      const after = await get('web');
      expect(after.metadata.labels).toEqual({ app: 'web' });
      expect(after.metadata.annotations).toEqual({ team: 'payments' });
      expect(managers(after).sort()).toEqual(['kubectl/Apply', 'team-tool/Apply']);
    });
  });
}
