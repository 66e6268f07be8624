import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type KubeqlClient } from '../../client/index.ts';
import { startCluster, type TestCluster, type Untyped } from '../support/harness.ts';
import { kubectlHome } from '../support/kubectl.ts';
import { kubectlBinaries, runKubectl } from '../support/kubectl-binaries.ts';

/**
 * autoscaling/v1 HorizontalPodAutoscalers beside the stored autoscaling/v2: discovery, OpenAPI,
 * REST reads, writes and watches converted both ways, `apply` of a v1 manifest, and
 * `kubectl autoscale` (which kubectl 1.32 writes at v1).
 */

const BINARIES = kubectlBinaries('hpa-v1');

let cluster: TestCluster;
let api: KubeqlClient;
let home: string;
let kubeconfig: string;

beforeAll(async () => {
  cluster = await startCluster({ tls: { serve: true } });
  api = createClient({ url: cluster.url, token: cluster.token, ca: cluster.server.ca });
  ({ home, kubeconfig } = await kubectlHome(cluster, 'hpa-v1'));
}, 30_000);

afterAll(async () => {
  await api?.close();
  await cluster?.stop();
});

/** A REST call with the admin token, over the cluster's TLS. */
async function rest(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const { trustingFetch } = await import('../../client/node-tls.ts');
  const https = trustingFetch(cluster.server.ca!);
  try {
    const res = await https.fetch(`${cluster.url.replace(/\/graphql$/, '')}${path}`, {
      method,
      headers: { authorization: `Bearer ${cluster.token}`, 'content-type': contentType },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Untyped };
  } finally {
    https.close();
  }
}

const V1 = '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers';
const V2 = '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers';
const scaleTargetRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

describe('autoscaling/v1 HorizontalPodAutoscaler over REST', () => {
  it('discovery serves autoscaling at v2 (preferred) and v1, with HorizontalPodAutoscalers at both', async () => {
    const group = await rest('GET', '/apis/autoscaling');
    expect(group.body.versions).toEqual([
      { groupVersion: 'autoscaling/v2', version: 'v2' },
      { groupVersion: 'autoscaling/v1', version: 'v1' },
    ]);
    expect(group.body.preferredVersion).toEqual({ groupVersion: 'autoscaling/v2', version: 'v2' });
    const v1 = await rest('GET', '/apis/autoscaling/v1');
    expect(v1.body.groupVersion).toBe('autoscaling/v1');
    expect(v1.body.resources.map((r: { name: string }) => r.name)).toEqual([
      'horizontalpodautoscalers',
      'horizontalpodautoscalers/status',
    ]);
  });

  it('OpenAPI v3 has an autoscaling/v1 document with v1 types of its own', async () => {
    const index = await rest('GET', '/openapi/v3');
    expect(Object.keys(index.body.paths)).toEqual(
      expect.arrayContaining(['apis/autoscaling/v1', 'apis/autoscaling/v2']),
    );
    const doc = await rest('GET', '/openapi/v3/apis/autoscaling/v1');
    const schemas = doc.body.components.schemas;
    const hpa = schemas['io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler'];
    expect(hpa['x-kubernetes-group-version-kind']).toEqual([
      { group: 'autoscaling', kind: 'HorizontalPodAutoscaler', version: 'v1' },
    ]);
    const spec = schemas['io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerSpec'];
    expect(Object.keys(spec.properties)).toEqual([
      'scaleTargetRef',
      'minReplicas',
      'maxReplicas',
      'targetCPUUtilizationPercentage',
    ]);
    expect(spec.properties.scaleTargetRef.allOf?.[0]?.$ref ?? spec.properties.scaleTargetRef.$ref).toBe(
      '#/components/schemas/io.k8s.api.autoscaling.v1.CrossVersionObjectReference',
    );
    expect(
      doc.body.paths[`/apis/autoscaling/v1/namespaces/{namespace}/horizontalpodautoscalers`],
    ).toBeDefined();
    const v2 = await rest('GET', '/openapi/v3/apis/autoscaling/v2');
    expect(
      v2.body.components.schemas['io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec'].properties,
    ).toHaveProperty('metrics');
  });

  it('create at v1 stores v2; get, list and watch at v1 convert; a v1 merge patch changes the v2 metric', async () => {
    const created = await rest('POST', V1, {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web' },
      spec: { scaleTargetRef, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 70 },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      apiVersion: 'autoscaling/v1',
      spec: { scaleTargetRef, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 70 },
      status: { currentReplicas: 0, desiredReplicas: 0 },
    });

    const stored = await rest('GET', `${V2}/web`);
    expect(stored.body.apiVersion).toBe('autoscaling/v2');
    expect(stored.body.spec.metrics).toEqual([
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
      },
    ]);
    const read = await rest('GET', `${V1}/web`);
    expect(read.body.apiVersion).toBe('autoscaling/v1');
    expect(read.body.metadata.resourceVersion).toBe(stored.body.metadata.resourceVersion);
    expect(read.body.spec.targetCPUUtilizationPercentage).toBe(70);

    const list = await rest('GET', V1);
    expect(list.body.apiVersion).toBe('autoscaling/v1');
    expect(
      list.body.items.map((i: Untyped) => [i.apiVersion, i.spec.targetCPUUtilizationPercentage]),
    ).toEqual([['autoscaling/v1', 70]]);

    const { trustingFetch } = await import('../../client/node-tls.ts');
    const https = trustingFetch(cluster.server.ca!);
    const origin = cluster.url.replace(/\/graphql$/, '');
    const watch = await https.fetch(
      `${origin}${V1}?watch=true&resourceVersion=${list.body.metadata.resourceVersion}&timeoutSeconds=5`,
      { headers: { authorization: `Bearer ${cluster.token}` } },
    );
    const patched = await rest(
      'PATCH',
      `${V1}/web`,
      { spec: { targetCPUUtilizationPercentage: 55 } },
      'application/merge-patch+json',
    );
    expect(patched.status).toBe(200);
    expect(patched.body.spec.targetCPUUtilizationPercentage).toBe(55);
    const reader = watch.body!.getReader();
    let text = '';
    while (!text.includes('\n')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    https.close();
    const event = JSON.parse(text.split('\n')[0]);
    expect(event.type).toBe('MODIFIED');
    expect(event.object.apiVersion).toBe('autoscaling/v1');
    expect(event.object.spec.targetCPUUtilizationPercentage).toBe(55);

    const after = await rest('GET', `${V2}/web`);
    expect(after.body.spec.metrics[0].resource.target.averageUtilization).toBe(55);
  });

  it('a v1 PUT of what was read keeps the v2 metrics v1 cannot show', async () => {
    await api.request(`mutation($m: String!) { apply(manifests: $m) { kind } }`, {
      m: `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: mixed, namespace: default }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  maxReplicas: 4
  metrics:
  - { type: Resource, resource: { name: memory, target: { type: AverageValue, averageValue: 100Mi } } }
  - { type: Resource, resource: { name: cpu, target: { type: Utilization, averageUtilization: 60 } } }
`,
    });
    const read = await rest('GET', `${V1}/mixed`);
    expect(read.body.spec.targetCPUUtilizationPercentage).toBe(60);
    expect(JSON.parse(read.body.metadata.annotations['autoscaling.alpha.kubernetes.io/metrics'])).toEqual([
      { type: 'Resource', resource: { name: 'memory', targetAverageValue: '100Mi' } },
    ]);
    const replaced = await rest('PUT', `${V1}/mixed`, {
      ...read.body,
      spec: { ...read.body.spec, maxReplicas: 6 },
    });
    expect(replaced.status).toBe(200);
    const stored = await rest('GET', `${V2}/mixed`);
    expect(stored.body.spec.maxReplicas).toBe(6);
    expect(stored.body.spec.metrics.map((m: Untyped) => m.resource.name)).toEqual(['memory', 'cpu']);
    expect(stored.body.metadata.annotations ?? {}).not.toHaveProperty(
      'autoscaling.alpha.kubernetes.io/metrics',
    );
  });

  it('a v1 object with a field v1 lacks is refused against the v1 shape', async () => {
    const refused = await rest('POST', `${V1}?fieldValidation=Strict`, {
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'strict' },
      spec: { scaleTargetRef, maxReplicas: 3, metrics: [] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('unknown field "spec.metrics"');
  });

  it('apply of an autoscaling/v1 manifest is stored as autoscaling/v2', async () => {
    const applied = await api.request<{ apply: Array<{ apiVersion: string; manifest: Untyped }> }>(
      `mutation($m: String!) { apply(manifests: $m) { apiVersion manifest } }`,
      {
        m: `apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: { name: applied, namespace: default }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  minReplicas: 1
  maxReplicas: 3
  targetCPUUtilizationPercentage: 65
`,
      },
    );
    expect(applied.apply[0].apiVersion).toBe('autoscaling/v2');
    expect(applied.apply[0].manifest.spec.metrics).toEqual([
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 65 } },
      },
    ]);
    // A deletecollection at v1 answers with what it deleted, at v1.
    const deleted = await rest('DELETE', `${V1}?fieldSelector=metadata.name%3Dapplied`);
    expect(deleted.body.apiVersion).toBe('autoscaling/v1');
    expect(
      deleted.body.items.map((i: Untyped) => [i.apiVersion, i.spec.targetCPUUtilizationPercentage]),
    ).toEqual([['autoscaling/v1', 65]]);
  });
});

