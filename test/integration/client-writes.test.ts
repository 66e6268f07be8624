import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createClient,
  isCode,
  resourceWriter,
  type KubeqlClient,
  type Resource,
} from '../../client/index.ts';
import { startCluster, type TestCluster } from '../support/harness.ts';

let cluster: TestCluster;
let client: KubeqlClient;
beforeAll(async () => {
  cluster = await startCluster();
  client = createClient({ url: cluster.url, token: cluster.token });
});
afterAll(async () => {
  await client.close();
  await cluster.stop();
});

describe('resourceWriter', () => {
  it('creates, replaces, patches, writes status, binds and deletes any kind', async () => {
    const writer = resourceWriter(client);
    const node = await writer.create<Resource>({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'w-node' },
    });
    expect(node.metadata.uid).toBeTruthy();
    const pod = await writer.create<Resource>({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'w-pod', namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    expect(pod.spec).toMatchObject({ restartPolicy: 'Always' });

    const relabelled = await writer.replace({ ...pod, metadata: { ...pod.metadata, labels: { a: 'b' } } });
    expect(relabelled.metadata.labels).toEqual({ a: 'b' });
    await expect(writer.replace(pod)).rejects.toSatisfy((e) => isCode(e, 'CONFLICT'));

    const patched = await writer.patch('Pod', 'w-pod', 'default', { metadata: { annotations: { x: 'y' } } });
    expect(patched.metadata.annotations).toEqual({ x: 'y' });

    const bound = await writer.bind('default', 'w-pod', 'w-node');
    expect(bound.spec).toMatchObject({ nodeName: 'w-node' });

    const running = await writer.updateStatus(bound, { ...(bound.status as object), phase: 'Running' });
    expect(running.status).toMatchObject({ phase: 'Running' });
    const nodeStatus = await writer.updateStatus(node, { capacity: { cpu: '2' } });
    expect(nodeStatus.status).toMatchObject({ allocatable: { cpu: '2' } });

    const marked = await writer.delete('Pod', 'w-pod', 'default');
    expect(marked?.metadata.deletionTimestamp).toBeTruthy();
    await writer.delete('Pod', 'w-pod', 'default', { gracePeriodSeconds: 0 });
    expect(await client.get('Pod', 'w-pod', 'default')).toBeNull();
    await writer.delete('Node', 'w-node', undefined);
    expect(await client.get('Node', 'w-node')).toBeNull();
  });
});
