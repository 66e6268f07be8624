import http from 'node:http';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '../../client/index.ts';
import { createCertificateAuthority, issueServingCertificate } from '../../server/tls/certificate.ts';
import { startDockerCluster, type DockerCluster } from '../support/docker.ts';
import { waitFor } from '../support/wait.ts';

type IngressObject = Resource & {
  spec?: { ingressClassName?: string };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string }> } };
};

/** One request to the node's ingress port with a Host header (and SNI for HTTPS); status and body. */
function request(
  port: number,
  host: string,
  path: string,
  tls?: { ca: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, path, headers: { host, connection: 'close' }, timeout: 5000 };
    const done = (res: http.IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    };
    const req = tls
      ? https.request({ ...options, servername: host, ca: tls.ca }, done)
      : http.request(options, done);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/**
 * The ingress proxy of a Docker node: HTTP routed by host and path to the pods of the
 * Services an Ingress names (demo-web v1 and v2 answer with their version), HTTPS with
 * the certificate of the Ingress' TLS Secret, the default IngressClass filled in and the
 * node's address in the Ingress' status.
 */
describe('ingress on Docker', () => {
  let c: DockerCluster;
  const ns = 'ingress-e2e';
  let port: number;
  let securePort: number;

  const app = async (name: string, image: string) => {
    await c.writer.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: ns },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: 'web', image, ports: [{ containerPort: 8000 }] }] },
        },
      },
    });
    await c.writer.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: ns },
      spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8000 }] },
    });
  };
  const route = (path: string, pathType: string, service: string, port: Record<string, unknown>) => ({
    path,
    pathType,
    backend: { service: { name: service, port } },
  });

  beforeAll(async () => {
    c = await startDockerCluster({ nodes: 1, nodeOptions: { ingress: { httpPort: 0, httpsPort: 0 } } });
    port = c.nodes[0].ingress!.ports.http!;
    securePort = c.nodes[0].ingress!.ports.https!;
    await c.writer.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await app('v1', 'kubeql/demo-web:v1');
    await app('v2', 'kubeql/demo-web:v2');
  }, 120_000);
  afterAll(async () => c?.stop(), 60_000);

  it('routes by host and path to the Services an Ingress names', async () => {
    await c.writer.create({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'site', namespace: ns },
      spec: {
        rules: [
          { host: 'one.example.test', http: { paths: [route('/', 'Prefix', 'v1', { number: 80 })] } },
          {
            host: 'both.example.test',
            http: {
              paths: [
                route('/', 'Prefix', 'v1', { number: 80 }),
                route('/two', 'Prefix', 'v2', { name: 'http' }),
                route('/exact', 'Exact', 'v2', { number: 80 }),
              ],
            },
          },
          {
            host: '*.wild.test',
            http: { paths: [route('/', 'ImplementationSpecific', 'v2', { number: 80 })] },
          },
        ],
      },
    });
    const stored = (await c.client.get<IngressObject>('Ingress', 'site', ns))!;
    expect(stored.spec?.ingressClassName).toBe('kubeql');

    const version = async (host: string, path: string) => {
      const { status, body } = await request(port, host, path);
      return status === 200 ? (body.match(/^Version (\d)/)?.[1] ?? body) : status;
    };
    await waitFor(async () => (await version('one.example.test', '/')) === '1', {
      ms: 60_000,
      every: 500,
      what: 'v1 answering through the ingress',
    });
    await waitFor(async () => (await version('both.example.test', '/two')) === '2', {
      ms: 60_000,
      every: 500,
      what: 'v2 answering through the ingress',
    });
    expect(await version('both.example.test', '/two/deeper?x=1')).toBe('2');
    expect(await version('both.example.test', '/twofold')).toBe('1');
    expect(await version('both.example.test', '/exact')).toBe('2');
    expect(await version('both.example.test', '/exact/more')).toBe('1');
    expect(await version('a.wild.test', '/anything')).toBe('2');
    expect(await request(port, 'b.a.wild.test', '/')).toMatchObject({ status: 404 });
    expect(await request(port, 'nowhere.test', '/')).toEqual({
      status: 404,
      body: 'default backend - 404\n',
    });

    const node = await c.client.get<
      Resource & { status?: { addresses?: Array<{ type: string; address: string }> } }
    >('Node', c.nodes[0].name);
    const address = node?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    expect(address).toBeTruthy();
    await waitFor(
      async () =>
        (await c.client.get<IngressObject>('Ingress', 'site', ns))?.status?.loadBalancer?.ingress?.[0]?.ip ===
        address,
      { ms: 15_000, what: "the node's address in the Ingress status" },
    );
  }, 150_000);

  it('answers 503 while the Service has no ready endpoints, and serves again when it has', async () => {
    await c.writer.patch('Deployment', 'v2', ns, { spec: { replicas: 0 } });
    await waitFor(async () => (await request(port, 'a.wild.test', '/')).status === 503, {
      ms: 30_000,
      every: 300,
      what: '503 without endpoints',
    });
    await c.writer.patch('Deployment', 'v2', ns, { spec: { replicas: 1 } });
    await waitFor(async () => (await request(port, 'a.wild.test', '/')).status === 200, {
      ms: 60_000,
      every: 500,
      what: 'v2 back',
    });
  }, 120_000);

  it('serves HTTPS with the certificate of the TLS Secret the Ingress names', async () => {
    const ca = createCertificateAuthority(new Date(), 1);
    const serving = issueServingCertificate(ca, ['secure.example.test'], new Date(), 1);
    await c.writer.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'secure-tls', namespace: ns },
      type: 'kubernetes.io/tls',
      stringData: { 'tls.crt': serving.cert, 'tls.key': serving.key },
    } as Resource);
    await c.writer.create({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'secure', namespace: ns },
      spec: {
        tls: [{ hosts: ['secure.example.test'], secretName: 'secure-tls' }],
        rules: [
          { host: 'secure.example.test', http: { paths: [route('/', 'Prefix', 'v1', { number: 80 })] } },
        ],
      },
    });
    const answer = await waitFor(
      async () => {
        const result = await request(securePort, 'secure.example.test', '/', { ca: ca.cert }).catch(
          () => undefined,
        );
        return result?.status === 200 && result;
      },
      { ms: 30_000, every: 500, what: 'HTTPS through the ingress' },
    );
    expect(answer.body).toMatch(/^Version 1\.0\n/);
    // A name no Ingress has a certificate for gets none: the handshake fails.
    await expect(request(securePort, 'other.example.test', '/', { ca: ca.cert })).rejects.toThrow();
  }, 90_000);
});
