import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../schema/kinds/deployment.ts';
import type { NetworkPolicy } from '../../schema/kinds/networkpolicy.ts';
import type { PersistentVolumeClaim } from '../../schema/kinds/persistentvolumeclaim.ts';
import type { ReplicationController } from '../../schema/kinds/replicationcontroller.ts';
import { apiNames } from '../../schema/api-names.ts';
import { clusterPerFile } from '../support/cluster-per-file.ts';
import { FIELD_CASES } from '../support/kind-cases-fields.ts';
import { expectError, inServiceCIDR, kindApi, type Stored } from '../support/kinds.ts';

/** The defaults Kubernetes fills in and what the API allocates: namespaces, NodePorts, cluster IPs. */

const cluster = clusterPerFile();
const { applyManifests, createNamespace } = kindApi(cluster);

/** A NodePort Service's spec, as the NodePort test reads it. */
interface NodePortSpec {
  type: string;
  clusterIP: string;
  externalTrafficPolicy: string;
  ports: Array<{ nodePort: number }>;
}

describe('defaults and allocation', () => {
  it.each(FIELD_CASES)('accepts $what', async ({ kind, name, manifest, select, check, namespaceLabels }) => {
    const namespace = `fields-${kind.toLowerCase()}-${name}`;
    await createNamespace(namespace, namespaceLabels);
    const applied = await applyManifests(manifest, namespace);
    expect(applied.errors, JSON.stringify(applied.errors)).toBeUndefined();
    const { one } = apiNames(kind);
    const read = await cluster.ok<Record<string, Record<string, unknown>>>(
      `query($ns: String!, $n: String!) { obj: ${one}(namespace: $ns, name: $n) { ${select} } }`,
      { ns: namespace, n: name },
    );
    check(read.obj);
  });

  it('has the namespace `default`, Active, and refuses to delete it', async () => {
    const ns = await cluster.ok<{ namespace: unknown }>(
      `{ namespace(name: "default") { metadata { name } status { phase } } }`,
    );
    expect(ns.namespace).toEqual({ metadata: { name: 'default' }, status: { phase: 'Active' } });
    const result = await cluster.gql(`mutation { deleteNamespace(name: "default") { kind } }`);
    expectError(result, 'FORBIDDEN');
    const still = await cluster.ok<{ namespace: unknown }>(
      `{ namespace(name: "default") { metadata { deletionTimestamp } status { phase } } }`,
    );
    expect(still.namespace).toEqual({ metadata: { deletionTimestamp: null }, status: { phase: 'Active' } });
  });

  it('puts objects that name no namespace into `default`', async () => {
    const result = await applyManifests(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: defaults-cm\n`);
    expect(result.data!.apply[0].metadata.namespace).toBe('default');
    const cm = await cluster.ok<{ configMap: { metadata: { namespace: string } } }>(
      `{ configMap(name: "defaults-cm") { metadata { namespace } } }`,
    );
    expect(cm.configMap.metadata.namespace).toBe('default');
  });

  it('creates a Deployment from a typed GraphQL input object', async () => {
    await createNamespace('typed');
    const deployment = {
      metadata: { name: 'typed-web', labels: { app: 'typed-web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'typed-web' } },
        template: {
          metadata: { labels: { app: 'typed-web' } },
          spec: {
            containers: [
              {
                name: 'web',
                image: 'nginx:1.27',
                ports: [{ containerPort: 80, name: 'http' }],
                resources: { requests: { cpu: '250m', memory: '64Mi' } },
                readinessProbe: { httpGet: { port: 'http' } },
              },
            ],
          },
        },
        strategy: { rollingUpdate: { maxSurge: 1 } },
      },
    };
    const result = await cluster.ok<{ createDeployment: Stored<Deployment> }>(
      `mutation($d: DeploymentInput!) {
        createDeployment(namespace: "typed", deployment: $d) {
          apiVersion kind metadata { name namespace generation uid }
          spec {
            replicas revisionHistoryLimit progressDeadlineSeconds
            strategy { type rollingUpdate { maxSurge maxUnavailable } }
            template { spec { restartPolicy containers {
              imagePullPolicy resources { requests }
              readinessProbe { periodSeconds timeoutSeconds successThreshold failureThreshold httpGet { path port scheme } }
            } } }
          }
        }
      }`,
      { d: deployment },
    );
    const d = result.createDeployment;
    expect(d.apiVersion).toBe('apps/v1');
    expect(d.kind).toBe('Deployment');
    expect(d.metadata).toMatchObject({ name: 'typed-web', namespace: 'typed', generation: 1 });
    expect(d.spec?.replicas).toBe(2);
    expect(d.spec?.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' },
    });
    expect(d.spec?.revisionHistoryLimit).toBe(10);
    expect(d.spec?.progressDeadlineSeconds).toBe(600);
    const container = d.spec?.template.spec?.containers[0];
    expect(container?.imagePullPolicy).toBe('IfNotPresent');
    expect(container?.readinessProbe).toEqual({
      periodSeconds: 10,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
      httpGet: { path: '/', port: 'http', scheme: 'HTTP' },
    });
    const read = await cluster.ok<{ deployment: { metadata: { uid: string } } }>(
      `{ deployment(namespace: "typed", name: "typed-web") { metadata { uid } } }`,
    );
    expect(read.deployment.metadata.uid).toBe(d.metadata.uid);

    const again = await cluster.gql(
      `mutation($d: DeploymentInput!) { createDeployment(namespace: "typed", deployment: $d) { kind } }`,
      { d: deployment },
    );
    expectError(again, 'ALREADY_EXISTS');
  });

  it('scales a Deployment through scaleDeployment, bumping its generation', async () => {
    await createNamespace('scale');
    await applyManifests(
      `apiVersion: apps/v1
kind: Deployment
metadata:
  name: scaled
spec:
  selector: { matchLabels: { app: scaled } }
  template:
    metadata: { labels: { app: scaled } }
    spec:
      containers: [{ name: c, image: busybox }]
`,
      'scale',
    );
    const result = await cluster.ok<{ scaleDeployment: unknown }>(
      `mutation { scaleDeployment(namespace: "scale", name: "scaled", replicas: 4) { metadata { generation } spec { replicas } } }`,
    );
    expect(result.scaleDeployment).toEqual({ metadata: { generation: 2 }, spec: { replicas: 4 } });
    const negative = await cluster.gql(
      `mutation { scaleDeployment(namespace: "scale", name: "scaled", replicas: -1) { kind } }`,
    );
    expectError(negative, 'INVALID', ['spec.replicas']);
  });

  it('allocates distinct NodePorts in 30000-32767 and refuses one already allocated', async () => {
    await createNamespace('nodeports');
    const service = (name: string, nodePort?: number) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  type: NodePort
  selector:
    app: ${name}
  ports:
  - port: 80
    targetPort: 8080
${nodePort ? `    nodePort: ${nodePort}\n` : ''}`;
    const read = async (name: string) =>
      (
        await cluster.ok<{ service: { spec: NodePortSpec } }>(
          `query($n: String!) { service(namespace: "nodeports", name: $n) { spec { type clusterIP externalTrafficPolicy ports { nodePort } } } }`,
          { n: name },
        )
      ).service.spec;

    // Several in one apply (one commit) and several in separate ones.
    const together = Array.from({ length: 5 }, (_, i) => service(`np-${i}`)).join('---\n');
    expect((await applyManifests(together, 'nodeports')).errors).toBeUndefined();
    for (const i of [5, 6, 7])
      expect((await applyManifests(service(`np-${i}`), 'nodeports')).errors).toBeUndefined();

    const ports: number[] = [];
    for (let i = 0; i < 8; i++) {
      const spec = await read(`np-${i}`);
      expect(spec.type).toBe('NodePort');
      expect(spec.externalTrafficPolicy).toBe('Cluster');
      expect(inServiceCIDR(spec.clusterIP)).toBe(true);
      ports.push(spec.ports[0].nodePort);
    }
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(30000);
      expect(port).toBeLessThanOrEqual(32767);
    }
    expect(new Set(ports).size).toBe(ports.length);

    // Applying again keeps the allocated port.
    await applyManifests(service('np-0'), 'nodeports');
    expect((await read('np-0')).ports[0].nodePort).toBe(ports[0]);

    const taken = await applyManifests(service('np-taken', ports[3]), 'nodeports');
    const error = expectError(taken, 'INVALID', ['spec.ports[0].nodePort']);
    expect(error.message).toContain('already allocated');
    expect(
      (
        await cluster.ok<{ service: { kind: string } | null }>(
          `{ service(namespace: "nodeports", name: "np-taken") { kind } }`,
        )
      ).service,
    ).toBeNull();

    const outOfRange = await applyManifests(service('np-range', 8080), 'nodeports');
    expectError(outOfRange, 'INVALID', ['spec.ports[0].nodePort']);

    // A port that is free may be asked for by hand.
    const free = [30001, 30002, 30003].find((p) => !ports.includes(p))!;
    expect((await applyManifests(service('np-manual', free), 'nodeports')).errors).toBeUndefined();
    expect((await read('np-manual')).ports[0].nodePort).toBe(free);
  });

  it('gives every Service its own clusterIP and refuses a taken one', async () => {
    await createNamespace('clusterips');
    const svc = (name: string, ip?: string) =>
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  ports: [{ port: 80 }]\n${ip ? `  clusterIP: ${ip}\n` : ''}`;
    await applyManifests([1, 2, 3, 4].map((i) => svc(`ip-${i}`)).join('---\n'), 'clusterips');
    const items = (
      await cluster.ok<{ services: { items: Array<{ spec: { clusterIP: string } }> } }>(
        `{ services(namespace: "clusterips") { items { spec { clusterIP } } } }`,
      )
    ).services.items;
    const ips = items.map((s) => s.spec.clusterIP);
    expect(ips).toHaveLength(4);
    expect(new Set(ips).size).toBe(4);
    for (const ip of ips) expect(inServiceCIDR(ip)).toBe(true);
    expectError(await applyManifests(svc('ip-taken', ips[0]), 'clusterips'), 'INVALID', ['spec.clusterIP']);
    expectError(await applyManifests(svc('ip-outside', '192.168.0.1'), 'clusterips'), 'INVALID', [
      'spec.clusterIP',
    ]);
    const headless = await applyManifests(svc('ip-none', 'None'), 'clusterips');
    expect(headless.errors).toBeUndefined();
  });

  it("defaults a ReplicationController's selector and labels from its template, as Kubernetes does", async () => {
    await createNamespace('rc-defaults');
    const rc = (name: string, selector = '') => `apiVersion: v1
kind: ReplicationController
metadata:
  name: ${name}
spec:
${selector}  template:
    metadata:
      labels: { app: nginx, tier: web }
    spec:
      containers: [{ name: nginx, image: nginx:1.27 }]
`;
    await applyManifests(
      rc('defaulted') + '---\n' + rc('chosen', '  selector: { app: nginx }\n'),
      'rc-defaults',
    );
    const read = async (name: string) =>
      (
        await cluster.ok<{ replicationController: Stored<ReplicationController> }>(
          `query($n: String!) { replicationController(namespace: "rc-defaults", name: $n) {
            apiVersion kind metadata { name labels } spec { replicas selector }
          } }`,
          { n: name },
        )
      ).replicationController;
    expect(await read('defaulted')).toMatchObject({
      apiVersion: 'v1',
      metadata: { labels: { app: 'nginx', tier: 'web' } },
      spec: { replicas: 1, selector: { app: 'nginx', tier: 'web' } },
    });
    expect((await read('chosen')).spec?.selector).toEqual({ app: 'nginx' });
  });

  it('defaults the policy types of a NetworkPolicy by its rules', async () => {
    await createNamespace('netpol-defaults');
    const policy = (name: string, body: string) =>
      `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\nspec:\n${body}`;
    const applied = await applyManifests(
      [
        // Kubernetes' "default deny all ingress traffic".
        policy('default-deny-ingress', '  podSelector: {}\n'),
        policy(
          'allow-dns-out',
          '  podSelector: {}\n  egress:\n  - ports:\n    - port: 53\n      protocol: UDP\n',
        ),
        policy('default-deny-egress', '  podSelector: {}\n  policyTypes: [Egress]\n'),
      ].join('---\n'),
      'netpol-defaults',
    );
    expect(applied.errors, JSON.stringify(applied.errors)).toBeUndefined();
    const { networkPolicies } = await cluster.ok<{
      networkPolicies: { items: Array<Stored<NetworkPolicy>> };
    }>(
      `{ networkPolicies(namespace: "netpol-defaults") { items { metadata { name } spec { policyTypes } } } }`,
    );
    const types = Object.fromEntries(
      networkPolicies.items.map((np) => [np.metadata.name, np.spec?.policyTypes]),
    );
    expect(types).toEqual({
      'default-deny-ingress': ['Ingress'],
      'allow-dns-out': ['Ingress', 'Egress'],
      'default-deny-egress': ['Egress'],
    });
  });

  it('starts a claim Pending and then leaves its status to whoever binds it', async () => {
    await createNamespace('claims');
    await applyManifests(
      `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 1Gi } }
`,
      'claims',
    );
    const read = async () =>
      (
        await cluster.ok<{ persistentVolumeClaim: Stored<PersistentVolumeClaim> }>(
          `{ persistentVolumeClaim(namespace: "claims", name: "data") { spec { volumeMode } status { phase capacity } } }`,
        )
      ).persistentVolumeClaim;
    expect(await read()).toEqual({
      spec: { volumeMode: 'Filesystem' },
      status: { phase: 'Pending', capacity: null },
    });
    await cluster.ok(
      `mutation { updatePersistentVolumeClaimStatus(namespace: "claims", name: "data",
        status: { phase: Bound, capacity: { storage: "1Gi" } }) { kind } }`,
    );
    await cluster.ok(
      `mutation { patchPersistentVolumeClaim(namespace: "claims", name: "data", patch: { metadata: { labels: { app: "db" } } }) { kind } }`,
    );
    expect((await read()).status).toEqual({ phase: 'Bound', capacity: { storage: '1Gi' } });
  });
});
