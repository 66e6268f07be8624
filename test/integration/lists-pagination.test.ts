import { describe, expect, it } from 'vitest';
import { clusterPerFile } from '../support/cluster-per-file.ts';
import { configMap, expectCode, listApi } from '../support/list-queries.ts';

/** Lists as kubectl pages them: limit and continue, every page at the revision of the first. */

const cluster = clusterPerFile();
const { apply, listConfigMaps } = listApi(cluster);

describe('pagination', () => {
  const many = (namespace: string) =>
    apply(
      [
        `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${namespace}\n`,
        ...Array.from({ length: 25 }, (_, i) =>
          configMap(`cm-${String(i).padStart(2, '0')}`, { page: 'yes' }, namespace),
        ),
      ].join('---\n'),
    );

  it('pages 25 objects by 10, every object exactly once and in order', async () => {
    await many('pages');
    const all = Array.from({ length: 25 }, (_, i) => `cm-${String(i).padStart(2, '0')}`);

    const first = (await listConfigMaps({ namespace: 'pages', limit: 10 })).data!.configMaps;
    expect(first.items.map((i) => i.metadata.name)).toEqual(all.slice(0, 10));
    expect(first.metadata.remainingItemCount).toBe(15);
    expect(first.metadata.continue).toEqual(expect.any(String));

    const second = (
      await listConfigMaps({ namespace: 'pages', limit: 10, continue: first.metadata.continue })
    ).data!.configMaps;
    expect(second.items.map((i) => i.metadata.name)).toEqual(all.slice(10, 20));
    expect(second.metadata.remainingItemCount).toBe(5);
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);

    const third = (
      await listConfigMaps({ namespace: 'pages', limit: 10, continue: second.metadata.continue })
    ).data!.configMaps;
    expect(third.items.map((i) => i.metadata.name)).toEqual(all.slice(20));
    expect(third.metadata.continue).toBeNull();
    expect(third.metadata.remainingItemCount).toBeNull();
    expect(third.metadata.resourceVersion).toBe(first.metadata.resourceVersion);

    // Without a limit: all of them, one page.
    const whole = (await listConfigMaps({ namespace: 'pages' })).data!.configMaps;
    expect(whole.items.map((i) => i.metadata.name)).toEqual(all);
    expect(whole.metadata.continue).toBeNull();

    // A limit that divides the list exactly leaves no empty last page.
    const five = (await listConfigMaps({ namespace: 'pages', limit: 20 })).data!.configMaps;
    const rest = (await listConfigMaps({ namespace: 'pages', limit: 5, continue: five.metadata.continue }))
      .data!.configMaps;
    expect(rest.items).toHaveLength(5);
    expect(rest.metadata.continue).toBeNull();
  });

  it('pages with a selector, counting only matches and giving no remainingItemCount', async () => {
    await apply(configMap('cm-12', { page: 'yes', odd: 'no' }, 'pages'));
    const collected: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = (
        await listConfigMaps({
          namespace: 'pages',
          labelSelector: 'page=yes,!odd',
          limit: 7,
          continue: token,
        })
      ).data!.configMaps;
      expect(page.items.length).toBeLessThanOrEqual(7);
      expect(page.metadata.remainingItemCount).toBeNull();
      collected.push(...page.items.map((i) => i.metadata.name));
      token = page.metadata.continue ?? undefined;
      pages++;
    } while (token);
    expect(pages).toBe(4);
    expect(collected).toHaveLength(24);
    expect(collected).not.toContain('cm-12');
    expect(new Set(collected).size).toBe(24);
  });

  it('reads every page at the revision of the first, whatever changes in between', async () => {
    await many('snapshot');
    const first = (await listConfigMaps({ namespace: 'snapshot', limit: 10 })).data!.configMaps;
    expect(first.items).toHaveLength(10);

    // Concurrent writes: deletes before and inside the next page, a create inside it, a change.
    const del = (name: string) =>
      cluster.ok(`mutation($n: String!) { deleteConfigMap(namespace: "snapshot", name: $n) { kind } }`, {
        n: name,
      });
    await del('cm-05');
    await del('cm-12');
    await cluster.ok(
      `mutation { patchConfigMap(namespace: "snapshot", name: "cm-15", patch: { data: { name: "changed" } }) { kind } }`,
    );
    await apply(configMap('cm-13a', {}, 'snapshot'));

    const second = (
      await listConfigMaps({ namespace: 'snapshot', limit: 10, continue: first.metadata.continue })
    ).data!.configMaps;
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    expect(second.items.map((i) => i.metadata.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `cm-${i + 10}`),
    );
    expect(second.items.find((i) => i.metadata.name === 'cm-15')?.data).toEqual({ name: 'cm-15' });
    expect(second.metadata.remainingItemCount).toBe(5);

    const third = (
      await listConfigMaps({ namespace: 'snapshot', limit: 10, continue: second.metadata.continue })
    ).data!.configMaps;
    expect(third.items.map((i) => i.metadata.name)).toEqual(['cm-20', 'cm-21', 'cm-22', 'cm-23', 'cm-24']);

    // A new list sees the present.
    const now = (await listConfigMaps({ namespace: 'snapshot' })).data!.configMaps;
    const names = now.items.map((i) => i.metadata.name);
    expect(names).toHaveLength(24);
    expect(names).toContain('cm-13a');
    expect(names).not.toContain('cm-12');
    expect(names).not.toContain('cm-05');
    expect(now.items.find((i) => i.metadata.name === 'cm-15')?.data).toEqual({ name: 'changed' });
    expect(Number(now.metadata.resourceVersion)).toBeGreaterThan(Number(first.metadata.resourceVersion));
  });

  it.each([
    ['garbage', 'garbage'],
    ['not JSON', Buffer.from('{nope').toString('base64url')],
    ['wrong fields', Buffer.from(JSON.stringify({ rv: 'x', key: 1 })).toString('base64url')],
  ])('answers BAD_REQUEST for a continue token that is %s', async (_what, token) => {
    const error = expectCode(
      await listConfigMaps({ namespace: 'pages', limit: 10, continue: token }),
      'BAD_REQUEST',
    );
    expect(error.message).toContain('continue');
  });
});
