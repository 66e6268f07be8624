import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createClient,
  createInformer,
  remoteTransport,
  type KubeqlClient,
  type Transport,
} from '../../client/index.ts';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from '../../schema/list-limits.ts';
import { kqEnv } from '../support/cli.ts';
import { clusterPerFile } from '../support/cluster-per-file.ts';
import { configMap, expectCode, listApi } from '../support/list-queries.ts';
import { waitFor } from '../support/wait.ts';

const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
const KQ = fileURLToPath(new URL('../../cmd/kq.ts', import.meta.url));

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

describe('bounded pages (schema/list-limits.ts)', () => {
  const TOTAL = 20_000;
  const name = (i: number) => `bulk-${String(i).padStart(5, '0')}`;
  let client: KubeqlClient;
  /** The list queries the client's transport sent, and the size of each answer. */
  let pages: number[];

  beforeAll(async () => {
    await apply('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: bulk\n');
    // Straight into the server's resource service, a thousand per commit: the test is
    // about reading them, and 20,000 mutations over HTTP would take most of a minute.
    for (let start = 0; start < TOTAL; start += 1000) {
      const items = Array.from({ length: 1000 }, (_, i) => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: name(start + i) },
        data: { n: String(start + i) },
      }));
      await cluster.server.resources.apply(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }), 'bulk');
    }
    const remote = remoteTransport({ url: cluster.url, token: cluster.token });
    const counting: Transport = {
      ...remote,
      async execute<T>(query: string, variables?: Record<string, unknown>) {
        const result = await remote.execute<T>(query, variables);
        const data = result.data as Record<string, { items?: unknown[] }> | null | undefined;
        const list = data?.configMaps;
        if (list?.items) pages.push(list.items.length);
        return result;
      },
    };
    client = createClient({ transport: counting });
  }, 120_000);
  afterAll(() => client?.close());
  beforeEach(() => {
    pages = [];
  });

  it('answers a list without limit with the default page, a continue and remainingItemCount', async () => {
    const first = (await listConfigMaps({ namespace: 'bulk' })).data!.configMaps;
    expect(first.items).toHaveLength(DEFAULT_LIST_LIMIT);
    expect(first.items[0].metadata.name).toBe(name(0));
    expect(first.items.at(-1)!.metadata.name).toBe(name(DEFAULT_LIST_LIMIT - 1));
    expect(first.metadata.continue).toEqual(expect.any(String));
    expect(first.metadata.remainingItemCount).toBe(TOTAL - DEFAULT_LIST_LIMIT);

    // The next page without a limit is a default page too, where the first one ended.
    const second = (await listConfigMaps({ namespace: 'bulk', continue: first.metadata.continue })).data!
      .configMaps;
    expect(second.items).toHaveLength(DEFAULT_LIST_LIMIT);
    expect(second.items[0].metadata.name).toBe(name(DEFAULT_LIST_LIMIT));
    expect(second.metadata.remainingItemCount).toBe(TOTAL - 2 * DEFAULT_LIST_LIMIT);

    // Across all namespaces, and with a selector that matches every one, the same bound.
    const everywhere = (await listConfigMaps({})).data!.configMaps;
    expect(everywhere.items).toHaveLength(DEFAULT_LIST_LIMIT);
    expect(everywhere.metadata.continue).toEqual(expect.any(String));
    const selected = (await listConfigMaps({ namespace: 'bulk', fieldSelector: 'metadata.namespace=bulk' }))
      .data!.configMaps;
    expect(selected.items).toHaveLength(DEFAULT_LIST_LIMIT);
    expect(selected.metadata.continue).toEqual(expect.any(String));
    expect(selected.metadata.remainingItemCount).toBeNull();

    // Kubernetes reads 0 as "no limit": here it is the default page as well.
    for (const limit of [0, -1]) {
      const page = (await listConfigMaps({ namespace: 'bulk', limit })).data!.configMaps;
      expect(page.items).toHaveLength(DEFAULT_LIST_LIMIT);
    }
  });

  it('clamps a limit above the maximum to it, and the schema says so', async () => {
    const page = (await listConfigMaps({ namespace: 'bulk', limit: 100_000 })).data!.configMaps;
    expect(page.items).toHaveLength(MAX_LIST_LIMIT);
    expect(page.metadata.remainingItemCount).toBe(TOTAL - MAX_LIST_LIMIT);
    const next = (
      await listConfigMaps({ namespace: 'bulk', limit: 100_000, continue: page.metadata.continue })
    ).data!.configMaps;
    expect(next.items[0].metadata.name).toBe(name(MAX_LIST_LIMIT));

    const { __type } = await cluster.ok<{
      __type: { fields: Array<{ name: string; args: Array<{ name: string; description: string | null }> }> };
    }>(`{ __type(name: "Query") { fields { name args { name description } } } }`);
    for (const field of ['configMaps', 'pods', 'nodes', 'namespaces']) {
      const limit = __type.fields.find((f) => f.name === field)!.args.find((a) => a.name === 'limit')!;
      expect(limit.description).toContain(`${DEFAULT_LIST_LIMIT}`);
      expect(limit.description).toContain(`clamped to ${MAX_LIST_LIMIT}`);
    }
  });

  it("the SDK's list is one page, its listAll every page", async () => {
    const one = await client.list('ConfigMap', { namespace: 'bulk' });
    expect(one.items).toHaveLength(DEFAULT_LIST_LIMIT);
    expect(one.continue).toEqual(expect.any(String));

    pages = [];
    const all = await client.listAll('ConfigMap', { namespace: 'bulk' });
    expect(all.items).toHaveLength(TOTAL);
    expect(new Set(all.items.map((cm) => cm.metadata.name)).size).toBe(TOTAL);
    expect(all.items.at(-1)!.metadata.name).toBe(name(TOTAL - 1));
    expect(pages).toEqual(Array(TOTAL / DEFAULT_LIST_LIMIT).fill(DEFAULT_LIST_LIMIT));

    // A larger page size is clamped by the server, and listAll still gets everything.
    pages = [];
    const big = await client.listAll('ConfigMap', { namespace: 'bulk', pageSize: 100_000 });
    expect(big.items).toHaveLength(TOTAL);
    expect(pages).toEqual(Array(TOTAL / MAX_LIST_LIMIT).fill(MAX_LIST_LIMIT));
  }, 60_000); // 40 pages of 500, and a loaded two-core machine

  it('an informer lists every page before it watches', async () => {
    const informer = createInformer(client, 'ConfigMap', { namespace: 'bulk' }).start();
    try {
      await informer.waitForSync();
      expect(informer.size).toBe(TOTAL);
      expect(pages.length).toBe(TOTAL / DEFAULT_LIST_LIMIT);
      // And it watches from the list's revision: a change after it arrives.
      await cluster.ok(
        `mutation { patchConfigMap(namespace: "bulk", name: "${name(TOTAL - 1)}", patch: { data: { n: "changed" } }) { kind } }`,
      );
      const last = () => informer.get(`bulk/${name(TOTAL - 1)}`)?.data as Record<string, string> | undefined;
      await waitFor(() => last()?.n === 'changed', { what: 'the change, through the watch' });
    } finally {
      await informer.stop();
    }
  }, 60_000); // 40 pages of 500, and a loaded two-core machine

  it('`kq get configmaps -A | wc -l` counts every one of them', async () => {
    const total = (await client.listAll('ConfigMap')).items.length;
    expect(total).toBeGreaterThan(TOTAL);
    // Through a real pipe: kq must not exit before wc has read the whole table.
    const { stdout } = await shell(
      `"${TSX}" "${KQ}" get configmaps -A | wc -l`,
      kqEnv({ url: cluster.url, token: cluster.token }),
    );
    // A header line, then a line per ConfigMap.
    expect(Number(stdout.trim())).toBe(total + 1);
  }, 120_000); // the kq process starts under tsx, then reads 40 pages
});

/** `bash -o pipefail -c COMMAND`: its stdout, once every command of it exits with 0 (else it rejects). */
function shell(command: string, env: Record<string, string>): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      ['-o', 'pipefail', '-c', command],
      { env, maxBuffer: 1 << 20 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${command}: ${error.message}\n${stderr}`)) : resolve({ stdout }),
    );
  });
}
