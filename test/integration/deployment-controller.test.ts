import { describe, expect, it } from 'vitest';
import type { Resource } from '../../client/index.ts';
import { deploymentController } from '../../agent/controllers/deployment/controller.ts';
import { REVISION_ANNOTATION } from '../../agent/controllers/deployment/revision.ts';
import { POD_TEMPLATE_HASH_LABEL } from '../../agent/controllers/pod-template-hash.ts';
import { replicaSetController } from '../../agent/controllers/replicaset.ts';
import type { DeploymentObject, ReplicaSetObject } from '../../agent/controllers/rollout-math.ts';
import type { PodObject } from '../../agent/objects.ts';
import { controllerCluster, until } from '../support/controller-cluster.ts';
import { condition, NS, template } from '../support/deployment-fixture.ts';

// The Deployment and ReplicaSet controllers together against an API server and a fake
// kubelet. Unit tests of the reconcile are in deployment-*.test.ts, by concern.

describe('Deployment controller against a server', () => {
  const env = controllerCluster([replicaSetController, deploymentController], {
    kubelet: { namespace: NS, delayMs: 30 },
  });
  const writer = () => env.writer;

  const isReady = (p: PodObject) =>
    !p.metadata.deletionTimestamp &&
    !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

  /** The deployment converged on `replicas` of its current template. */
  async function converged(replicas: number) {
    const d = await env.client.get<DeploymentObject>('Deployment', 'web', NS);
    const s = d?.status;
    if (!d || !s || s.observedGeneration !== d.metadata.generation) return false;
    if (s.replicas !== replicas || s.updatedReplicas !== replicas || s.availableReplicas !== replicas)
      return false;
    if (condition(s, 'Available')?.status !== 'True') return false;
    if (condition(s, 'Progressing')?.reason !== 'NewReplicaSetAvailable') return false;
    const pods = (await env.client.listAll<PodObject>('Pod', { namespace: NS })).items.filter(
      (p) => !p.metadata.deletionTimestamp,
    );
    if (pods.length !== replicas || !pods.every(isReady)) return false;
    return { d, pods };
  }

  it('converges, rolls out a new image within maxSurge / maxUnavailable, scales, replaces a deleted pod', async () => {
    await writer().create<DeploymentObject>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: NS },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'web' } },
        template: template('nginx:1'),
      },
    });
    const first = await until(() => converged(3), { what: '3 available replicas', ms: 15_000 });
    expect(condition(first.d.status, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'NewReplicaSetAvailable',
    });
    expect(first.d.metadata.annotations?.[REVISION_ANNOTATION]).toBe('1');

    // Scale up, with the rollout bounds of the test.
    await writer().patch('Deployment', 'web', NS, {
      spec: {
        replicas: 10,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } },
      },
    });
    await until(() => converged(10), { what: '10 available replicas', ms: 15_000 });

    // Watch every pod and ReplicaSet change during the rollout.
    const violations: string[] = [];
    const pods = new Map<string, PodObject>();
    const rss = new Map<string, ReplicaSetObject>();
    const podList = await env.client.listAll<PodObject>('Pod', { namespace: NS });
    for (const p of podList.items) pods.set(p.metadata.uid!, p);
    const rsList = await env.client.listAll<ReplicaSetObject>('ReplicaSet', { namespace: NS });
    for (const rs of rsList.items) rss.set(rs.metadata.uid!, rs);
    let podEvents = 0;
    const check = (what: string) => {
      const live = [...pods.values()].filter((p) => !p.metadata.deletionTimestamp);
      const ready = live.filter(isReady).length;
      const specTotal = [...rss.values()].reduce((sum, rs) => sum + (rs.spec?.replicas ?? 0), 0);
      if (live.length > 13) violations.push(`${what}: ${live.length} pods > 13`);
      if (ready < 8) violations.push(`${what}: ${ready} ready pods < 8`);
      if (specTotal > 13) violations.push(`${what}: ReplicaSets want ${specTotal} > 13`);
    };
    const follow = <T extends Resource>(kind: string, rv: string, into: Map<string, T>) => {
      const watch = env.client.watch<T>(kind, { namespace: NS, resourceVersion: rv });
      const done = (async () => {
        for await (const event of watch) {
          if (event.type === 'BOOKMARK') continue;
          if (event.type === 'DELETED') into.delete(event.object.metadata.uid!);
          else into.set(event.object.metadata.uid!, event.object);
          if (kind === 'Pod') podEvents++;
          check(`${event.type} ${kind} ${event.object.metadata.name}`);
        }
      })();
      return { stop: async () => (await watch.return(), await done) };
    };
    const watchers = [
      follow<PodObject>('Pod', podList.resourceVersion, pods),
      follow<ReplicaSetObject>('ReplicaSet', rsList.resourceVersion, rss),
    ];

    const oldRS = [...rss.values()][0];
    await writer().patch('Deployment', 'web', NS, {
      spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } } },
    });
    const rolled = await until(
      async () => {
        const done = await converged(10);
        return done && done.pods.every((p) => p.spec?.containers[0].image === 'nginx:2') && done;
      },
      { what: 'the rollout to nginx:2', ms: 15_000 },
    );
    await Promise.all(watchers.map((w) => w.stop()));
    expect(violations).toEqual([]);
    expect(podEvents).toBeGreaterThan(20);

    expect(rolled.d.metadata.annotations?.[REVISION_ANNOTATION]).toBe('2');
    const after = (await env.client.listAll<ReplicaSetObject>('ReplicaSet', { namespace: NS })).items;
    const newRS = after.find((rs) => rs.metadata.uid !== oldRS.metadata.uid)!;
    expect(newRS.metadata.annotations?.[REVISION_ANNOTATION]).toBe('2');
    expect(newRS.metadata.name).toBe(
      `web-${newRS.spec!.template!.metadata!.labels![POD_TEMPLATE_HASH_LABEL]}`,
    );
    expect(newRS.spec!.replicas).toBe(10);
    expect(after.find((rs) => rs.metadata.uid === oldRS.metadata.uid)!.spec!.replicas).toBe(0);
    for (const p of rolled.pods)
      expect(p.metadata.labels?.[POD_TEMPLATE_HASH_LABEL]).toBe(
        newRS.spec!.selector.matchLabels![POD_TEMPLATE_HASH_LABEL],
      );

    // A deleted pod is replaced.
    const victim = rolled.pods[0].metadata.name!;
    await writer().delete('Pod', victim, NS);
    const healed = await until(
      async () => {
        const done = await converged(10);
        return done && !done.pods.some((p) => p.metadata.name === victim) && done;
      },
      { what: 'a replacement pod', ms: 15_000 },
    );
    expect(healed.pods).toHaveLength(10);

    // Scaling down.
    await writer().patch('Deployment', 'web', NS, { spec: { replicas: 4 } });
    await until(() => converged(4), { what: '4 available replicas', ms: 15_000 });
  });
});
