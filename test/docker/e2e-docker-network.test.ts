import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodObject } from '../../agent/objects.ts';
import { execIn, startDockerCluster, type DockerCluster } from '../support/docker.ts';
import { waitFor } from '../support/wait.ts';

type EndpointsObject = {
  subsets?: Array<{ addresses?: Array<{ ip: string }>; notReadyAddresses?: Array<{ ip: string }> }>;
};

/**
 * Two Docker nodes on one machine: probes, Services reached from inside pods by
 * ClusterIP and DNS, and a node lost with its pods moving to the other one.
 */
describe('services, probes and node loss on Docker', () => {
  let c: DockerCluster;
  const ns = 'default';

  const exec = (pod: string, command: string[]) => execIn(c.client, ns, pod, command);
  const getPod = (name: string) => c.client.get<PodObject>('Pod', name, ns);
  const phase = (name: string, want: string, ms = 30_000) =>
    waitFor(async () => (await getPod(name))?.status?.phase === want, {
      ms,
      every: 100,
      what: `${name} ${want}`,
    });
  const busybox = (name: string, extra: Record<string, unknown> = {}, labels: Record<string, string> = {}) =>
    c.writer.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns, labels },
      spec: {
        nodeName: c.nodes[0].name,
        containers: [
          {
            name: 'app',
            image: 'kubeql/busybox:stable',
            command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'],
            ...extra,
          },
        ],
      },
    });

  beforeAll(async () => {
    c = await startDockerCluster({
      nodes: 2,
      controllerOptions: {
        nodeMonitorGracePeriodMs: 4000,
        podEvictionTimeoutMs: 1000,
        hpaSyncPeriodMs: 1000,
      },
      nodeOptions: { leaseRenewIntervalMs: 1000, metricsIntervalMs: 1000 },
    });
  }, 120_000);
  afterAll(async () => c?.stop(), 60_000);

  it('restarts a container whose liveness probe fails', async () => {
    await busybox('unhealthy', {
      command: [
        'sh',
        '-c',
        'touch /tmp/healthy; sleep 2; rm /tmp/healthy; trap "exit 0" TERM; while true; do sleep 1; done',
      ],
      livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, periodSeconds: 1, failureThreshold: 1 },
    });
    const status = await waitFor(
      async () => {
        const s = (await getPod('unhealthy'))?.status?.containerStatuses?.[0];
        return (s?.restartCount ?? 0) >= 1 && s;
      },
      { ms: 30_000, every: 200, what: 'a restart after the liveness probe failed' },
    );
    expect(status.lastState?.terminated).toBeDefined();
    const events = (await c.client.listAll('Event', { namespace: ns })).items as unknown as Array<{
      reason: string;
      message: string;
      involvedObject: { name: string };
    }>;
    const mine = events.filter((e) => e.involvedObject.name === 'unhealthy');
    expect(mine.some((e) => e.reason === 'Unhealthy' && e.message.startsWith('Liveness probe failed'))).toBe(
      true,
    );
    expect(mine.some((e) => e.reason === 'Killing' && /failed liveness probe/.test(e.message))).toBe(true);
  }, 60_000);

  it('takes a pod whose readiness probe fails out of the endpoints, and back', async () => {
    await c.writer.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'gate', namespace: ns },
      spec: { selector: { app: 'gate' }, ports: [{ port: 80 }] },
    });
    await busybox(
      'gated',
      { readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1, failureThreshold: 1 } },
      { app: 'gate' },
    );
    await phase('gated', 'Running');
    const endpoints = async () =>
      (await c.client.get('Endpoints', 'gate', ns)) as unknown as EndpointsObject | null;
    await waitFor(async () => (await endpoints())?.subsets?.[0]?.notReadyAddresses?.length === 1, {
      what: 'the pod listed not ready',
    });
    expect((await getPod('gated'))?.status?.containerStatuses?.[0].ready).toBe(false);
    await exec('gated', ['touch', '/tmp/ready']);
    await waitFor(async () => (await endpoints())?.subsets?.[0]?.addresses?.length === 1, {
      ms: 10_000,
      what: 'the pod in the endpoints',
    });
    await exec('gated', ['rm', '/tmp/ready']);
    await waitFor(async () => !(await endpoints())?.subsets?.[0]?.addresses?.length, {
      ms: 10_000,
      what: 'the pod out of the endpoints again',
    });
  }, 60_000);

  it('reaches a Service by ClusterIP and by DNS name from inside a pod', async () => {
    await c.writer.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: ns },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'kubeql/demo-web:v1' }] },
        },
      },
    });
    const svc = (await c.writer.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: ns },
      spec: { selector: { app: 'web' }, ports: [{ port: 8000 }] },
    })) as unknown as { spec: { clusterIP: string } };
    await waitFor(
      async () =>
        ((await c.client.get('Endpoints', 'web', ns)) as unknown as EndpointsObject | null)?.subsets?.[0]
          ?.addresses?.length === 2,
      { ms: 30_000, what: 'two web endpoints' },
    );
    // Created after the Service: the service variables are in its environment.
    await busybox('client');
    await phase('client', 'Running');
    const env = await exec('client', ['sh', '-c', 'echo $WEB_SERVICE_HOST:$WEB_SERVICE_PORT']);
    expect(env.stdout).toBe(`${svc.spec.clusterIP}:8000\n`);
    for (const target of [
      `http://${svc.spec.clusterIP}:8000/`,
      'http://web:8000/',
      `http://web.${ns}:8000/`,
      `http://web.${ns}.svc.cluster.local:8000/`,
    ]) {
      const fetched = await exec('client', ['timeout', '5', 'wget', '-qO-', target]);
      expect(fetched.stdout, target).toMatch(/^Version 1\.0\nHello kubeql cluster!\nHostName: web-/);
    }
    const missing = await exec('client', ['nslookup', 'nothing-here.default.svc.cluster.local']);
    expect(missing.exitCode).not.toBe(0);
  }, 90_000);

  it('resolves StatefulSet pods by name under their headless Service', async () => {
    await c.writer.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'db', namespace: ns },
      spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 8000 }] },
    });
    await c.writer.create({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: ns },
      spec: {
        replicas: 2,
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: {
          metadata: { labels: { app: 'db' } },
          spec: { containers: [{ name: 'web', image: 'kubeql/demo-web:v1' }] },
        },
      },
    });
    const second = await waitFor(
      async () => {
        const pod = await getPod('db-1');
        return pod?.status?.phase === 'Running' && pod.status.podIP && pod;
      },
      { ms: 40_000, every: 200, what: 'db-1 running' },
    );
    expect((await exec('db-0', ['hostname'])).stdout).toBe('db-0\n');
    const fetched = await waitFor(
      async () => {
        const result = await exec('client', ['timeout', '5', 'wget', '-qO-', 'http://db-1.db:8000/']);
        return result.exitCode === 0 && result.stdout;
      },
      { ms: 15_000, every: 500, what: 'db-1.db answering' },
    );
    expect(fetched).toContain('HostName: db-1');
    const lookup = await exec('client', ['nslookup', `db-1.db.${ns}.svc.cluster.local`]);
    expect(lookup.stdout).toContain(second.status!.podIP!);
  }, 90_000);

  it('scales a Deployment on the CPU its containers really use', async () => {
    await c.writer.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'busy', namespace: ns },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'busy' } },
        template: {
          metadata: { labels: { app: 'busy' } },
          spec: {
            containers: [
              {
                name: 'spin',
                image: 'kubeql/busybox:stable',
                command: ['sh', '-c', 'trap "exit 0" TERM; while :; do :; done'],
                resources: { requests: { cpu: '100m' }, limits: { cpu: '200m' } },
              },
            ],
          },
        },
      },
    });
    await c.writer.create({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'busy', namespace: ns },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'busy' },
        minReplicas: 1,
        maxReplicas: 3,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
          },
        ],
      },
    });
    // Each container burns its 200m limit: 200 % of its request, four times the target.
    const hpa = await waitFor(
      async () => {
        const found = (await c.client.get('HorizontalPodAutoscaler', 'busy', ns)) as unknown as {
          status?: { currentReplicas?: number; desiredReplicas?: number; currentMetrics?: unknown[] };
        };
        return found?.status?.desiredReplicas === 3 && found.status;
      },
      { ms: 40_000, every: 500, what: 'the HPA asking for 3 replicas' },
    );
    expect(hpa.currentMetrics?.length).toBe(1);
    const deployment = (await c.client.get('Deployment', 'busy', ns)) as unknown as {
      spec: { replicas: number };
    };
    expect(deployment.spec.replicas).toBe(3);
    await c.writer.delete('HorizontalPodAutoscaler', 'busy', ns);
    await c.writer.delete('Deployment', 'busy', ns);
  }, 90_000);

  it('moves the pods of a node whose agent dies to the other node', async () => {
    await c.writer.create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'mover', namespace: ns },
      spec: {
        replicas: 4,
        selector: { matchLabels: { app: 'mover' } },
        template: {
          metadata: { labels: { app: 'mover' } },
          spec: {
            containers: [
              {
                name: 'app',
                image: 'kubeql/busybox:stable',
                command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'],
              },
            ],
          },
        },
      },
    });
    const movers = async () =>
      (await c.client.listAll<PodObject>('Pod', { namespace: ns, labelSelector: 'app=mover' })).items;
    await waitFor(async () => (await movers()).filter((p) => p.status?.phase === 'Running').length === 4, {
      ms: 30_000,
      what: 'four movers running',
    });
    const [lost, kept] = c.nodes;
    expect((await movers()).some((p) => p.spec?.nodeName === lost.name)).toBe(true);
    // The agent dies: no more heartbeats, nothing cleaned up.
    await lost.stop();
    const moved = await waitFor(
      async () => {
        const pods = await movers();
        return (
          pods.length === 4 &&
          pods.every((p) => p.spec?.nodeName === kept.name && p.status?.phase === 'Running') &&
          pods
        );
      },
      { ms: 60_000, every: 250, what: 'all four movers running on the other node' },
    );
    expect(new Set(moved.map((p) => p.status?.podIP)).size).toBe(4);
    const node = await c.client.get('Node', lost.name);
    const ready = (
      node as unknown as { status: { conditions: Array<{ type: string; status: string }> } }
    ).status.conditions.find((cond) => cond.type === 'Ready');
    expect(ready?.status).toBe('Unknown');
  }, 120_000);
});
