import YAML from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { clusterPerFile } from '../support/cluster-per-file.ts';
import { INVALID_FIELD_CASES } from '../support/kind-cases-fields.ts';
import { INVALID_CASES } from '../support/kind-cases-invalid.ts';
import { expectError, kindApi } from '../support/kinds.ts';

/** The validation Kubernetes answers a manifest with, field path by field path. */

const cluster = clusterPerFile();
const { applyManifests, createNamespace } = kindApi(cluster);

describe('validation', () => {
  beforeAll(async () => {
    await createNamespace('invalid');
  });

  const invalid = async (manifest: string, fields: string[]) => {
    const error = expectError(await applyManifests(manifest, 'invalid'), 'INVALID', fields);
    const name = YAML.parseAllDocuments(manifest).at(-1)?.toJS()?.metadata?.name;
    if (name) expect(error.message).toContain(name);
    return error;
  };

  const deployment = (name: string, selector: string, labels: string, container = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  selector:
    matchLabels: ${selector}
  template:
    metadata:
      labels: ${labels}
    spec:
      containers:
      - name: web
        image: nginx:1.27
${container}`;

  it('rejects a name that is not a DNS subdomain', async () => {
    const error = await invalid(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n`, [
      'metadata.name',
    ]);
    expect(error.extensions?.causes?.[0].message).toContain('RFC 1123');
    // A Service name must be a DNS label: no dots.
    await invalid(
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: my.service\nspec:\n  ports: [{ port: 80 }]\n`,
      ['metadata.name'],
    );
  });

  it('rejects a bad label key and a bad label value', async () => {
    await invalid(
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad-label\n  labels:\n    -app: web\n`,
      ['metadata.labels.-app'],
    );
    await invalid(
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad-label-value\n  labels:\n    app: "has spaces"\n`,
      ['metadata.labels.app'],
    );
  });

  it('rejects a Deployment whose selector does not match its template labels', async () => {
    const error = await invalid(deployment('mismatch', '{ app: web }', '{ app: api }'), [
      'spec.template.metadata.labels',
    ]);
    expect(error.extensions?.causes?.[0].message).toContain('`selector` does not match template `labels`');
  });

  it("refuses to change a Deployment's selector", async () => {
    const created = await applyManifests(
      deployment('immutable', '{ app: web }', '{ app: web, tier: fe }'),
      'invalid',
    );
    expect(created.errors).toBeUndefined();
    await invalid(deployment('immutable', '{ app: web, tier: fe }', '{ app: web, tier: fe }'), [
      'spec.selector',
    ]);
    const kept = await cluster.ok<{ deployment: unknown }>(
      `{ deployment(namespace: "invalid", name: "immutable") { metadata { generation } spec { selector { matchLabels } } } }`,
    );
    expect(kept.deployment).toEqual({
      metadata: { generation: 1 },
      spec: { selector: { matchLabels: { app: 'web' } } },
    });
  });

  it('rejects ports out of range', async () => {
    // targetPort defaults to port, so it is out of range too.
    await invalid(
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: bad-port\nspec:\n  ports:\n  - port: 70000\n`,
      ['spec.ports[0].port', 'spec.ports[0].targetPort'],
    );
    await invalid(
      `apiVersion: v1
kind: Pod
metadata:
  name: bad-container-port
spec:
  containers:
  - name: web
    image: nginx
    ports:
    - containerPort: 0
`,
      ['spec.containers[0].ports[0].containerPort'],
    );
    await invalid(
      deployment(
        'bad-template-port',
        '{ app: web }',
        '{ app: web }',
        '        ports:\n        - containerPort: 65536\n',
      ),
      ['spec.template.spec.containers[0].ports[0].containerPort'],
    );
  });

  it('rejects Secret data that is not base64', async () => {
    const error = await invalid(
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: not-base64\ndata:\n  password: hunter2!\n  ok: aGk=\n`,
      ['data.password'],
    );
    expect(error.extensions?.causes?.[0].message).toContain('illegal base64 data');
  });

  it('rejects a quantity that does not parse', async () => {
    const error = expectError(
      await applyManifests(
        `apiVersion: v1
kind: Pod
metadata:
  name: bad-quantity
spec:
  containers:
  - name: web
    image: nginx
    resources:
      limits:
        cpu: lots
      requests:
        memory: 64Mi
`,
        'invalid',
      ),
      'INVALID',
    );
    // Reported on the limit itself: `...limits[cpu]` by admission, or `...limits` naming
    // "cpu" when the resource list is checked as the manifest is decoded.
    const causes = error.extensions!.causes!;
    expect(causes.every((c) => c.field.startsWith('spec.containers[0].resources.'))).toBe(true);
    const limit = causes.find((c) => c.field.startsWith('spec.containers[0].resources.limits'));
    expect(limit, JSON.stringify(causes)).toBeDefined();
    expect(`${limit!.field} ${limit!.message}`).toContain('cpu');
    expect(limit!.message).toContain('quantities must match');
    expect(causes.some((c) => c.field.includes('memory') || c.message.includes('memory'))).toBe(false);
    // A Quantity-typed field is checked as the manifest is decoded.
    await invalid(
      `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: bad-hpa-quantity
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  maxReplicas: 3
  metrics:
  - type: Pods
    pods:
      metric: { name: packets-per-second }
      target: { type: AverageValue, averageValue: 1k2 }
`,
      ['spec.metrics[0].pods.target.averageValue'],
    );
  });

  it('rejects a CronJob schedule that does not parse', async () => {
    const cronJob = (name: string, schedule: string) => `apiVersion: batch/v1
kind: CronJob
metadata:
  name: ${name}
spec:
  schedule: "${schedule}"
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{ name: c, image: busybox }]
          restartPolicy: OnFailure
`;
    await invalid(cronJob('bad-schedule', 'every five minutes'), ['spec.schedule']);
    await invalid(cronJob('bad-minute', '61 * * * *'), ['spec.schedule']);
    await invalid(cronJob('six-fields', '0 0 * * * *'), ['spec.schedule']);
    for (const [i, ok] of ['@hourly', '*/15 9-17 * * MON-FRI', '0 0 1 jan,jul *'].entries()) {
      expect((await applyManifests(cronJob(`good-schedule-${i}`, ok), 'invalid')).errors).toBeUndefined();
    }
  });

  it('rejects unknown fields with their exact path', async () => {
    const error = await invalid(
      deployment('typo', '{ app: web }', '{ app: web }', '        imagee: nginx:1.28\n'),
      ['spec.template.spec.containers[0].imagee'],
    );
    expect(error.extensions?.causes?.[0].reason).toBe('UnknownField');
    await invalid(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo2\n  lables: { a: b }\n`, [
      'metadata.lables',
    ]);
    await invalid(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo3\nspec:\n  data: {}\n`, ['spec']);
    await invalid(
      `apiVersion: v1
kind: Service
metadata:
  name: typo4
spec:
  ports:
  - port: 80
  - port: 81
    name: b
    targetport: 8081
`,
      ['spec.ports[1].targetport'],
    );
  });

  it('rejects wrong types and enum values with their path', async () => {
    await invalid(
      deployment('string-replicas', '{ app: web }', '{ app: web }').replace(
        'spec:\n',
        'spec:\n  replicas: three\n',
      ),
      ['spec.replicas'],
    );
    await invalid(
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: bad-type\nspec:\n  type: Magic\n  ports: [{ port: 80 }]\n`,
      ['spec.type'],
    );
  });

  it.each(INVALID_FIELD_CASES)('refuses $what', async ({ manifest, fields, message }) => {
    const error = await invalid(manifest, fields);
    const messages = (error.extensions?.causes ?? []).map((c) => c.message);
    if (message)
      expect(
        messages.some((m) => m.includes(message)),
        JSON.stringify(messages),
      ).toBe(true);
  });

  it.each(INVALID_CASES)('refuses $what', async ({ manifest, fields, message }) => {
    const error = await invalid(manifest, fields);
    if (message) {
      const messages = (error.extensions?.causes ?? []).map((c) => c.message);
      expect(
        messages.some((m) => m.includes(message)),
        JSON.stringify(messages),
      ).toBe(true);
    }
  });

  it('takes any path segment as an RBAC name, as Kubernetes does, but not a slash', async () => {
    const clusterRole = (name: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: "${name}"
rules:
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get"]
`;
    const applied = await applyManifests(clusterRole('system:aggregate-to-monitoring'));
    expect(applied.errors, JSON.stringify(applied.errors)).toBeUndefined();
    const error = await invalid(clusterRole('team/reader'), ['metadata.name']);
    expect(error.extensions?.causes?.[0].message).toContain("may not contain '/'");
  });

  it.each([
    ['extensions/v1beta1', 'Deployment', 'apps/v1'],
    ['apps/v1beta1', 'Deployment', 'apps/v1'],
    ['apps/v1beta2', 'StatefulSet', 'apps/v1'],
    ['extensions/v1beta1', 'DaemonSet', 'apps/v1'],
    ['batch/v1beta1', 'CronJob', 'batch/v1'],
    ['policy/v1beta1', 'PodDisruptionBudget', 'policy/v1'],
    ['networking.k8s.io/v1beta1', 'Ingress', 'networking.k8s.io/v1'],
  ])('answers %s %s with the version to use', async (apiVersion, kind, current) => {
    const manifest = `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: old-${kind.toLowerCase()}\n`;
    const error = expectError(await applyManifests(manifest, 'invalid'), 'BAD_REQUEST');
    expect(error.message).toBe(`no matches for kind "${kind}" in version "${apiVersion}"; use ${current}`);
  });

  it('answers an old manifest by its version before its fields, and writes none of its documents', async () => {
    // extensions/v1beta1's Ingress backend (serviceName, servicePort) is no field of networking.k8s.io/v1.
    const manifests = `apiVersion: v1
kind: ConfigMap
metadata:
  name: before-old-ingress
---
apiVersion: extensions/v1beta1
kind: Ingress
metadata:
  name: old-ingress
spec:
  backend:
    serviceName: testsvc
    servicePort: 80
`;
    const error = expectError(await applyManifests(manifests, 'invalid'), 'BAD_REQUEST');
    expect(error.message).toBe(
      'manifest 2 of 2: no matches for kind "Ingress" in version "extensions/v1beta1"; use networking.k8s.io/v1',
    );
    const cm = await cluster.ok<{ configMap: unknown }>(
      `{ configMap(namespace: "invalid", name: "before-old-ingress") { kind } }`,
    );
    expect(cm.configMap).toBeNull();
  });

  it('answers malformed YAML with BAD_REQUEST and the line', async () => {
    const result = await applyManifests(
      `apiVersion: v1
kind: ConfigMap
metadata:
  name: broken
data:
  a: "1"
    b: "2"
`,
      'invalid',
    );
    const error = expectError(result, 'BAD_REQUEST');
    expect(error.message).toMatch(/line 7\b/);
    const unclosed = expectError(
      await applyManifests(`apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x\n`),
      'BAD_REQUEST',
    );
    expect(unclosed.message).toMatch(/line \d+/);
  });

  it('answers a manifest without kind, or of a kind nobody serves', async () => {
    expectError(await applyManifests(`apiVersion: v1\nmetadata:\n  name: x\n`, 'invalid'), 'INVALID', [
      'kind',
    ]);
    expectError(
      await applyManifests(`apiVersion: v1\nkind: Gadget\nmetadata:\n  name: x\n`, 'invalid'),
      'BAD_REQUEST',
    );
    expectError(await applyManifests(`# nothing here\n`, 'invalid'), 'BAD_REQUEST');
  });

  it('writes all documents of a multi-document apply or none', async () => {
    const manifests = `apiVersion: v1
kind: ConfigMap
metadata:
  name: all-or-none-1
data:
  a: "1"
---
apiVersion: v1
kind: Secret
metadata:
  name: all-or-none-2
data:
  password: "not base64!"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: all-or-none-3
`;
    expectError(await applyManifests(manifests, 'invalid'), 'INVALID', ['data.password']);
    const cms = await cluster.ok<{ configMaps: { items: Array<{ metadata: { name: string } }> } }>(
      `{ configMaps(namespace: "invalid") { items { metadata { name } } } }`,
    );
    expect(cms.configMaps.items.map((i) => i.metadata.name)).not.toContain('all-or-none-1');
    expect(cms.configMaps.items.map((i) => i.metadata.name)).not.toContain('all-or-none-3');
    expect(
      (
        await cluster.ok<{ secret: { kind: string } | null }>(
          `{ secret(namespace: "invalid", name: "all-or-none-2") { kind } }`,
        )
      ).secret,
    ).toBeNull();

    // A shape error in the second document refuses the first too.
    const shape = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: all-or-none-4\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: all-or-none-5\n  colour: red\n`;
    const error = expectError(await applyManifests(shape, 'invalid'), 'INVALID', ['metadata.colour']);
    expect(error.message).toContain('manifest 2 of 2');
    expect(
      (
        await cluster.ok<{ configMap: { kind: string } | null }>(
          `{ configMap(namespace: "invalid", name: "all-or-none-4") { kind } }`,
        )
      ).configMap,
    ).toBeNull();

    // Fixed, the same documents are written together, the Namespace before what it holds.
    const fixed = `apiVersion: v1
kind: Namespace
metadata:
  name: all-or-none
---
${manifests.replace('"not base64!"', 'aHVudGVyMg==').replaceAll('metadata:\n', 'metadata:\n  namespace: all-or-none\n')}`;
    const written = await applyManifests(fixed);
    expect(written.errors, JSON.stringify(written.errors)).toBeUndefined();
    expect(written.data!.apply.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/all-or-none',
      'ConfigMap/all-or-none-1',
      'Secret/all-or-none-2',
      'ConfigMap/all-or-none-3',
    ]);
  });

  it('answers NOT_FOUND for a namespace that does not exist', async () => {
    const cm = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: homeless\n`;
    const error = expectError(await applyManifests(cm, 'no-such-namespace'), 'NOT_FOUND');
    expect(error.message).toContain('no-such-namespace');
    expectError(
      await cluster.gql(
        `mutation { createConfigMap(namespace: "no-such-namespace", configMap: { metadata: { name: "homeless" } }) { kind } }`,
      ),
      'NOT_FOUND',
    );
    expect(
      (
        await cluster.ok<{ configMaps: { items: unknown[] } }>(
          `{ configMaps(namespace: "no-such-namespace") { items { kind } } }`,
        )
      ).configMaps.items,
    ).toEqual([]);
  });

  it('stores nothing on a dry run, but defaults and validates', async () => {
    const listResourceVersion = async () =>
      (
        await cluster.ok<{ configMaps: { metadata: { resourceVersion: string } } }>(
          `{ configMaps { metadata { resourceVersion } } }`,
        )
      ).configMaps.metadata.resourceVersion;
    const dry = await cluster.ok<{ createPod: unknown }>(
      `mutation {
        createPod(namespace: "invalid", dryRun: true, pod: { metadata: { name: "dry-pod" }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } }) {
          metadata { name uid } spec { restartPolicy containers { imagePullPolicy } } status { phase }
        }
      }`,
    );
    expect(dry.createPod).toMatchObject({
      metadata: { name: 'dry-pod' },
      spec: { restartPolicy: 'Always', containers: [{ imagePullPolicy: 'IfNotPresent' }] },
      status: { phase: 'Pending' },
    });
    expect(
      (
        await cluster.ok<{ pod: { kind: string } | null }>(
          `{ pod(namespace: "invalid", name: "dry-pod") { kind } }`,
        )
      ).pod,
    ).toBeNull();

    const before = await listResourceVersion();
    const applied = await applyManifests(
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dry-cm\n`,
      'invalid',
      true,
    );
    expect(applied.errors).toBeUndefined();
    expect(applied.data!.apply[0].metadata.name).toBe('dry-cm');
    expect(
      (
        await cluster.ok<{ configMap: { kind: string } | null }>(
          `{ configMap(namespace: "invalid", name: "dry-cm") { kind } }`,
        )
      ).configMap,
    ).toBeNull();
    const after = await listResourceVersion();
    expect(after).toBe(before);

    expectError(
      await applyManifests(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Dry_Bad\n`, 'invalid', true),
      'INVALID',
      ['metadata.name'],
    );
  });

  it('refuses a replace or delete from a stale resourceVersion with CONFLICT', async () => {
    const created = await cluster.ok<{ createConfigMap: { metadata: { resourceVersion: string } } }>(
      `mutation { createConfigMap(namespace: "invalid", configMap: { metadata: { name: "cas" }, data: { v: "1" } }) { metadata { resourceVersion } } }`,
    );
    const rv = created.createConfigMap.metadata.resourceVersion;
    const replace = (value: string, resourceVersion: string) =>
      cluster.gql(
        `mutation($cm: ConfigMapInput!) { replaceConfigMap(namespace: "invalid", name: "cas", configMap: $cm) { metadata { resourceVersion } data } }`,
        { cm: { metadata: { name: 'cas', resourceVersion }, data: { v: value } } },
      );
    const first = await replace('2', rv);
    expect(first.errors).toBeUndefined();
    const error = expectError(await replace('3', rv), 'CONFLICT');
    expect(error.message).toContain('the object has been modified');
    expectError(
      await cluster.gql(
        `mutation($p: JSON!) { patchConfigMap(namespace: "invalid", name: "cas", patch: $p) { kind } }`,
        { p: { metadata: { resourceVersion: rv }, data: { v: '4' } } },
      ),
      'CONFLICT',
    );
    expectError(
      await cluster.gql(
        `mutation($rv: String) { deleteConfigMap(namespace: "invalid", name: "cas", resourceVersion: $rv) { kind } }`,
        {
          rv,
        },
      ),
      'CONFLICT',
    );
    const current = await cluster.ok<{ configMap: { data: Record<string, string> } }>(
      `{ configMap(namespace: "invalid", name: "cas") { data } }`,
    );
    expect(current.configMap.data).toEqual({ v: '2' });
  });

  it('refuses a replace whose name differs from the one addressed', async () => {
    await cluster.ok(
      `mutation { createConfigMap(namespace: "invalid", configMap: { metadata: { name: "named" } }) { kind } }`,
    );
    expectError(
      await cluster.gql(
        `mutation { replaceConfigMap(namespace: "invalid", name: "named", configMap: { metadata: { name: "other" } }) { kind } }`,
      ),
      'BAD_REQUEST',
    );
  });
});
