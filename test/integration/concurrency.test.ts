import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/harness.ts';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster();
});
afterAll(() => cluster.stop());

const GET = `query($n: String!) { configMap(name: $n) { metadata { name resourceVersion annotations } } }`;
const REPLACE = `mutation($n: String!, $cm: ConfigMapInput!) {
  replaceConfigMap(name: $n, configMap: $cm) { metadata { resourceVersion annotations } }
}`;

describe('optimistic concurrency', () => {
  it('refuses a replace with a stale resourceVersion with CONFLICT and changes nothing', async () => {
    await cluster.ok(
      `mutation { createConfigMap(configMap: { metadata: { name: "stale" }, data: { v: "1" } }) { kind } }`,
    );
    const { configMap } = await cluster.ok(GET, { n: 'stale' });
    const stale = configMap.metadata.resourceVersion;
    await cluster.ok(REPLACE, {
      n: 'stale',
      cm: { metadata: { name: 'stale', resourceVersion: stale }, data: { v: '2' } },
    });
    const result = await cluster.gql(REPLACE, {
      n: 'stale',
      cm: { metadata: { name: 'stale', resourceVersion: stale }, data: { v: '3' } },
    });
    expect(result.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(result.errors?.[0].message).toMatch(/the object has been modified/);
    const after = await cluster.ok(`{ configMap(name: "stale") { data } }`);
    expect(after.configMap.data).toEqual({ v: '2' });
  });

  it('20 clients incrementing one annotation 25 times each with read-modify-write end at exactly 500', async () => {
    await cluster.ok(
      `mutation { createConfigMap(configMap: { metadata: { name: "counter", annotations: { n: "0" } } }) { kind } }`,
    );
    let conflicts = 0;
    const client = async () => {
      let backoff = 1;
      for (let done = 0; done < 25;) {
        const { configMap } = await cluster.ok(GET, { n: 'counter' });
        const next = String(Number(configMap.metadata.annotations.n) + 1);
        const result = await cluster.gql(REPLACE, {
          n: 'counter',
          cm: {
            metadata: {
              name: 'counter',
              resourceVersion: configMap.metadata.resourceVersion,
              annotations: { n: next },
            },
          },
        });
        if (result.errors?.[0].extensions?.code === 'CONFLICT') {
          conflicts++;
          // Jittered exponential back-off, as client-go's retry.RetryOnConflict does.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * backoff));
          backoff = Math.min(backoff * 2, 64);
        } else if (result.errors) throw new Error(JSON.stringify(result.errors));
        else {
          done++;
          backoff = 1;
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, client));
    const { configMap } = await cluster.ok(GET, { n: 'counter' });
    expect(configMap.metadata.annotations.n).toBe('500');
    // With 20 writers racing, some read-modify-write cycles must have lost the race.
    expect(conflicts).toBeGreaterThan(0);
  }, 120_000); // 500 contended read-modify-write cycles: seconds on a quiet machine, more under CI load.

  it('a merge patch carrying a stale resourceVersion is a CONFLICT too', async () => {
    await cluster.ok(`mutation { createConfigMap(configMap: { metadata: { name: "patchy" } }) { kind } }`);
    const result = await cluster.gql(
      `mutation { patchConfigMap(name: "patchy", patch: { metadata: { resourceVersion: "1" }, data: { a: "b" } }) { kind } }`,
    );
    expect(result.errors?.[0].extensions?.code).toBe('CONFLICT');
  });
});
