import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '../../client/index.ts';
import { deployment, events, startE2ECluster, until, type E2ECluster } from '../support/e2e.ts';

// A HorizontalPodAutoscaler whose target is a custom resource with a scale subresource,
// on hollow nodes: it reads the replicas and the pod selector at the definition's paths
// and writes the new count at its specReplicasPath.

const SIMULATE_CPU = 'kubeql.io/simulate-cpu';

type Shard = Resource & { spec?: { size?: number }; status?: { selector?: string } };

const SHARD_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'shards.hpa.example.com' },
  spec: {
    group: 'hpa.example.com',
    scope: 'Namespaced',
    names: { plural: 'shards', kind: 'Shard' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { size: { type: 'integer' } } },
              status: {
                type: 'object',
                properties: { ready: { type: 'integer' }, selector: { type: 'string' } },
              },
            },
          },
        },
        subresources: {
          status: {},
          scale: {
            specReplicasPath: '.spec.size',
            statusReplicasPath: '.status.ready',
            labelSelectorPath: '.status.selector',
          },
        },
      },
    ],
  },
};

describe('an HPA targeting a custom resource', () => {
  let e: E2ECluster;
  beforeAll(async () => {
    e = await startE2ECluster({
      nodes: 1,
      nodeOptions: { metricsIntervalMs: 200 },
      controllerOptions: { hpaSyncPeriodMs: 300 },
    });
    await e.writer.create(SHARD_CRD as unknown as Resource);
  });
  afterAll(() => e?.stop());

  it("scales it by its pods' usage, through its scale subresource's paths", async () => {
    const ns = await e.namespace('crd-hpa');
    // The pods the shard's selector names: busy at 400% of their request.
    const pods = deployment(ns, 'orders', { replicas: 2, podAnnotations: { [SIMULATE_CPU]: '400' } });
    pods.spec!.template.spec!.containers[0].resources = { requests: { cpu: '100m' } };
    await e.writer.create(pods);
    const shard = await e.writer.create<Shard>({
      apiVersion: 'hpa.example.com/v1',
      kind: 'Shard',
      metadata: { name: 'orders', namespace: ns },
      spec: { size: 2 },
    });
    await e.writer.updateStatus(shard, { ready: 2, selector: 'app=orders' });
    await e.writer.create({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'orders', namespace: ns },
      spec: {
        scaleTargetRef: { apiVersion: 'hpa.example.com/v1', kind: 'Shard', name: 'orders' },
        minReplicas: 1,
        maxReplicas: 5,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
          },
        ],
      },
    } as Resource);

    const size = async () => (await e.api.get<Shard>('Shard', 'orders', ns))?.spec?.size;
    await until(async () => (await size()) === 5, 'the shard scaled to maxReplicas', 20_000);
    const rescaled = await until(async () => {
      const messages = (await events(e.api, ns, 'orders'))
        .filter((ev) => ev.reason === 'SuccessfulRescale')
        .map((ev) => ev.message);
      return messages.length > 0 && messages;
    }, 'a SuccessfulRescale event');
    expect(rescaled[0]).toMatch(
      /^New size: [45]; reason: cpu resource utilization \(percentage of request\) above target$/,
    );
  });
});
