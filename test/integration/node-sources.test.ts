import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodObject } from '../../agent/objects.ts';
import { startHollowCluster, type HollowCluster } from '../support/hollow.ts';
import { waitFor } from '../support/wait.ts';

/**
 * The one-process cluster's hollow nodes read the process's shared Pod and Node informers
 * (agent/node/node-sources.ts) instead of field-selected informers of their own: each
 * must still see exactly what a `spec.nodeName=<node>` watch would show it.
 */
describe('hollow nodes over the shared informers', () => {
  let h: HollowCluster;
  beforeAll(async () => {
    h = await startHollowCluster({ nodes: 2, controllers: [] });
  });
  afterAll(() => h?.stop());

  const pod = (name: string, nodeName?: string): PodObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'app', image: 'nginx:1.27' }],
    },
  });
  const running = (name: string) =>
    waitFor(
      async () => {
        const current = await h.client.get<PodObject>('Pod', name, 'default');
        return current?.status?.phase === 'Running' ? current : undefined;
      },
      { what: `${name} Running` },
    );
  const runtimeUids = async (index: number) =>
    (await h.nodes[index].runtime.listPods()).map((p) => `${p.name}:${p.uid}`);

  it('a pod the scheduler binds reaches the node it is bound to, and that node only', async () => {
    const created = await h.writer.create(pod('scheduled'));
    const bound = await running('scheduled');
    const index = h.nodes.findIndex((node) => node.name === bound.spec?.nodeName);
    expect(index).toBeGreaterThanOrEqual(0);
    expect(await runtimeUids(index)).toContain(`scheduled:${created.metadata.uid}`);
    expect(h.nodes[1 - index].agent.pods.get('default/scheduled')).toBeUndefined();
    expect(h.nodes[1 - index].agent.pods.list()).not.toContainEqual(
      expect.objectContaining({ metadata: expect.objectContaining({ name: 'scheduled' }) }),
    );
  });

  it('a pod deleted on one node and created again under its name on the other moves there', async () => {
    const first = await h.writer.create(pod('mover', 'hollow-1'));
    await running('mover');
    expect(await runtimeUids(0)).toContain(`mover:${first.metadata.uid}`);

    await h.writer.delete('Pod', 'mover', 'default');
    await waitFor(async () => !(await h.client.get('Pod', 'mover', 'default')), { what: 'mover gone' });
    const second = await h.writer.create(pod('mover', 'hollow-2'));
    const moved = await running('mover');
    expect(moved.metadata.uid).toBe(second.metadata.uid);
    expect(moved.status?.hostIP).toBe('10.0.0.3');
    expect(await runtimeUids(1)).toContain(`mover:${second.metadata.uid}`);
    // hollow-1 neither keeps the old pod nor takes the new one for its own.
    await waitFor(async () => !(await runtimeUids(0)).some((p) => p.startsWith('mover:')), {
      what: 'mover gone from hollow-1',
    });
    expect(h.nodes[0].agent.pods.get('default/mover')).toBeUndefined();
    expect(h.nodes[1].agent.pods.get('default/mover')?.metadata.uid).toBe(second.metadata.uid);
  });

  it('a restarted agent finds its pods again through the shared informer', async () => {
    const created = await h.writer.create(pod('survivor', 'hollow-2'));
    await running('survivor');
    await h.nodes[1].restart();
    expect(h.nodes[1].agent.pods.get('default/survivor')?.metadata.uid).toBe(created.metadata.uid);
    // Deleting it now is carried out by the new agent: the old one no longer listens.
    await h.writer.delete('Pod', 'survivor', 'default');
    await waitFor(async () => !(await h.client.get('Pod', 'survivor', 'default')), {
      what: 'survivor deleted by the restarted agent',
    });
    expect(await runtimeUids(1)).not.toContainEqual(expect.stringMatching(/^survivor:/));
  });
});
