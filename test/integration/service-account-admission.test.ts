import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControllers, type ControllerManager } from '../../agent/controllers/manager.ts';
import { rootCaPublisher } from '../../agent/controllers/root-ca-publisher.ts';
import { serviceAccountController } from '../../agent/controllers/service-account.ts';
import { createClient, isCode, messageOf, type KubeqlClient, type Resource } from '../../client/index.ts';
import { controllerCluster, until } from '../support/controller-cluster.ts';
import { startCluster, type TestCluster, type Untyped } from '../support/harness.ts';

/**
 * Pods and their API access, as Kubernetes' ServiceAccount admission plugin, root CA
 * publisher and API server's `kubernetes` Service set it up.
 */

const MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

describe('ServiceAccount admission', () => {
  const env = controllerCluster([serviceAccountController, rootCaPublisher]);
  let n = 0;
  const namespace = async () => {
    const name = `sa-adm-${++n}`;
    await env.writer.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    await until(() => env.client.get('ServiceAccount', 'default', name), { what: `default in ${name}` });
    return name;
  };
  const pod = (name: string, ns: string, spec: Record<string, unknown> = {}): Resource =>
    ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns },
      spec: { containers: [{ name: 'app', image: 'kubeql/busybox:stable' }], ...spec },
    }) as Resource;
  const createPod = async (manifest: Resource): Promise<Untyped> => env.writer.create(manifest);

  it('runs a pod as default and mounts its API access volume as Kubernetes writes it', async () => {
    const ns = await namespace();
    const created = await createPod(
      pod('p', ns, {
        initContainers: [{ name: 'init', image: 'kubeql/busybox:stable' }],
        containers: [
          { name: 'app', image: 'kubeql/busybox:stable' },
          {
            name: 'own',
            image: 'kubeql/busybox:stable',
            volumeMounts: [{ name: 'mine', mountPath: MOUNT_PATH }],
          },
        ],
        volumes: [{ name: 'mine', emptyDir: {} }],
      }),
    );
    expect(created.spec.serviceAccountName).toBe('default');
    expect(created.spec.serviceAccount).toBe('default');
    const [own, access] = created.spec.volumes;
    expect(own.name).toBe('mine');
    expect(access.name).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(access).toEqual({
      name: access.name,
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
          { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
          {
            downwardAPI: {
              items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }],
            },
          },
        ],
      },
    });
    const mount = { name: access.name, readOnly: true, mountPath: MOUNT_PATH };
    expect(created.spec.initContainers[0].volumeMounts).toEqual([mount]);
    expect(created.spec.containers[0].volumeMounts).toEqual([mount]);
    // A container with its own mount at the path keeps it alone.
    expect(created.spec.containers[1].volumeMounts).toEqual([{ name: 'mine', mountPath: MOUNT_PATH }]);
  });

  it('mounts nothing when the pod or, failing that, its ServiceAccount says no', async () => {
    const ns = await namespace();
    await env.writer.create({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'quiet', namespace: ns },
      automountServiceAccountToken: false,
    } as Resource);
    const byPod: Untyped = await createPod(pod('by-pod', ns, { automountServiceAccountToken: false }));
    expect(byPod.spec.volumes).toBeUndefined();
    expect(byPod.spec.containers[0].volumeMounts).toBeUndefined();
    const byAccount: Untyped = await createPod(pod('by-account', ns, { serviceAccountName: 'quiet' }));
    expect(byAccount.spec.volumes).toBeUndefined();
    // The pod's own choice wins over its ServiceAccount's.
    const podWins: Untyped = await createPod(
      pod('pod-wins', ns, { serviceAccountName: 'quiet', automountServiceAccountToken: true }),
    );
    expect(podWins.spec.volumes.map((v: { name: string }) => v.name)).toEqual([
      expect.stringMatching(/^kube-api-access-/),
    ]);
  });

  it('refuses a pod naming a ServiceAccount that does not exist, as Kubernetes words it', async () => {
    const ns = await namespace();
    const refused = await createPod(pod('lost', ns, { serviceAccountName: 'nobody' })).catch((e) => e);
    expect(isCode(refused, 'FORBIDDEN')).toBe(true);
    expect(messageOf(refused)).toBe(
      `pods "lost" is forbidden: error looking up service account ${ns}/nobody: serviceaccount "nobody" not found`,
    );
  });

  it("copies the ServiceAccount's imagePullSecrets to a pod that has none", async () => {
    const ns = await namespace();
    await env.writer.create({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'puller', namespace: ns },
      imagePullSecrets: [{ name: 'registry' }],
    } as Resource);
    const created: Untyped = await createPod(pod('p', ns, { serviceAccountName: 'puller' }));
    expect(created.spec.imagePullSecrets).toEqual([{ name: 'registry' }]);
  });

  it('keeps what it set, and the node, when the same manifest is applied again', async () => {
    const ns = await namespace();
    const manifest = pod('again', ns);
    const apply = () =>
      env.client.request<{ apply: { manifest: Untyped }[] }>(
        'mutation($m: String!) { apply(manifests: $m) { manifest } }',
        { m: JSON.stringify(manifest) },
      );
    const [{ manifest: created }] = (await apply()).apply;
    await env.writer.bind(ns, 'again', 'node-a');
    const bound: Untyped = await env.client.get('Pod', 'again', ns);
    const [{ manifest: again }] = (await apply()).apply;
    expect(again.metadata.resourceVersion).toBe(bound.metadata.resourceVersion);
    expect(again.spec.nodeName).toBe('node-a');
    expect(again.spec.serviceAccountName).toBe('default');
    expect(again.spec.volumes).toEqual(created.spec.volumes);
    expect(again.spec.containers[0].volumeMounts).toEqual(created.spec.containers[0].volumeMounts);
  });

  it('leaves pod templates alone: their pods are admitted instead', async () => {
    const ns = await namespace();
    const rs: Untyped = await env.writer.create({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'rs', namespace: ns },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'rs' } },
        template: {
          metadata: { labels: { app: 'rs' } },
          spec: { containers: [{ name: 'app', image: 'kubeql/busybox:stable' }] },
        },
      },
    } as Resource);
    expect(rs.spec.template.spec.volumes).toBeUndefined();
    expect(rs.spec.template.spec.serviceAccountName).toBeUndefined();
  });
});

