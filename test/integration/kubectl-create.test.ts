import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type KubeqlClient } from '../../client/index.ts';
import { startCluster, type TestCluster, type Untyped } from '../support/harness.ts';
import { kubectlBinaries, runKubectl } from '../support/kubectl-binaries.ts';
import { kubectlHome } from '../support/kubectl.ts';
import { KUBECTL_BODIES } from '../support/protobuf-kubectl-bodies.ts';

// kubectl's `create` generators send their objects as application/vnd.kubernetes.protobuf
// and never fall back to JSON; the server decodes them (server/rest/protobuf/) and answers
// in JSON. Each generator runs on every kubectl version, and the stored object must hold
// what kubectl meant to send: what `--dry-run=client -o json` prints for the same command.

const BINARIES = kubectlBinaries('kubectl-create');
const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/** The object without what JSON writes for unset: nulls and empty objects. */
function meaningful(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(meaningful);
  if (value === null || typeof value !== 'object') return value;
  const kept = Object.entries(value)
    .map(([key, inner]) => [key, meaningful(inner)] as const)
    .filter(
      ([, inner]) =>
        inner !== null && !(typeof inner === 'object' && !Array.isArray(inner) && !Object.keys(inner).length),
    );
  return Object.fromEntries(kept);
}

const base64 = (text: string) => Buffer.from(text).toString('base64');

describe('protobuf bodies over plain HTTP', () => {
  let cluster: TestCluster;
  let origin: string;
  const post = (url: string, body: Buffer, method = 'POST') =>
    fetch(`${origin}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${cluster.token}`,
        'content-type': PROTOBUF,
        accept: `${PROTOBUF}, application/json`,
      },
      body: new Uint8Array(body),
    });

  beforeAll(async () => {
    cluster = await startCluster();
    origin = new URL(cluster.url).origin;
    await cluster.ok(`mutation($m: String!) { apply(manifests: $m) { kind } }`, {
      m: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: fixtures }\n',
    });
  });
  afterAll(() => cluster?.stop());

  it('creates what kubectl sent, answering in JSON', async () => {
    for (const body of KUBECTL_BODIES) {
      const sent = body.json as Untyped;
      const plural = {
        Secret: 'secrets',
        Ingress: 'ingresses',
        PodDisruptionBudget: 'poddisruptionbudgets',
        ResourceQuota: 'resourcequotas',
      }[sent.kind as string];
      const prefix = sent.apiVersion === 'v1' ? '/api/v1' : `/apis/${sent.apiVersion}`;
      const res = await post(`${prefix}/namespaces/fixtures/${plural}`, Buffer.from(body.hex, 'hex'));
      expect(res.status, body.command).toBe(201);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const created = await res.json();
      expect(created).toMatchObject(meaningful(sent) as object);
      expect(created.metadata.uid).toBeTruthy();
    }
  });

  it('replaces with a protobuf PUT', async () => {
    const secret = Buffer.from(
      KUBECTL_BODIES.find((body) => (body.json as Untyped).kind === 'Secret')!.hex,
      'hex',
    );
    const res = await post('/api/v1/namespaces/fixtures/secrets/creds', secret, 'PUT');
    expect(res.status).toBe(200);
    expect((await res.json()).data).toEqual({ user: base64('admin'), password: base64('s3cr3t!') });
  });

  it('answers an undecodable body with 400, and another media type with 415 naming protobuf', async () => {
    const truncated = await post(
      '/api/v1/namespaces/fixtures/secrets',
      Buffer.from(KUBECTL_BODIES[0].hex.slice(0, 60), 'hex'),
    );
    expect(truncated.status).toBe(400);
    expect(await truncated.json()).toMatchObject({
      kind: 'Status',
      reason: 'BadRequest',
      message: 'the protobuf body of the Secret could not be decoded: truncated protobuf field',
    });

    const json = await post('/api/v1/namespaces/fixtures/secrets', Buffer.from('{"kind":"Secret"}'));
    expect(json.status).toBe(400);
    expect((await json.json()).message).toBe(
      'the protobuf body of the Secret does not start with the Kubernetes envelope',
    );

    const other = await fetch(`${origin}/api/v1/namespaces/fixtures/secrets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cluster.token}`, 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(other.status).toBe(415);
    expect((await other.json()).message).toContain(PROTOBUF);
  });
});

