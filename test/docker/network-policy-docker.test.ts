import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodObject } from '../../agent/objects.ts';
import { execIn, startDockerCluster, type DockerCluster } from '../support/docker.ts';
import { waitFor } from '../support/wait.ts';

/**
 * NetworkPolicy on a Docker node, with real connections between pods: a server pod
 * answering HTTP on 8000 and 9000, and client pods that try it directly, through its
 * Service and by DNS. Policies change what passes within a moment of being written.
 */
describe('NetworkPolicy on Docker', () => {
  let c: DockerCluster;
  let serverIP: string;
  let clusterIP: string;

  const SERVER = [
    'sh',
    '-c',
    'mkdir -p /www && echo ok > /www/index.html && httpd -p 8000 -h /www && httpd -p 9000 -h /www && trap "exit 0" TERM; while true; do sleep 1; done',
  ];
  const IDLE = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'];

  const namespace = (name: string, labels: Record<string, string> = {}) =>
    c.writer.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });

  const pod = (
    ns: string,
    name: string,
    labels: Record<string, string>,
    command: string[],
    ports: unknown[] = [],
    nodeName?: string,
  ) =>
    c.writer.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns, labels },
      spec: {
        nodeName,
        terminationGracePeriodSeconds: 1,
        // These pods never call the API.
        automountServiceAccountToken: false,
        containers: [{ name: 'app', image: 'kubeql/busybox:stable', command, ports }],
      },
    });

  const policy = (ns: string, name: string, spec: Record<string, unknown>) =>
    c.writer.create({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, namespace: ns },
      spec,
    });

  const running = async (ns: string, name: string) => {
    const found = await waitFor(
      async () => {
        const p = await c.client.get<PodObject>('Pod', name, ns);
        return p?.status?.phase === 'Running' && p.status.podIP && p;
      },
      { ms: 60_000, every: 200, what: `${ns}/${name} running` },
    );
    return found.status!.podIP!;
  };

  /** Whether an HTTP GET from inside the pod gets the answer within 2 s (`timeout`: busybox 1.35 crashes on `wget -T`). */
  const reaches = async (ns: string, from: string, url: string) => {
    const result = await execIn(c.client, ns, from, ['timeout', '2', 'wget', '-qO-', url]);
    return result.exitCode === 0 && result.stdout.trim() === 'ok';
  };

  /** Waits until the outcome settles on `want` (a policy applies a moment after it is written). */
  const settles = (ns: string, from: string, url: string, want: boolean) =>
    waitFor(async () => (await reaches(ns, from, url)) === want, {
      ms: 20_000,
      every: 200,
      what: `${ns}/${from} ${want ? 'reaching' : 'not reaching'} ${url}`,
    });

  beforeAll(async () => {
    c = await startDockerCluster();
    await namespace('np-web');
    await namespace('np-friend', { team: 'friend' });
    await namespace('np-stranger');
    await namespace('np-out');
    await pod('np-web', 'server', { app: 'web' }, SERVER, [{ name: 'http', containerPort: 8000 }]);
    await pod('np-web', 'client', { role: 'client' }, IDLE);
    await pod('np-web', 'other', { role: 'other' }, IDLE);
    await pod('np-friend', 'client', { role: 'client' }, IDLE);
    await pod('np-stranger', 'client', { role: 'client' }, IDLE);
    await pod('np-out', 'client', { role: 'client' }, IDLE);
    const service = (await c.writer.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'np-web' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8000 }] },
    })) as unknown as { spec: { clusterIP: string } };
    clusterIP = service.spec.clusterIP;
    serverIP = await running('np-web', 'server');
    for (const [ns, name] of [
      ['np-web', 'client'],
      ['np-web', 'other'],
      ['np-friend', 'client'],
      ['np-stranger', 'client'],
      ['np-out', 'client'],
    ])
      await running(ns, name);
    await waitFor(async () => reaches('np-web', 'client', `http://${clusterIP}/`), {
      ms: 20_000,
      what: 'the Service answering',
    });
  }, 180_000);
  afterAll(async () => c?.stop(), 60_000);

  it('lets everything through while no policy selects a pod', async () => {
    expect(await reaches('np-web', 'other', `http://${serverIP}:8000/`)).toBe(true);
    expect(await reaches('np-stranger', 'client', `http://${serverIP}:9000/`)).toBe(true);
    expect(await reaches('np-out', 'client', `http://web.np-web.svc.cluster.local/`)).toBe(true);
  }, 30_000);

  it('denies all ingress in a namespace, then lets one client in by podSelector and not another', async () => {
    await policy('np-web', 'default-deny', { podSelector: {}, policyTypes: ['Ingress'] });
    await settles('np-web', 'client', `http://${serverIP}:8000/`, false);
    expect(await reaches('np-web', 'other', `http://${serverIP}:8000/`)).toBe(false);

    await policy('np-web', 'allow-clients', {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }], ports: [{ port: 'http' }] }],
    });
    await settles('np-web', 'client', `http://${serverIP}:8000/`, true);
    expect(await reaches('np-web', 'other', `http://${serverIP}:8000/`)).toBe(false);
    // The rule names the http port (8000): 9000 stays closed to the same client.
    expect(await reaches('np-web', 'client', `http://${serverIP}:9000/`)).toBe(false);
    // A role=client pod of another namespace is not selected by a podSelector alone.
    expect(await reaches('np-friend', 'client', `http://${serverIP}:8000/`)).toBe(false);
  }, 90_000);

  it('lets a namespace in by namespaceSelector, on the port the rule names', async () => {
    await policy('np-web', 'allow-friends', {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { team: 'friend' } } }],
          ports: [{ protocol: 'TCP', port: 9000 }],
        },
      ],
    });
    await settles('np-friend', 'client', `http://${serverIP}:9000/`, true);
    expect(await reaches('np-friend', 'client', `http://${serverIP}:8000/`)).toBe(false);
    expect(await reaches('np-stranger', 'client', `http://${serverIP}:9000/`)).toBe(false);
  }, 60_000);

  it('applies the same policy to connections through the Service', async () => {
    // allow-clients admits np-web's client on 8000 (the Service's target port); other and strangers stay out.
    expect(await reaches('np-web', 'client', `http://${clusterIP}/`)).toBe(true);
    expect(await reaches('np-web', 'client', `http://web.np-web.svc.cluster.local/`)).toBe(true);
    expect(await reaches('np-web', 'other', `http://${clusterIP}/`)).toBe(false);
    expect(await reaches('np-stranger', 'client', `http://web.np-web.svc.cluster.local/`)).toBe(false);
  }, 60_000);

  it('denies egress, DNS included, until rules allow it', async () => {
    await policy('np-web', 'allow-out', {
      podSelector: { matchLabels: { app: 'web' } },
      ingress: [
        { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'np-out' } } }] },
      ],
    });
    await settles('np-out', 'client', `http://${serverIP}:8000/`, true);

    await policy('np-out', 'default-deny-egress', { podSelector: {}, policyTypes: ['Egress'] });
    await settles('np-out', 'client', `http://${serverIP}:8000/`, false);
    const lookup = () =>
      execIn(c.client, 'np-out', 'client', ['timeout', '3', 'nslookup', 'web.np-web.svc.cluster.local']);
    expect((await lookup()).exitCode).not.toBe(0);
    expect(await reaches('np-out', 'client', `http://${clusterIP}/`)).toBe(false);

    await policy('np-out', 'allow-dns-and-web', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
        {
          to: [
            {
              podSelector: {},
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'np-web' } },
            },
          ],
          ports: [{ port: 8000 }],
        },
      ],
    });
    await settles('np-out', 'client', `http://web.np-web.svc.cluster.local/`, true);
    expect(await lookup()).toMatchObject({ exitCode: 0, stdout: expect.stringContaining(clusterIP) });
    expect(await reaches('np-out', 'client', `http://${serverIP}:8000/`)).toBe(true);
    expect(await reaches('np-out', 'client', `http://${serverIP}:9000/`)).toBe(false);
  }, 90_000);

  it('holds between nodes, also after a second node has started beside the first', async () => {
    const second = await c.addNode();
    await pod('np-web', 'client-2', { role: 'client' }, IDLE, [], second.name);
    await pod('np-web', 'other-2', { role: 'other' }, IDLE, [], second.name);
    await running('np-web', 'client-2');
    await running('np-web', 'other-2');
    await settles('np-web', 'client-2', `http://${serverIP}:8000/`, true);
    expect(await reaches('np-web', 'other-2', `http://${serverIP}:8000/`)).toBe(false);
    // The second node's start put the pod-to-pod ACCEPT back first in DOCKER-USER, below the policy jumps.
    const { execFileSync } = await import('node:child_process');
    const listed = execFileSync('iptables', ['-w', '-S', 'DOCKER-USER']).toString().split('\n');
    const accept = listed.findIndex((line) => line.includes('-s 10.244.0.0/16 -d 10.244.0.0/16 -j ACCEPT'));
    const jumps = listed.flatMap((line, i) => (line.includes('-j KUBEQL-NETPOL-') ? [i] : []));
    expect(jumps.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...jumps)).toBeLessThan(accept);
  }, 90_000);

  it('removes its chain and jumps on a clean stop', async () => {
    const { execFileSync } = await import('node:child_process');
    const { policyChain } = await import('../../agent/node/network-policy/policy-table.ts');
    const chain = policyChain(c.nodes[0].name);
    const rules = () => execFileSync('iptables', ['-w', '-S']).toString();
    expect(rules()).toContain(chain);
    expect(rules()).toContain(`-d ${serverIP}/32`);
    await c.nodes[0].stop();
    expect(rules()).not.toContain(chain);
  }, 60_000);
});