describe('the cluster CA and the kubernetes Service', () => {
  const env = controllerCluster([serviceAccountController, rootCaPublisher]);

  it('publishes kube-root-ca.crt in every namespace, and puts it back when edited', async () => {
    const info: Untyped = await env.client.get('ConfigMap', 'cluster-info', 'kube-public');
    expect(info.data.kubeconfig).toContain(`server: http://127.0.0.1:${env.cluster.server.port}`);
    await env.writer.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ca-new' } });
    for (const ns of ['default', 'kube-system', 'kube-public', 'ca-new']) {
      const cm: Untyped = await until(() => env.client.get('ConfigMap', 'kube-root-ca.crt', ns), {
        what: `kube-root-ca.crt in ${ns}`,
      });
      // Over plain HTTP the server has no CA: the key is there, empty.
      expect(cm.data).toEqual({ 'ca.crt': '' });
      expect(cm.metadata.annotations['kubernetes.io/description']).toMatch(/^Contains a CA bundle/);
    }
    const cm: Untyped = await env.client.get('ConfigMap', 'kube-root-ca.crt', 'ca-new');
    await env.writer.replace({ ...cm, data: { 'ca.crt': 'tampered' } });
    await until(
      async () => {
        const now: Untyped = await env.client.get('ConfigMap', 'kube-root-ca.crt', 'ca-new');
        return now.data['ca.crt'] === '' ? now : undefined;
      },
      { what: 'the CA put back' },
    );
  });

  it('serves the API as the kubernetes Service in default, its endpoints at the server', async () => {
    const port = env.cluster.server.port;
    const svc: Untyped = await env.client.get('Service', 'kubernetes', 'default');
    expect(svc.metadata.labels).toEqual({ component: 'apiserver', provider: 'kubernetes' });
    expect(svc.spec.clusterIP).toBe('10.96.0.1');
    expect(svc.spec.selector).toBeUndefined();
    expect(svc.spec.ports).toEqual([{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }]);
    const ep: Untyped = await env.client.get('Endpoints', 'kubernetes', 'default');
    expect(ep.subsets).toEqual([
      { addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port, protocol: 'TCP' }] },
    ]);
    const slice: Untyped = await env.client.get('EndpointSlice', 'kubernetes', 'default');
    expect(slice.endpoints).toEqual([{ addresses: ['127.0.0.1'], conditions: { ready: true } }]);
    expect(slice.ports).toEqual([{ name: 'https', port, protocol: 'TCP' }]);
  });

  it('moves the endpoints when the server comes back on another port', async () => {
    const before = env.cluster.server.port;
    await env.cluster.restart();
    const after = env.cluster.server.port;
    const ep: Untyped = await env.cluster.ok(
      `{ endpoints(namespace: "default", name: "kubernetes") { subsets { ports { port } } } }`,
    );
    expect(after).not.toBe(before);
    expect(ep.endpoints.subsets[0].ports[0].port).toBe(after);
  });
});

