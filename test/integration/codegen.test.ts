import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERATED_FILE, generateClientTypes } from '../../scripts/codegen.ts';
import { createClient, execute, operations, subscribe, type KubeqlClient } from '../../client/index.ts';
import { startHollowCluster, type HollowCluster } from '../support/hollow.ts';
import { waitFor } from '../support/wait.ts';

describe('generated client types', () => {
  it('are up to date with schema/schema.graphql and client/operations (run `npm run codegen`)', async () => {
    expect(fs.readFileSync(GENERATED_FILE, 'utf8')).toBe(await generateClientTypes());
  });
});

describe('typed operations against a cluster', () => {
  let cluster: HollowCluster;
  let client: KubeqlClient;
  beforeAll(async () => {
    cluster = await startHollowCluster({ nodes: 2 });
    client = createClient({ url: cluster.url, token: cluster.token });
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    await cluster?.stop();
  });

  it('apply, a deployment tree, the nodes overview and rolloutStatus are typed end to end', async () => {
    const applied = await execute(client, operations.ApplyDocument, {
      manifests: `apiVersion: apps/v1
kind: Deployment
metadata: { name: typed, namespace: default }
spec:
  replicas: 2
  selector: { matchLabels: { app: typed } }
  template:
    metadata: { labels: { app: typed } }
    spec: { containers: [{ name: c, image: busybox }] }`,
    });
    expect(applied.apply.map((obj) => obj.kind)).toEqual(['Deployment']);

    const status = subscribe(client, operations.RolloutStatusDocument, { name: 'typed', timeoutSeconds: 30 });
    let last: { done: boolean; failed: boolean; message: string } | undefined;
    for await (const item of status) last = item.rolloutStatus;
    expect(last).toMatchObject({
      done: true,
      failed: false,
      message: 'deployment "typed" successfully rolled out',
    });

    const tree = await execute(client, operations.DeploymentTreeDocument, { name: 'typed' });
    const replicaSets = tree.deployment?.replicaSets ?? [];
    expect(replicaSets).toHaveLength(1);
    expect(replicaSets[0].pods?.map((pod) => pod.status?.phase)).toEqual(['Running', 'Running']);

    await waitFor(async () => {
      const overview = await execute(client, operations.NodesOverviewDocument);
      return overview.nodes.items.reduce((n, node) => n + (node.pods?.length ?? 0), 0) === 2;
    });
  });
});
