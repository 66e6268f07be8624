import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodObject } from '../../agent/objects.ts';
import { httpGet, startDockerCluster, type DockerCluster } from '../support/docker.ts';
import { waitFor } from '../support/wait.ts';

/**
 * The seed article's walkthrough on real containers: three replicas of a web app
 * behind a NodePort, load spread over them, a crash healed, scaling both ways, a
 * rolling update with no failed request, history and rollback.
 */
describe('seed walkthrough on Docker', () => {
  let c: DockerCluster;
  const ns = 'default';
  let url: string;

  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'handson', namespace: ns },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'handson' } },
      template: {
        metadata: { labels: { app: 'handson' } },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [{ name: 'web', image: 'kubeql/demo-web:v1', ports: [{ containerPort: 8000 }] }],
        },
      },
    },
  };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'handson', namespace: ns },
    spec: { type: 'NodePort', selector: { app: 'handson' }, ports: [{ port: 8000, targetPort: 8000 }] },
  };

  const pods = async () =>
    (await c.client.listAll<PodObject>('Pod', { namespace: ns, labelSelector: 'app=handson' })).items.filter(
      (p) => !p.metadata.deletionTimestamp,
    );
  const runningNames = async () =>
    (await pods())
      .filter((p) => p.status?.phase === 'Running' && p.status.containerStatuses?.every((s) => s.ready))
      .map((p) => p.metadata.name!)
      .sort();
  /** Asks until every one of `names` has answered (round-robin makes it quick). */
  const hostnamesSeen = async (expected: string[], attempts = 60) => {
    const seen = new Set<string>();
    for (let i = 0; i < attempts && expected.some((n) => !seen.has(n)); i++) {
      const { body } = await httpGet(url);
      const host = /HostName: (\S+)/.exec(body)?.[1];
      if (host) seen.add(host);
    }
    return [...seen].sort();
  };
  const scale = (replicas: number) => c.writer.patch('Deployment', 'handson', ns, { spec: { replicas } });
  const settled = (replicas: number, image: string) =>
    waitFor(
      async () => {
        const list = await pods();
        const names = await runningNames();
        return (
          list.length === replicas &&
          names.length === replicas &&
          list.every((p) => p.spec?.containers[0].image === image) &&
          names
        );
      },
      { ms: 60_000, every: 200, what: `${replicas} pods of ${image} running and ready` },
    );

  beforeAll(async () => {
    c = await startDockerCluster();
    await c.writer.create(deployment);
    const svc = await c.writer.create(service);
    const nodePort = (svc as unknown as { spec: { ports: Array<{ nodePort: number }> } }).spec.ports[0]
      .nodePort;
    url = `http://127.0.0.1:${nodePort}/`;
  }, 120_000);
  afterAll(async () => c?.stop(), 60_000);

  it('runs three replicas and spreads requests over the three hostnames', async () => {
    const names = await settled(3, 'kubeql/demo-web:v1');
    const { body } = await httpGet(url);
    expect(body).toMatch(/^Version 1\.0\nHello kubeql cluster!\nHostName: /);
    expect(await hostnamesSeen(names)).toEqual(names);
    // Each pod has its own IP on the node's pod network.
    const ips = (await pods()).map((p) => p.status?.podIP);
    expect(new Set(ips).size).toBe(3);
    expect(ips.every((ip) => ip?.startsWith(c.nodes[0].network.subnet.replace(/0\/24$/, '')))).toBe(true);
  }, 90_000);

  it('restarts a container killed through /kill and serves from all three again', async () => {
    const before = await runningNames();
    await httpGet(`${url}kill`);
    const restarted = await waitFor(
      async () =>
        (await pods()).find(
          (p) => p.status?.containerStatuses?.[0].restartCount === 1 && p.status.containerStatuses[0].ready,
        ),
      { ms: 30_000, every: 200, what: 'a container restarted once' },
    );
    const last = restarted.status!.containerStatuses![0].lastState?.terminated;
    expect(last?.exitCode).toBe(1);
    expect(last?.reason).toBe('Error');
    expect(await runningNames()).toEqual(before);
    expect(await hostnamesSeen(before)).toEqual(before);
  }, 60_000);

  it('scales to five and back to three', async () => {
    await scale(5);
    const five = await settled(5, 'kubeql/demo-web:v1');
    expect(await hostnamesSeen(five, 100)).toEqual(five);
    await scale(3);
    const three = await settled(3, 'kubeql/demo-web:v1');
    await waitFor(async () => (await hostnamesSeen(three)).length === 3, { ms: 20_000 });
  }, 120_000);

  it('rolls out v2 with no failed request, then rolls back to revision 1', async () => {
    const answers: string[] = [];
    const failures: string[] = [];
    let running = true;
    const load = (async () => {
      while (running) {
        const { ok, body } = await httpGet(url);
        if (!ok) failures.push(body);
        else answers.push(/Version (\S+)/.exec(body)?.[1] ?? body);
      }
    })();
    await c.client.request(
      `mutation($ns: String!) { setImage(kind: Deployment, namespace: $ns, name: "handson",
        images: [{ container: "web", image: "kubeql/demo-web:v2" }]) { kind } }`,
      { ns },
    );
    await settled(3, 'kubeql/demo-web:v2');
    // Requests still in flight to old pods land on v1; what follows is v2 only.
    await waitFor(() => answers.length > 0 && answers.slice(-20).every((v) => v === '2.0'), { ms: 20_000 });
    running = false;
    await load;
    expect(failures).toEqual([]);
    expect(new Set(answers)).toEqual(new Set(['1.0', '2.0']));
    expect(answers.at(-1)).toBe('2.0');

    const { rolloutHistory } = await c.client.request<{ rolloutHistory: Array<{ revision: number }> }>(
      `query($ns: String!) { rolloutHistory(kind: Deployment, namespace: $ns, name: "handson") { revision } }`,
      { ns },
    );
    expect(rolloutHistory.map((r) => r.revision)).toEqual([1, 2]);
    await c.client.request(
      `mutation($ns: String!) { rolloutUndoDeployment(namespace: $ns, name: "handson", toRevision: 1) { revision } }`,
      { ns },
    );
    const names = await settled(3, 'kubeql/demo-web:v1');
    await waitFor(async () => /Version 1\.0/.test((await httpGet(url)).body), { ms: 10_000 });
    const seen = await hostnamesSeen(names);
    expect(seen).toEqual(names);
  }, 180_000);
});