describe('the cluster CA over TLS', () => {
  let cluster: TestCluster;
  let client: KubeqlClient;
  let manager: ControllerManager;
  beforeAll(async () => {
    cluster = await startCluster({ tls: { serve: true } });
    client = createClient({ url: cluster.url, token: cluster.token, ca: cluster.server.ca });
    manager = startControllers(client, [rootCaPublisher], { log: () => {} });
    await manager.synced;
  });
  afterAll(async () => {
    await manager?.stop();
    await client?.close();
    await cluster?.stop();
  });

  it("is the serving certificate's CA, in cluster-info and in every kube-root-ca.crt", async () => {
    const ca = cluster.server.ca!;
    expect(ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const info: Untyped = await client.get('ConfigMap', 'cluster-info', 'kube-public');
    expect(info.data.kubeconfig).toContain(
      `certificate-authority-data: ${Buffer.from(ca).toString('base64')}`,
    );
    expect(info.data.kubeconfig).toContain(`server: https://127.0.0.1:${cluster.server.port}`);
    const cm: Untyped = await until(() => client.get('ConfigMap', 'kube-root-ca.crt', 'default'), {
      what: 'kube-root-ca.crt',
    });
    expect(cm.data['ca.crt']).toBe(ca);
  });

  it('serves a certificate that pods verify by the names and address of the kubernetes Service', async () => {
    const raw = await new Promise<Buffer>((resolve, reject) => {
      const socket = tls.connect(
        { host: '127.0.0.1', port: cluster.server.port, ca: cluster.server.ca },
        () => {
          resolve(socket.getPeerCertificate().raw);
          socket.end();
        },
      );
      socket.on('error', reject);
    });
    const cert = new X509Certificate(raw);
    expect(cert.verify(new X509Certificate(cluster.server.ca!).publicKey)).toBe(true);
    expect(cert.checkHost('kubernetes.default.svc')).toBe('kubernetes.default.svc');
    expect(cert.checkHost('kubernetes.default.svc.cluster.local')).toBe(
      'kubernetes.default.svc.cluster.local',
    );
    expect(cert.checkIP('10.96.0.1')).toBe('10.96.0.1');
  });
});

describe('pod-bound ServiceAccount tokens', () => {
  const env = controllerCluster([serviceAccountController]);
  const rest = (path: string, token: string, init: RequestInit = {}) =>
    fetch(new URL(path, env.cluster.url), {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
  const tokenFor = async (body: unknown) => {
    const res = await rest('/api/v1/namespaces/default/serviceaccounts/default/token', env.cluster.token, {
      method: 'POST',
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: body }),
    });
    return { status: res.status, body: (await res.json()) as Untyped };
  };
  const whoami = async (token: string) =>
    (
      await rest('/apis/authentication.k8s.io/v1/selfsubjectreviews', token, {
        method: 'POST',
        body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
      })
    ).status;

  it('works while its pod exists and stops when the pod is deleted', async () => {
    await until(() => env.client.get('ServiceAccount', 'default', 'default'), { what: 'default' });
    const created: Untyped = await env.writer.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'bound', namespace: 'default' },
      spec: { containers: [{ name: 'app', image: 'kubeql/busybox:stable' }] },
    } as Resource);
    const issued = await tokenFor({
      expirationSeconds: 3607,
      boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'bound', uid: created.metadata.uid },
    });
    expect(issued.status).toBe(201);
    expect(issued.body.spec.boundObjectRef).toMatchObject({ kind: 'Pod', name: 'bound' });
    const token = issued.body.status.token;
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(claims['kubernetes.io'].pod).toEqual({ name: 'bound', uid: created.metadata.uid });
    expect(await whoami(token)).toBe(201);
    // Unscheduled, the pod goes at once.
    await env.writer.delete('Pod', 'bound', 'default');
    await until(async () => ((await env.client.get('Pod', 'bound', 'default')) ? undefined : true), {
      what: 'the pod gone',
    });
    expect(await whoami(token)).toBe(401);
  });

  it('refuses to bind to a pod that is not there or is another one of the same name', async () => {
    const missing = await tokenFor({ boundObjectRef: { kind: 'Pod', name: 'nowhere' } });
    expect(missing.status).toBe(404);
    await env.writer.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'other', namespace: 'default' },
      spec: { containers: [{ name: 'app', image: 'kubeql/busybox:stable' }] },
    } as Resource);
    const stale = await tokenFor({ boundObjectRef: { kind: 'Pod', name: 'other', uid: 'not-its-uid' } });
    expect(stale.status).toBe(409);
  });

  it('accepts at the API only tokens for its own audience', async () => {
    const elsewhere = await tokenFor({ audiences: ['vault'] });
    expect(elsewhere.body.spec.audiences).toEqual(['vault']);
    expect(await whoami(elsewhere.body.status.token)).toBe(401);
  });
});
