import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createClient, type KubeqlClient } from '../../client/index.ts';
import type { Fetch } from '../../client/node-tls.ts';
import { startCluster, type TestCluster, type Untyped } from '../support/harness.ts';
import { kubectlBinaries, runKubectl } from '../support/kubectl-binaries.ts';
import { kubectlHollowCluster } from '../support/kubectl.ts';
import { eventually } from '../support/wait.ts';

// The Kubernetes REST API's writes (server/rest/object-writes.ts) against the real kubectl,
// on a hollow cluster whose controllers make the ReplicaSets and the garbage collector
// cascades deletions.

const BINARIES = kubectlBinaries('kubectl-write');

/** A REST caller with the admin token; the body goes as JSON unless it is text already. */
function restClient(origin: string, token: string, fetchImpl: Fetch = fetch) {
  return async (method: string, url: string, body?: unknown, contentType = 'application/json') => {
    const res = await fetchImpl(`${origin}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: (text ? JSON.parse(text) : undefined) as Untyped,
    };
  };
}

function namespace(api: KubeqlClient, name: string) {
  return api.request(`mutation($m: String!) { apply(manifests: $m) { kind } }`, {
    m: `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${name} }\n`,
  });
}

function deployment(name: string, replicas: number, containers = [{ name: 'web', image: 'nginx:1.27' }]) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers } },
    },
  };
}

/** One YAML document per object, as people write manifests. */
function yamlOf(...objects: unknown[]): string {
  return objects.map((obj) => stringify(obj)).join('---\n');
}

// Over plain HTTP, on a server without controllers: nothing but the test writes the objects.
describe('REST writes without kubectl', () => {
  const ns = 'rest-writes';
  const deployments = `/apis/apps/v1/namespaces/${ns}/deployments`;
  let cluster: TestCluster;
  let api: KubeqlClient;
  let rest: ReturnType<typeof restClient>;
  beforeAll(async () => {
    cluster = await startCluster();
    api = createClient({ url: cluster.url, token: cluster.token });
    rest = restClient(new URL(cluster.url).origin, cluster.token);
    await namespace(api, ns);
  });
  afterAll(async () => {
    await api?.close();
    await cluster?.stop();
  });

  it('creates with 201, answers a second create with 409 AlreadyExists, and invalid JSON with 400', async () => {
    const created = await rest('POST', deployments, deployment('one', 1));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ kind: 'Deployment', metadata: { name: 'one', namespace: ns } });
    expect(created.body.metadata.resourceVersion).toMatch(/^\d+$/);

    const again = await rest('POST', deployments, deployment('one', 1));
    expect(again.status).toBe(409);
    expect(again.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "one" already exists',
      reason: 'AlreadyExists',
      details: { name: 'one', group: 'apps', kind: 'deployments' },
      code: 409,
    });

    const broken = await rest('POST', deployments, '{"apiVersion": "apps/v1", "kind": ');
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
    expect(broken.body.message).toMatch(
      /^the object provided is unrecognized \(must be of type Deployment\)/,
    );

    const huge = await rest('POST', deployments, 'x'.repeat(4 * 1024 * 1024));
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ kind: 'Status', reason: 'RequestEntityTooLarge', code: 413 });
  });

  it('fieldValidation: Strict refuses unknown and duplicate fields, Warn drops them with a Warning, Ignore silently', async () => {
    const unknown = { ...deployment('strict', 1), spec: { ...deployment('strict', 1).spec, foo: 1 } };
    const strict = await rest('POST', `${deployments}?fieldValidation=Strict`, unknown);
    expect(strict.status).toBe(400);
    expect(strict.body).toMatchObject({
      kind: 'Status',
      reason: 'BadRequest',
      code: 400,
      message:
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"',
    });
    expect((await rest('GET', `${deployments}/strict`)).status).toBe(404);

    const duplicate = `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"dup"},"spec":${JSON.stringify(
      deployment('dup', 1).spec,
    ).replace('"replicas":1', '"replicas":1,"replicas":2')}}`;
    const strictDuplicate = await rest('POST', `${deployments}?fieldValidation=Strict`, duplicate);
    expect(strictDuplicate.status).toBe(400);
    expect(strictDuplicate.body.message).toContain('strict decoding error: duplicate field "spec.replicas"');

    const warned = await rest('POST', deployments, unknown);
    expect(warned.status).toBe(201);
    expect(warned.headers.get('warning')).toBe('299 - "unknown field \\"spec.foo\\""');
    expect(warned.body.spec.foo).toBeUndefined();

    const ignored = await rest('POST', `${deployments}?fieldValidation=Ignore`, {
      ...unknown,
      metadata: { name: 'ignored' },
    });
    expect(ignored.status).toBe(201);
    expect(ignored.headers.get('warning')).toBeNull();
    expect((await api.get('Deployment', 'ignored', ns))?.spec).not.toHaveProperty('foo');
  });

  it('dryRun=All admits and answers, and writes nothing', async () => {
    const store = cluster.server.resources.store;
    const before = store.revision;
    const dry = await rest('POST', `${deployments}?dryRun=All`, deployment('dry', 3));
    expect(dry.status).toBe(201);
    // Admitted: defaulted like a real create.
    expect(dry.body.spec.strategy.type).toBe('RollingUpdate');
    expect((await rest('GET', `${deployments}/dry`)).status).toBe(404);

    const deleted = await rest('DELETE', `${deployments}/one?dryRun=All`);
    expect(deleted.status).toBe(200);
    const patched = await rest(
      'PATCH',
      `${deployments}/one?dryRun=All`,
      { spec: { replicas: 9 } },
      'application/merge-patch+json',
    );
    expect(patched.body.spec.replicas).toBe(9);
    expect(store.revision).toBe(before);
    expect((await api.get<Untyped>('Deployment', 'one', ns))?.spec.replicas).toBe(1);
  });

  it('PUT compares and swaps resourceVersion: a stale one is 409 Conflict', async () => {
    const current = (await rest('GET', `${deployments}/one`)).body;
    const replaced = await rest('PUT', `${deployments}/one`, {
      ...current,
      spec: { ...current.spec, replicas: 2 },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.metadata.resourceVersion).not.toBe(current.metadata.resourceVersion);

    const stale = await rest('PUT', `${deployments}/one`, {
      ...current,
      spec: { ...current.spec, replicas: 3 },
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on deployments.apps "one": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: 'one', group: 'apps', kind: 'deployments' },
    });
  });

  it('answers an invalid object with 422 Invalid and the field paths as causes', async () => {
    const res = await rest(
      'PATCH',
      `${deployments}/one`,
      { spec: { replicas: -1 } },
      'application/merge-patch+json',
    );
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422 });
    expect(res.body.message).toMatch(/^Deployment\.apps "one" is invalid: spec\.replicas: /);
    expect(res.body.details).toMatchObject({ name: 'one', group: 'apps', kind: 'Deployment' });
    expect(res.body.details.causes).toEqual([
      expect.objectContaining({ field: 'spec.replicas', reason: 'FieldValueInvalid' }),
    ]);
  });

  it('JSON patch: test, move, copy and escaped pointers; a failed test is 422, a malformed patch 400', async () => {
    const annotated = await rest(
      'PATCH',
      `${deployments}/one`,
      { metadata: { annotations: { 'example.com/a': 'x', b: 'y' } } },
      'application/merge-patch+json',
    );
    expect(annotated.status).toBe(200);
    const ok = await rest(
      'PATCH',
      `${deployments}/one`,
      [
        { op: 'test', path: '/metadata/annotations/example.com~1a', value: 'x' },
        { op: 'copy', from: '/metadata/annotations/b', path: '/metadata/annotations/example.com~1copied' },
        { op: 'move', from: '/metadata/annotations/example.com~1a', path: '/metadata/annotations/moved' },
        { op: 'remove', path: '/metadata/annotations/b' },
        { op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'added', image: 'redis:7' } },
      ],
      'application/json-patch+json',
    );
    expect(ok.status).toBe(200);
    expect(ok.body.metadata.annotations).toEqual({ 'example.com/copied': 'y', moved: 'x' });
    expect(ok.body.spec.template.spec.containers.map((c: Untyped) => c.name)).toEqual(['web', 'added']);

    const failed = await rest(
      'PATCH',
      `${deployments}/one`,
      [
        { op: 'test', path: '/spec/replicas', value: 42 },
        { op: 'replace', path: '/spec/replicas', value: 5 },
      ],
      'application/json-patch+json',
    );
    expect(failed.status).toBe(422);
    expect(failed.body).toMatchObject({
      reason: 'Invalid',
      message: 'testing value /spec/replicas failed: test failed',
    });
    const missing = await rest(
      'PATCH',
      `${deployments}/one`,
      [{ op: 'replace', path: '/spec/nope/x', value: 1 }],
      'application/json-patch+json',
    );
    expect(missing.status).toBe(422);
    const malformed = await rest('PATCH', `${deployments}/one`, { op: 'add' }, 'application/json-patch+json');
    expect(malformed.status).toBe(400);
    expect((await api.get<Untyped>('Deployment', 'one', ns))?.spec.replicas).toBe(2);
  });

  it('strategic merge patch merges containers by name, honours $patch: delete and $setElementOrder', async () => {
    const two = [
      { name: 'a', image: 'nginx:1.27', env: [{ name: 'X', value: '1' }] },
      { name: 'b', image: 'busybox:1.36' },
    ];
    await rest('POST', deployments, deployment('smp', 1, two));
    const smp = 'application/strategic-merge-patch+json';
    const patched = await rest(
      'PATCH',
      `${deployments}/smp`,
      { spec: { template: { spec: { containers: [{ name: 'a', env: [{ name: 'Y', value: '2' }] }] } } } },
      smp,
    );
    expect(patched.status).toBe(200);
    const containers = patched.body.spec.template.spec.containers;
    expect(containers.map((c: Untyped) => c.name)).toEqual(['a', 'b']);
    expect(containers[0].image).toBe('nginx:1.27');
    // Kubernetes' order: the patch's items first where the stored list has nothing to place them by.
    expect(containers[0].env).toEqual([
      { name: 'Y', value: '2' },
      { name: 'X', value: '1' },
    ]);

    const reordered = await rest(
      'PATCH',
      `${deployments}/smp`,
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }],
              containers: [{ name: 'a', env: [{ name: 'X', $patch: 'delete' }] }],
            },
          },
        },
      },
      smp,
    );
    const after = reordered.body.spec.template.spec.containers;
    expect(after.map((c: Untyped) => c.name)).toEqual(['b', 'a']);
    expect(after[1].env).toEqual([{ name: 'Y', value: '2' }]);

    const replaced = await rest(
      'PATCH',
      `${deployments}/smp`,
      {
        spec: {
          template: { spec: { containers: [{ $patch: 'replace' }, { name: 'c', image: 'redis:7' }] } },
        },
      },
      smp,
    );
    expect(replaced.body.spec.template.spec.containers.map((c: Untyped) => c.name)).toEqual(['c']);

    // Server-side apply is served (kubectl-server-side-apply.test.ts), and wants a fieldManager.
    const apply = await rest('PATCH', `${deployments}/smp`, {}, 'application/apply-patch+yaml');
    expect(apply.status).toBe(422);
    expect(apply.body).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422 });
    expect(apply.body.message).toContain('fieldManager: Required value');
  });

  it('status subresource: writes status only, spec changes are ignored', async () => {
    const current = (await rest('GET', `${deployments}/one/status`)).body;
    const put = await rest('PUT', `${deployments}/one/status`, {
      ...current,
      spec: { ...current.spec, replicas: 7 },
      status: { observedGeneration: 1, replicas: 4 },
    });
    expect(put.status).toBe(200);
    expect(put.body.status.replicas).toBe(4);
    expect(put.body.spec.replicas).toBe(2);
    const patch = await rest(
      'PATCH',
      `${deployments}/one/status`,
      { status: { readyReplicas: 3 }, spec: { replicas: 9 } },
      'application/merge-patch+json',
    );
    expect(patch.body.status).toMatchObject({ replicas: 4, readyReplicas: 3 });
    expect(patch.body.spec.replicas).toBe(2);
    const stale = await rest('PUT', `${deployments}/one/status`, current);
    expect(stale.status).toBe(409);
  });

  it('scale subresource: GET, PUT and PATCH an autoscaling/v1 Scale', async () => {
    const scale = await rest('GET', `${deployments}/one/scale`);
    expect(scale.body).toMatchObject({
      apiVersion: 'autoscaling/v1',
      kind: 'Scale',
      metadata: { name: 'one', namespace: ns },
      spec: { replicas: 2 },
      status: { selector: 'app=one' },
    });
    const put = await rest('PUT', `${deployments}/one/scale`, { ...scale.body, spec: { replicas: 3 } });
    expect(put.body.spec.replicas).toBe(3);
    const stale = await rest('PUT', `${deployments}/one/scale`, { ...scale.body, spec: { replicas: 4 } });
    expect(stale.status).toBe(409);
    const patched = await rest(
      'PATCH',
      `${deployments}/one/scale`,
      { spec: { replicas: 5 } },
      'application/merge-patch+json',
    );
    expect(patched.body.spec.replicas).toBe(5);
    expect((await api.get<Untyped>('Deployment', 'one', ns))?.spec.replicas).toBe(5);
    const invalid = await rest(
      'PATCH',
      `${deployments}/one/scale`,
      { spec: { replicas: -2 } },
      'application/merge-patch+json',
    );
    expect(invalid.status).toBe(422);
  });

  it('DELETE takes DeleteOptions in the body or the query, and deletecollection deletes by label', async () => {
    const cms = `/api/v1/namespaces/${ns}/configmaps`;
    for (const name of ['c1', 'c2', 'c3'])
      await rest('POST', cms, { metadata: { name, labels: { batch: name === 'c3' ? 'other' : 'one' } } });
    const wrongUid = await rest('DELETE', `${cms}/c1`, {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      preconditions: { uid: 'nope' },
    });
    expect(wrongUid.status).toBe(409);
    expect(wrongUid.body.message).toContain('Precondition failed: UID in precondition: nope');
    const badPolicy = await rest('DELETE', `${cms}/c1?propagationPolicy=Sometimes`);
    expect(badPolicy.status).toBe(422);

    const uid = (await rest('GET', `${cms}/c1`)).body.metadata.uid;
    const deleted = await rest('DELETE', `${cms}/c1`, {
      preconditions: { uid },
      propagationPolicy: 'Background',
    });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: 'c1', kind: 'configmaps', uid },
    });

    const collection = await rest('DELETE', `${cms}?labelSelector=batch%3Done`);
    expect(collection.status).toBe(200);
    expect(collection.body.kind).toBe('ConfigMapList');
    expect(collection.body.items.map((i: Untyped) => i.metadata.name)).toEqual(['c2']);
    expect(await api.get('ConfigMap', 'c2', ns)).toBeNull();
    expect(await api.get('ConfigMap', 'c3', ns)).not.toBeNull();
  });

  it('discovery lists the write verbs and the status and scale subresources', async () => {
    const apps = (await rest('GET', '/apis/apps/v1')).body;
    const named = (name: string) => apps.resources.find((r: Untyped) => r.name === name);
    expect(named('deployments').verbs).toEqual([
      'create',
      'delete',
      'deletecollection',
      'get',
      'list',
      'patch',
      'update',
      'watch',
    ]);
    expect(named('deployments/status')).toMatchObject({
      kind: 'Deployment',
      verbs: ['get', 'patch', 'update'],
    });
    expect(named('deployments/scale')).toMatchObject({ group: 'autoscaling', version: 'v1', kind: 'Scale' });
    const core = (await rest('GET', '/api/v1')).body;
    expect(core.resources.map((r: Untyped) => r.name)).toEqual(
      expect.arrayContaining(['pods', 'pods/status']),
    );
  });

  it('a Deployment created through REST arrives on a GraphQL subscription with the same resourceVersion', async () => {
    const events = api.subscribe<Untyped>(
      `subscription($ns: String) { watchDeployments(namespace: $ns) { type object { metadata { name resourceVersion } } } }`,
      { ns },
    );
    try {
      // The subscription starts with the current objects: once one arrives, it is live.
      await events.next();
      const created = await rest('POST', deployments, deployment('crossing', 1));
      expect(created.status).toBe(201);
      for (;;) {
        const { value, done } = await events.next();
        expect(done).toBe(false);
        const { type, object } = value.watchDeployments;
        if (type !== 'ADDED' || object.metadata.name !== 'crossing') continue;
        expect(object.metadata.resourceVersion).toBe(created.body.metadata.resourceVersion);
        break;
      }
    } finally {
      await events.return();
    }
  });
});

// On a hollow cluster over TLS: its controllers make the ReplicaSets `rollout undo` goes back
// to, and its garbage collector carries out the cascading deletions.
describe.skipIf(!Object.values(BINARIES).some(Boolean))('kubectl writes', () => {
  let home: string;
  let kubeconfig: string;
  let api: KubeqlClient;

  // kubectl sends its token only over TLS: the server's own, verified with the cluster CA.
  kubectlHollowCluster('kubectl-write', { nodes: 1 }, (started) => ({ home, kubeconfig, api } = started));

  for (const [version, binary] of Object.entries(BINARIES)) {
    describe.skipIf(!binary)(`kubectl ${version}`, () => {
      const bin = binary!;
      const ns = `kubectl-${version.replace('.', '-')}`;
      const dir = () => path.join(home, ns);
      const file = (name: string, content: string) => {
        fs.mkdirSync(path.dirname(path.join(dir(), name)), { recursive: true });
        fs.writeFileSync(path.join(dir(), name), content);
        return path.join(dir(), name);
      };
      const kubectl = (...args: string[]) => runKubectl(bin, [...args, '-n', ns], { home, kubeconfig });
      const ok = async (...args: string[]) => {
        const run = await kubectl(...args);
        if (run.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
        return run.stdout;
      };
      const get = (kind: string, name: string): Promise<Untyped> => api.get(kind, name, ns);
      const images = async (name: string) =>
        (await get('Deployment', name)).spec.template.spec.containers.map(
          (c: Untyped) => `${c.name}=${c.image}`,
        );
      /** The ReplicaSets a Deployment owns (through its controller reference). */
      const ownedReplicaSets = async (uid: string) =>
        (await api.listAll('ReplicaSet', { namespace: ns })).items.filter((rs) =>
          rs.metadata.ownerReferences?.some((ref) => ref.uid === uid),
        );

      beforeAll(() => namespace(api, ns));

      it('apply -f a file: created, again unchanged with the same resourceVersion, a new replica count configured', async () => {
        const manifest = file(
          'web.yaml',
          yamlOf({
            ...deployment('web', 2),
            metadata: { name: 'web', namespace: ns, labels: { app: 'web' } },
          }),
        );
        expect(await ok('apply', '-f', manifest)).toBe('deployment.apps/web created\n');
        // The controllers write the Deployment's status until its pods are up: from then on,
        // only a write of ours would change its resourceVersion.
        const created = await eventually(
          () => get('Deployment', 'web'),
          (d) =>
            d.status?.observedGeneration === d.metadata.generation &&
            d.status?.updatedReplicas === 2 &&
            d.status?.availableReplicas === 2 &&
            d.status?.replicas === 2,
          { ms: 15_000, what: 'the Deployment rolled out' },
        );
        expect(created.spec.replicas).toBe(2);
        expect(created.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toContain(
          '"replicas":2',
        );

        expect(await ok('apply', '-f', manifest)).toBe('deployment.apps/web unchanged\n');
        expect((await get('Deployment', 'web'))!.metadata.resourceVersion).toBe(
          created.metadata.resourceVersion,
        );

        file(
          'web.yaml',
          yamlOf({
            ...deployment('web', 3),
            metadata: { name: 'web', namespace: ns, labels: { app: 'web' } },
          }),
        );
        expect(await ok('apply', '-f', manifest)).toBe('deployment.apps/web configured\n');
        const configured = (await get('Deployment', 'web'))!;
        expect(configured.spec.replicas).toBe(3);
        expect(configured.metadata.resourceVersion).not.toBe(created.metadata.resourceVersion);

        file(
          'web-dry.yaml',
          yamlOf({
            ...deployment('web', 7),
            metadata: { name: 'web', namespace: ns, labels: { app: 'web' } },
          }),
        );
        expect(await ok('apply', '--dry-run=server', '-f', path.join(dir(), 'web-dry.yaml'))).toBe(
          'deployment.apps/web configured (server dry run)\n',
        );
        expect((await get('Deployment', 'web')).spec.replicas).toBe(3);
      });

      it('apply -f a directory with a multi-document file: each object, then unchanged', async () => {
        const cm = (name: string) => ({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name },
          data: { k: name },
        });
        file('dir/a.yaml', yamlOf(cm('dir-a')));
        file(
          'dir/b.yaml',
          yamlOf(cm('dir-b'), {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: 'dir-svc' },
            spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
          }),
        );
        const first = await ok('apply', '-f', path.join(dir(), 'dir'));
        expect(first.trim().split('\n').sort()).toEqual([
          'configmap/dir-a created',
          'configmap/dir-b created',
          'service/dir-svc created',
        ]);
        const svc = await get('Service', 'dir-svc');
        expect(svc.spec.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        const again = await ok('apply', '-f', path.join(dir(), 'dir'));
        expect(again.trim().split('\n').sort()).toEqual([
          'configmap/dir-a unchanged',
          'configmap/dir-b unchanged',
          'service/dir-svc unchanged',
        ]);
        expect((await get('Service', 'dir-svc'))!.metadata.resourceVersion).toBe(
          svc.metadata.resourceVersion,
        );
      });

      it('create -f, then AlreadyExists; replace -f with a stale resourceVersion is a Conflict', async () => {
        const manifest = file(
          'cfg.yaml',
          yamlOf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '1' } }),
        );
        expect(await ok('create', '-f', manifest)).toBe('configmap/cfg created\n');
        const again = await kubectl('create', '-f', manifest);
        expect(again.code).toBe(1);
        expect(again.stderr).toContain(
          `Error from server (AlreadyExists): error when creating "${manifest}": configmaps "cfg" already exists`,
        );

        const live = (await get('ConfigMap', 'cfg'))!;
        const stale = file('cfg-stale.yaml', yamlOf({ ...live, data: { a: 'stale' } }));
        file('cfg-fresh.yaml', yamlOf({ ...live, data: { a: '2' } }));
        expect(await ok('replace', '-f', path.join(dir(), 'cfg-fresh.yaml'))).toBe(
          'configmap/cfg replaced\n',
        );
        const conflict = await kubectl('replace', '-f', stale);
        expect(conflict.code).toBe(1);
        expect(conflict.stderr).toContain('Error from server (Conflict): error when replacing');
        expect(conflict.stderr).toContain(
          'Operation cannot be fulfilled on configmaps "cfg": the object has been modified; please apply your changes to the latest version and try again',
        );
        expect((await get('ConfigMap', 'cfg')).data).toEqual({
          a: '2',
        });
      });

      it('label, annotate and scale', async () => {
        expect(await ok('label', 'deployment', 'web', 'tier=front')).toBe('deployment.apps/web labeled\n');
        expect(await ok('annotate', 'deployment', 'web', 'note=hello')).toBe(
          'deployment.apps/web annotated\n',
        );
        expect(await ok('scale', 'deployment', 'web', '--replicas=4')).toBe('deployment.apps/web scaled\n');
        const web = (await get('Deployment', 'web'))!;
        expect(web.metadata.labels).toMatchObject({ app: 'web', tier: 'front' });
        expect(web.metadata.annotations).toMatchObject({ note: 'hello' });
        expect(web.spec.replicas).toBe(4);
      });

      it('patch --type merge, json and strategic: a strategic patch of one container keeps the other', async () => {
        const two = [
          { name: 'app', image: 'nginx:1.27' },
          { name: 'sidecar', image: 'busybox:1.36' },
        ];
        file('pair.yaml', yamlOf(deployment('pair', 1, two)));
        await ok('apply', '-f', path.join(dir(), 'pair.yaml'));
        expect(
          await ok('patch', 'deployment', 'pair', '--type', 'merge', '-p', '{"spec":{"replicas":2}}'),
        ).toBe('deployment.apps/pair patched\n');
        expect(
          await ok(
            'patch',
            'deployment',
            'pair',
            '--type',
            'json',
            '-p',
            '[{"op":"test","path":"/spec/replicas","value":2},{"op":"replace","path":"/spec/replicas","value":3}]',
          ),
        ).toBe('deployment.apps/pair patched\n');
        expect((await get('Deployment', 'pair'))!.spec.replicas).toBe(3);
        const failed = await kubectl(
          'patch',
          'deployment',
          'pair',
          '--type',
          'json',
          '-p',
          '[{"op":"test","path":"/spec/replicas","value":9}]',
        );
        expect(failed.code).toBe(1);
        expect(failed.stderr).toContain(
          'The request is invalid: testing value /spec/replicas failed: test failed',
        );

        expect(
          await ok(
            'patch',
            'deployment',
            'pair',
            '--type',
            'strategic',
            '-p',
            '{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.28"}]}}}}',
          ),
        ).toBe('deployment.apps/pair patched\n');
        expect(await images('pair')).toEqual(['app=nginx:1.28', 'sidecar=busybox:1.36']);
        // The same patch as a merge patch replaces the list, as Kubernetes does.
        await ok(
          'patch',
          'deployment',
          'pair',
          '--type',
          'merge',
          '-p',
          '{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.29"}]}}}}',
        );
        expect(await images('pair')).toEqual(['app=nginx:1.29']);
      });

      it('set image, rollout restart and rollout undo', async () => {
        const uid = (await get('Deployment', 'web'))!.metadata.uid!;
        await eventually(
          () => ownedReplicaSets(uid),
          (sets) => sets.length === 1,
          { ms: 10_000, what: 'the first ReplicaSet' },
        );
        expect(await ok('set', 'image', 'deployment/web', 'web=nginx:1.28')).toBe(
          'deployment.apps/web image updated\n',
        );
        expect(await images('web')).toEqual(['web=nginx:1.28']);
        await eventually(
          () => ownedReplicaSets(uid),
          (sets) => sets.length === 2,
          { ms: 10_000, what: 'the second ReplicaSet' },
        );

        expect(await ok('rollout', 'restart', 'deployment/web')).toBe('deployment.apps/web restarted\n');
        const restarted = (await get('Deployment', 'web'))!;
        expect(
          restarted.spec.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'],
        ).toBeTruthy();
        await eventually(
          () => ownedReplicaSets(uid),
          (sets) => sets.length === 3,
          { ms: 10_000, what: 'the third ReplicaSet' },
        );

        expect(await ok('rollout', 'undo', 'deployment/web', '--to-revision=1')).toBe(
          'deployment.apps/web rolled back\n',
        );
        const undone = (await get('Deployment', 'web'))!;
        expect(undone.spec.template.spec.containers.map((c: Untyped) => c.image)).toEqual(['nginx:1.27']);
        expect(
          undone.spec.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'],
        ).toBeUndefined();
      });

      it('rollout pause holds a new template back until rollout resume', async () => {
        const uid = (await get('Deployment', 'web'))!.metadata.uid!;
        const before = (await ownedReplicaSets(uid)).length;
        expect(await ok('rollout', 'pause', 'deployment/web')).toBe('deployment.apps/web paused\n');
        expect((await get('Deployment', 'web')).spec.paused).toBe(true);
        const again = await kubectl('rollout', 'pause', 'deployment/web');
        expect(again.stderr).toBe('error: deployments.apps "web" is already paused\n');

        await ok('set', 'image', 'deployment/web', 'web=nginx:1.29');
        await eventually(
          () => get('Deployment', 'web'),
          (deployment) =>
            deployment.status?.conditions?.some(
              (c: Untyped) => c.type === 'Progressing' && c.reason === 'DeploymentPaused',
            ),
          { ms: 10_000, what: 'the Progressing condition saying DeploymentPaused' },
        );
        expect((await ownedReplicaSets(uid)).length).toBe(before);

        expect(await ok('rollout', 'resume', 'deployment/web')).toBe('deployment.apps/web resumed\n');
        await eventually(
          () => ownedReplicaSets(uid),
          (sets) =>
            sets.some((rs) => (rs as Untyped).spec.template.spec.containers[0].image === 'nginx:1.29'),
          { ms: 10_000, what: 'the ReplicaSet of the image set while paused' },
        );
      });

      it('delete --cascade=orphan keeps the ReplicaSets, foreground and background remove them', async () => {
        for (const name of ['orphan', 'foreground', 'background'])
          file(`${name}.yaml`, yamlOf(deployment(name, 1)));
        const uids: Record<string, string> = {};
        for (const name of ['orphan', 'foreground', 'background']) {
          await ok('apply', '-f', path.join(dir(), `${name}.yaml`));
          uids[name] = (await get('Deployment', name))!.metadata.uid!;
          await eventually(
            () => ownedReplicaSets(uids[name]),
            (sets) => sets.length === 1,
            { ms: 10_000, what: `${name}'s ReplicaSet` },
          );
        }

        expect(await ok('delete', 'deployment', 'orphan', '--cascade=orphan')).toBe(
          'deployment.apps "orphan" deleted\n',
        );
        expect(await get('Deployment', 'orphan')).toBeNull();
        const orphans = await eventually(
          async () => (await api.listAll('ReplicaSet', { namespace: ns, labelSelector: 'app=orphan' })).items,
          (sets) => sets.length === 1 && !sets[0].metadata.ownerReferences?.length,
          { ms: 10_000, what: 'the orphaned ReplicaSet' },
        );
        expect(orphans[0].metadata.deletionTimestamp).toBeUndefined();

        expect(await ok('delete', 'deployment', 'foreground', '--cascade=foreground')).toBe(
          'deployment.apps "foreground" deleted\n',
        );
        // Foreground: the owner goes only after its dependents, and kubectl waited for the owner.
        expect(await get('Deployment', 'foreground')).toBeNull();
        expect(await ownedReplicaSets(uids.foreground)).toEqual([]);

        expect(await ok('delete', 'deployment', 'background', '--cascade=background')).toBe(
          'deployment.apps "background" deleted\n',
        );
        expect(await get('Deployment', 'background')).toBeNull();
        await eventually(
          () => ownedReplicaSets(uids.background),
          (sets) => sets.length === 0,
          { ms: 10_000, what: 'background cascade' },
        );
      });

      it('delete -l deletes what the selector matches', async () => {
        const cm = (name: string, group: string) => ({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name, labels: { group } },
        });
        file('labelled.yaml', yamlOf(cm('l1', 'gone'), cm('l2', 'gone'), cm('l3', 'kept')));
        await ok('apply', '-f', path.join(dir(), 'labelled.yaml'));
        const out = await ok('delete', 'configmap', '-l', 'group=gone');
        expect(out.trim().split('\n').sort()).toEqual(['configmap "l1" deleted', 'configmap "l2" deleted']);
        expect(await get('ConfigMap', 'l1')).toBeNull();
        expect(await get('ConfigMap', 'l2')).toBeNull();
        expect(await get('ConfigMap', 'l3')).not.toBeNull();
      });
    });
  }
});