describe.skipIf(!Object.values(BINARIES).some(Boolean))('kubectl create', () => {
  let cluster: TestCluster;
  let env: { home: string; kubeconfig: string };
  let api: KubeqlClient;

  beforeAll(async () => {
    // kubectl sends its token only over TLS.
    cluster = await startCluster({ tls: { serve: true } });
    env = await kubectlHome(cluster, 'kubectl-create');
    api = createClient({ url: cluster.url, token: cluster.token, ca: cluster.server.ca });
  });

  afterAll(async () => {
    await api?.close();
    await cluster?.stop();
    if (env) fs.rmSync(env.home, { recursive: true, force: true });
  });

  for (const [version, binary] of Object.entries(BINARIES)) {
    describe.skipIf(!binary)(`kubectl ${version}`, () => {
      const suffix = version.replace('.', '');
      const ns = `create-${suffix}`;
      /** Flags go before a `--`, after which come the container's command and arguments. */
      const kubectl = (...args: string[]) => {
        const end = args.includes('--') ? args.indexOf('--') : args.length;
        return runKubectl(binary!, [...args.slice(0, end), '-n', ns, ...args.slice(end)], env);
      };
      const file = (name: string, content: string | Buffer) => {
        const at = path.join(env.home, `${suffix}-${name}`);
        fs.writeFileSync(at, content);
        return at;
      };

      /**
       * Runs a generator for real and as a client dry run: it must say it created the object,
       * and the stored object must hold everything kubectl meant to send.
       */
      async function created(kind: string, name: string, ...args: string[]): Promise<Untyped> {
        const intended = await kubectl('create', '--dry-run=client', '-o', 'json', ...args);
        expect(intended.stderr).toBe('');
        const run = await kubectl('create', ...args);
        expect(run.stderr).toBe('');
        expect(run.stdout).toMatch(new RegExp(`/${name} created\\n$`));
        const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(kind);
        const stored = await api.get(kind, name, clusterScoped ? undefined : ns);
        // The status is the server's to write (a generator's is empty, or zeros).
        const { status: _status, ...sent } = JSON.parse(intended.stdout);
        expect(stored).toMatchObject(meaningful(sent) as object);
        return stored;
      }

      beforeAll(async () => {
        const run = await kubectl('create', 'namespace', ns, '-v=8');
        expect(run.code, run.stderr).toBe(0);
        // The request really went as protobuf, and kubectl read the JSON answer.
        expect(run.stderr).toMatch(/Content-Type: application\/vnd\.kubernetes\.protobuf/);
        expect(run.stdout).toBe(`namespace/${ns} created\n`);
      });

      it('create namespace', async () => {
        expect((await api.get('Namespace', ns))?.metadata.name).toBe(ns);
      });

      it('create configmap from literals and a file', async () => {
        const conf = file('app.conf', 'listen 8080\n');
        const cm = await created(
          'ConfigMap',
          'settings',
          'configmap',
          'settings',
          '--from-literal=mode=prod',
          `--from-file=app.conf=${conf}`,
        );
        expect(cm.data).toEqual({ mode: 'prod', 'app.conf': 'listen 8080\n' });
      });

      it('create configmap -o json prints the JSON the server answered', async () => {
        const run = await kubectl('create', 'configmap', 'printed', '--from-literal=a=b', '-o', 'json');
        expect(run.stderr).toBe('');
        const printed = JSON.parse(run.stdout);
        expect(printed).toMatchObject({
          kind: 'ConfigMap',
          data: { a: 'b' },
          metadata: { name: 'printed', namespace: ns },
        });
        expect(printed.metadata.uid).toBeTruthy();
        expect(printed.metadata.resourceVersion).toMatch(/^\d+$/);
      });

      it('create secret generic, docker-registry and tls', async () => {
        const generic = await created(
          'Secret',
          'creds',
          'secret',
          'generic',
          'creds',
          '--from-literal=password=s3cr3t!',
        );
        expect(generic.data).toEqual({ password: base64('s3cr3t!') });

        const pull = await created(
          'Secret',
          'pull',
          'secret',
          'docker-registry',
          'pull',
          '--docker-server=registry.example.com',
          '--docker-username=ann',
          '--docker-password=pw',
        );
        expect(pull.type).toBe('kubernetes.io/dockerconfigjson');
        const config = JSON.parse(Buffer.from(pull.data['.dockerconfigjson'], 'base64').toString('utf8'));
        expect(config.auths['registry.example.com']).toMatchObject({ username: 'ann', password: 'pw' });

        const tls = path.join(cluster.dataDir, 'tls');
        const cert = await created(
          'Secret',
          'cert',
          'secret',
          'tls',
          'cert',
          `--cert=${tls}/ca.crt`,
          `--key=${tls}/ca.key`,
        );
        expect(cert.type).toBe('kubernetes.io/tls');
        expect(Buffer.from(cert.data['tls.crt'], 'base64').toString('utf8')).toBe(
          fs.readFileSync(`${tls}/ca.crt`, 'utf8'),
        );
      });

      it('create deployment: replicas, selector, labels, container and port', async () => {
        const web = await created(
          'Deployment',
          'web',
          'deployment',
          'web',
          '--image=nginx:1.27',
          '--port=8080',
          '--replicas=3',
        );
        expect(web.metadata.labels).toEqual({ app: 'web' });
        expect(web.spec.replicas).toBe(3);
        expect(web.spec.selector).toEqual({ matchLabels: { app: 'web' } });
        expect(web.spec.template.metadata.labels).toEqual({ app: 'web' });
        expect(web.spec.template.spec.containers).toMatchObject([
          { name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 8080 }] },
        ]);

        // replicas is a pointer: its zero is sent, and meant.
        const idle = await created(
          'Deployment',
          'idle',
          'deployment',
          'idle',
          '--image=busybox:1.36',
          '--replicas=0',
          '--',
          'sleep',
          '3600',
        );
        expect(idle.spec.replicas).toBe(0);
        expect(idle.spec.template.spec.containers[0].command).toEqual(['sleep', '3600']);
      });

      it('create service clusterip, headless, nodeport, loadbalancer and externalname', async () => {
        const api80 = await created(
          'Service',
          'api',
          'service',
          'clusterip',
          'api',
          '--tcp=80:8080',
          '--tcp=443:8443',
        );
        expect(api80.spec.type).toBe('ClusterIP');
        expect(api80.spec.selector).toEqual({ app: 'api' });
        expect(api80.spec.ports).toMatchObject([
          { name: '80-8080', port: 80, targetPort: 8080, protocol: 'TCP' },
          { name: '443-8443', port: 443, targetPort: 8443, protocol: 'TCP' },
        ]);
        expect(api80.spec.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

        const headless = await created(
          'Service',
          'headless',
          'service',
          'clusterip',
          'headless',
          '--clusterip=None',
        );
        expect(headless.spec.clusterIP).toBe('None');

        const nodePort = 30000 + Number(suffix);
        const edge = await created(
          'Service',
          'edge',
          'service',
          'nodeport',
          'edge',
          '--tcp=80:8080',
          `--node-port=${nodePort}`,
        );
        expect(edge.spec).toMatchObject({ type: 'NodePort', ports: [{ port: 80, nodePort }] });

        const lb = await created('Service', 'lb', 'service', 'loadbalancer', 'lb', '--tcp=443:8443');
        expect(lb.spec.type).toBe('LoadBalancer');

        const ext = await created(
          'Service',
          'ext',
          'service',
          'externalname',
          'ext',
          '--external-name=db.example.com',
        );
        expect(ext.spec).toMatchObject({ type: 'ExternalName', externalName: 'db.example.com' });
      });

      it('create job, cronjob, and job --from=cronjob', async () => {
        const once = await created('Job', 'once', 'job', 'once', '--image=busybox:1.36', '--', 'echo', 'hi');
        expect(once.spec.template.spec).toMatchObject({
          restartPolicy: 'Never',
          containers: [{ name: 'once', image: 'busybox:1.36', command: ['echo', 'hi'] }],
        });

        const nightly = await created(
          'CronJob',
          'nightly',
          'cronjob',
          'nightly',
          '--image=busybox:1.36',
          '--schedule=0 3 * * *',
          '--restart=OnFailure',
          '--',
          'date',
        );
        expect(nightly.spec.schedule).toBe('0 3 * * *');
        expect(nightly.spec.jobTemplate.spec.template.spec).toMatchObject({
          restartPolicy: 'OnFailure',
          containers: [{ name: 'nightly', image: 'busybox:1.36', command: ['date'] }],
        });

        const manual = await created('Job', 'manual', 'job', 'manual', '--from=cronjob/nightly');
        expect(manual.metadata.annotations).toMatchObject({ 'cronjob.kubernetes.io/instantiate': 'manual' });
        expect(manual.metadata.ownerReferences).toMatchObject([
          { kind: 'CronJob', name: 'nightly', uid: nightly.metadata.uid, controller: true },
        ]);
      });

      it('create serviceaccount, and a token for it', async () => {
        await created('ServiceAccount', 'builder', 'serviceaccount', 'builder');
        const token = await kubectl('create', 'token', 'builder', '--duration=10m');
        expect(token.stderr).toBe('');
        expect(token.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n?$/);
      });

      it('create role, rolebinding, clusterrole and clusterrolebinding', async () => {
        const role = await created(
          'Role',
          'reader',
          'role',
          'reader',
          '--verb=get,list',
          '--resource=pods,deployments.apps',
          '--resource-name=web',
        );
        expect(role.rules).toEqual([
          { apiGroups: [''], resources: ['pods'], resourceNames: ['web'], verbs: ['get', 'list'] },
          { apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'], verbs: ['get', 'list'] },
        ]);

        const binding = await created(
          'RoleBinding',
          'readers',
          'rolebinding',
          'readers',
          '--role=reader',
          '--user=ann',
          '--group=devs',
          `--serviceaccount=${ns}:builder`,
        );
        expect(binding.roleRef).toEqual({
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'Role',
          name: 'reader',
        });
        expect(binding.subjects).toMatchObject([
          { kind: 'User', name: 'ann' },
          { kind: 'Group', name: 'devs' },
          { kind: 'ServiceAccount', name: 'builder', namespace: ns },
        ]);

        const logs = await created(
          'ClusterRole',
          `logs-${suffix}`,
          'clusterrole',
          `logs-${suffix}`,
          '--verb=get',
          '--non-resource-url=/logs/*',
        );
        expect(logs.rules).toEqual([{ nonResourceURLs: ['/logs/*'], verbs: ['get'] }]);

        const monitoring = await created(
          'ClusterRole',
          `monitoring-${suffix}`,
          'clusterrole',
          `monitoring-${suffix}`,
          '--aggregation-rule=rbac.example.com/aggregate-to-monitoring=true',
        );
        expect(monitoring.aggregationRule).toEqual({
          clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate-to-monitoring': 'true' } }],
        });

        const clusterBinding = await created(
          'ClusterRoleBinding',
          `logs-${suffix}`,
          'clusterrolebinding',
          `logs-${suffix}`,
          `--clusterrole=logs-${suffix}`,
          '--user=ann',
        );
        expect(clusterBinding.roleRef).toMatchObject({ kind: 'ClusterRole', name: `logs-${suffix}` });
      });

      it('create quota with quantities and scopes', async () => {
        const quota = await created(
          'ResourceQuota',
          'limits',
          'quota',
          'limits',
          '--hard=pods=10,requests.cpu=500m,requests.memory=1Gi',
          '--scopes=NotBestEffort',
        );
        expect(quota.spec).toEqual({
          hard: { pods: '10', 'requests.cpu': '500m', 'requests.memory': '1Gi' },
          scopes: ['NotBestEffort'],
        });
      });

      it('create poddisruptionbudget with a percentage and with a number', async () => {
        const half = await created(
          'PodDisruptionBudget',
          'half',
          'poddisruptionbudget',
          'half',
          '--selector=app=web',
          '--min-available=50%',
        );
        expect(half.spec).toMatchObject({ minAvailable: '50%', selector: { matchLabels: { app: 'web' } } });
        const one = await created(
          'PodDisruptionBudget',
          'one',
          'poddisruptionbudget',
          'one',
          '--selector=app=web',
          '--max-unavailable=1',
        );
        expect(one.spec.maxUnavailable).toBe(1);
      });

      it('create ingress with rules, TLS, a default backend and an annotation', async () => {
        const site = await created(
          'Ingress',
          'site',
          'ingress',
          'site',
          '--class=nginx',
          '--rule=example.com/api*=api:http,tls=site-cert',
          '--rule=example.com/=web:80',
          '--default-backend=web:80',
          '--annotation=team=web',
        );
        expect(site.metadata.annotations).toMatchObject({ team: 'web' });
        expect(site.spec).toMatchObject({
          ingressClassName: 'nginx',
          defaultBackend: { service: { name: 'web', port: { number: 80 } } },
          tls: [{ hosts: ['example.com'], secretName: 'site-cert' }],
          rules: [
            {
              host: 'example.com',
              http: {
                paths: [
                  {
                    path: '/api',
                    pathType: 'Prefix',
                    backend: { service: { name: 'api', port: { name: 'http' } } },
                  },
                  {
                    path: '/',
                    pathType: 'Exact',
                    backend: { service: { name: 'web', port: { number: 80 } } },
                  },
                ],
              },
            },
          ],
        });
      });
    });
  }
});