for (const [version, binary] of Object.entries(BINARIES)) {
  describe.skipIf(!binary)(`kubectl ${version} and autoscaling/v1`, () => {
    const ns = `hpa-v1-${version.replace('.', '-')}`;
    const kubectl = (...args: string[]) => runKubectl(binary!, ['-n', ns, ...args], { home, kubeconfig });

    beforeAll(() =>
      api.request(`mutation($m: String!) { apply(manifests: $m) { kind } }`, {
        m: `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${ns} }\n`,
      }),
    );

    it('autoscale makes the HorizontalPodAutoscaler and get hpa shows it', async () => {
      expect(await kubectl('create', 'deployment', 'web', '--image=nginx:1.27')).toMatchObject({ code: 0 });
      expect(
        await kubectl('autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=80'),
      ).toEqual({
        code: 0,
        stdout: 'horizontalpodautoscaler.autoscaling/web autoscaled\n',
        stderr: '',
      });
      const hpa = (await api.get('HorizontalPodAutoscaler', 'web', ns)) as Untyped;
      expect(hpa.spec).toMatchObject({
        scaleTargetRef,
        minReplicas: 2,
        maxReplicas: 5,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
          },
        ],
      });
      const listed = await kubectl('get', 'hpa');
      expect(listed.code).toBe(0);
      const [header, row] = listed.stdout.trim().split('\n');
      expect(header.split(/\s{2,}/)).toEqual([
        'NAME',
        'REFERENCE',
        'TARGETS',
        'MINPODS',
        'MAXPODS',
        'REPLICAS',
        'AGE',
      ]);
      expect(row).toMatch(/^web\s+Deployment\/web\s+.*cpu.*\/80%\s+2\s+5\s+0\s+\S+$/);
    });

    it('reads and applies at autoscaling/v1 by its full name', async () => {
      const read = await kubectl('get', 'horizontalpodautoscalers.v1.autoscaling', 'web', '-o', 'json');
      expect(read.code).toBe(0);
      const v1 = JSON.parse(read.stdout);
      expect(v1.apiVersion).toBe('autoscaling/v1');
      expect(v1.spec.targetCPUUtilizationPercentage).toBe(80);

      const manifest = `apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: { name: manifest }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  maxReplicas: 4
  targetCPUUtilizationPercentage: 50
`;
      const { execFile } = await import('node:child_process');
      const applied = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const child = execFile(
          binary!,
          ['-n', ns, 'apply', '-f', '-'],
          { env: { PATH: process.env.PATH ?? '', HOME: home, KUBECONFIG: kubeconfig } },
          (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }),
        );
        child.stdin!.end(manifest);
      });
      expect(applied).toEqual({
        code: 0,
        stdout: 'horizontalpodautoscaler.autoscaling/manifest created\n',
        stderr: '',
      });
      const hpa = (await api.get('HorizontalPodAutoscaler', 'manifest', ns)) as Untyped;
      expect(hpa.spec.metrics[0].resource.target.averageUtilization).toBe(50);
    });
  });
}
