import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodObject } from '../../agent/objects.ts';
import type { Resource } from '../../client/index.ts';
import { execIn, startDockerCluster, type DockerCluster } from '../support/docker.ts';
import { waitFor } from '../support/wait.ts';

// An app in a pod calls the API as its ServiceAccount: the node writes the pod's bound
// token, the cluster CA and its namespace at the path Kubernetes uses, and the pod reaches
// the API server through the `kubernetes` Service (ClusterIP 10.96.0.1:443, through the
// node's service proxy to the server's port) with what RBAC grants that account. The
// server speaks plain HTTP here (the loopback default), so ca.crt is empty and the pod
// calls http:// on port 443: busybox's TLS client cannot talk to the server's P-256
// certificate. The CA's content over TLS is checked in service-account-admission.test.ts.

const BUSYBOX = 'kubeql/busybox:stable';
const NS = 'sa-pods';
const DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

describe('ServiceAccount tokens in pods on Docker', () => {
  let c: DockerCluster;

  const sleeper = (name: string, spec: Record<string, unknown> = {}) =>
    ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: NS },
      spec: {
        terminationGracePeriodSeconds: 0,
        containers: [{ name: 'app', image: BUSYBOX, command: ['sleep', '3600'] }],
        ...spec,
      },
    }) as Resource;
  const running = (name: string) =>
    waitFor(
      async () => {
        const pod = await c.client.get<PodObject>('Pod', name, NS);
        return pod?.status?.phase === 'Running' ? pod : undefined;
      },
      { ms: 60_000, what: `pod ${name} running` },
    );
  const sh = (pod: string, script: string) => execIn(c.client, NS, pod, ['sh', '-c', script]);
  /** GETs an API path from inside the pod with its own token; the body, or wget's error. */
  const apiGet = (pod: string, path: string) =>
    sh(
      pod,
      `wget -q -O- --header "Authorization: Bearer $(cat ${DIR}/token)" ` +
        `"http://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT${path}" 2>&1`,
    );

  beforeAll(async () => {
    c = await startDockerCluster();
    await c.writer.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await c.writer.create({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'reader', namespace: NS },
    });
    await c.writer.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'pod-reader', namespace: NS },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
    } as Resource);
    await c.writer.create({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'reader-reads-pods', namespace: NS },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: NS }],
    } as Resource);
  }, 120_000);
  afterAll(async () => {
    await c?.stop();
  }, 60_000);

  it("reads its token, the cluster CA and its namespace, and calls the API with its account's grants", async () => {
    await c.writer.create(sleeper('client', { serviceAccountName: 'reader' }));
    await running('client');

    const files = await sh('client', `cat ${DIR}/namespace; echo; wc -c < ${DIR}/ca.crt; ls -l ${DIR}/`);
    expect(files.exitCode).toBe(0);
    expect(files.stdout.split('\n').slice(0, 2)).toEqual([NS, '0']);
    for (const name of ['token', 'ca.crt', 'namespace']) expect(files.stdout).toContain(`${name} ->`);

    const token = (await sh('client', `cat ${DIR}/token`)).stdout;
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(claims.sub).toBe(`system:serviceaccount:${NS}:reader`);
    expect(claims['kubernetes.io'].pod.name).toBe('client');
    expect(claims.exp - claims.iat).toBe(3607);

    const env = await sh('client', 'echo $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT');
    expect(env.stdout.trim()).toBe('10.96.0.1:443');

    const listed = await apiGet('client', `/api/v1/namespaces/${NS}/pods`);
    expect(listed.exitCode, listed.stdout).toBe(0);
    const list = JSON.parse(listed.stdout);
    expect(list.kind).toBe('PodList');
    expect(list.items.map((p: PodObject) => p.metadata.name)).toContain('client');

    const secrets = await apiGet('client', `/api/v1/namespaces/${NS}/secrets`);
    expect(secrets.exitCode).not.toBe(0);
    expect(secrets.stdout).toContain('403 Forbidden');
    const elsewhere = await apiGet('client', '/api/v1/namespaces/default/pods');
    expect(elsewhere.stdout).toContain('403 Forbidden');
  }, 120_000);

  it('mounts nothing when the pod turns automounting off', async () => {
    await c.writer.create(sleeper('quiet', { automountServiceAccountToken: false }));
    await running('quiet');
    const look = await sh('quiet', `ls ${DIR} 2>&1; echo $KUBERNETES_SERVICE_HOST`);
    expect(look.stdout).toContain('No such file or directory');
    // The Service's variables are there all the same: only the credentials are missing.
    expect(look.stdout).toContain('10.96.0.1');
  }, 120_000);
});
