import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HPAObject } from '../../agent/controllers/horizontal-pod-autoscaler.ts';
import {
  condition,
  deployment,
  events,
  pods,
  startE2ECluster,
  until,
  type DeploymentObject,
  type E2ECluster,
} from '../support/e2e.ts';

// The HorizontalPodAutoscaler's whole loop on hollow nodes, where the simulated runtime's
// kubeql.io/simulate-cpu annotation drives usage. Its reconcile against fixture caches
// is in hpa-scaling.test.ts and hpa-metrics.test.ts.

const SIMULATE_CPU = 'kubeql.io/simulate-cpu';

describe('HPA on hollow nodes', () => {
  // Usage reported every 200 ms, HPAs evaluated every 300 ms, a 3 s scale-down stabilization window.
  const STABILIZATION_MS = 3000;
  let e: E2ECluster;
  beforeAll(async () => {
    e = await startE2ECluster({
      nodes: 2,
      nodeOptions: { metricsIntervalMs: 200 },
      controllerOptions: { hpaSyncPeriodMs: 300, hpaDownscaleStabilizationMs: STABILIZATION_MS },
    });
  });
  afterAll(() => e?.stop());

  const deploymentReplicas = async (ns: string) =>
    (await e.api.get<DeploymentObject>('Deployment', 'web', ns))?.spec?.replicas;
  const getHpa = (ns: string) => e.api.get<HPAObject>('HorizontalPodAutoscaler', 'web', ns);
  /** Sets every running pod's simulated CPU (millicores per container). */
  const setCpu = async (ns: string, millicores: number) => {
    for (const p of await pods(e.api, ns, 'app=web')) {
      await e.writer.patch('Pod', p.metadata.name!, ns, {
        metadata: { annotations: { [SIMULATE_CPU]: String(millicores) } },
      });
    }
  };

  it('scales a Deployment up when its CPU rises above target, holds at maxReplicas, and back down to minReplicas after the window', async () => {
    const ns = await e.namespace('hpa');
    const web = deployment(ns, 'web', { replicas: 1, podAnnotations: { [SIMULATE_CPU]: '10' } });
    web.spec!.template.spec!.containers[0].resources = { requests: { cpu: '100m' } };
    await e.writer.create(web);
    await e.writer.create({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: ns },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 4,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
          },
        ],
      },
    });

    // Below minReplicas: up to 2 at once, before any metric.
    await until(async () => (await deploymentReplicas(ns)) === 2, 'minReplicas');
    // 10% of the request against 50%: the HPA reads it and would go to 1, but minReplicas holds.
    const idle = await until(
      async () => {
        const hpa = await getHpa(ns);
        const current = hpa?.status?.currentMetrics?.[0]?.resource?.current;
        return (
          current?.averageUtilization === 10 &&
          condition(hpa, 'ScalingLimited')?.reason === 'TooFewReplicas' &&
          hpa
        );
      },
      'the HPA to see 10% utilization',
      20_000,
    );
    expect(idle.status).toMatchObject({ currentReplicas: 2, desiredReplicas: 2 });
    expect(idle.status?.currentMetrics?.[0]?.resource?.current?.averageValue).toBe('10m');
    expect(condition(idle, 'ScalingActive')).toMatchObject({ status: 'True', reason: 'ValidMetricFound' });

    // 400% of request: far above target; the legacy rate allows 4 at once, and 4 is the max.
    await setCpu(ns, 400);
    await until(async () => (await deploymentReplicas(ns)) === 4, 'scale up to maxReplicas', 20_000);
    const rescales = async () =>
      (await events(e.api, ns, 'web'))
        .filter((ev) => ev.reason === 'SuccessfulRescale')
        .map((ev) => ev.message);
    // Events are written in the background and listed by name: wait for both, in any order.
    const upEvents = await until(async () => {
      const messages = await rescales();
      return messages.length === 2 && messages;
    }, 'two SuccessfulRescale events');
    expect(upEvents.sort()).toEqual([
      'New size: 2; reason: Current number of replicas below Spec.MinReplicas',
      'New size: 4; reason: cpu resource utilization (percentage of request) above target',
    ]);
    // The new pods run at 10%: (400 + 400 + 10 + 10) / 4 = 205%, still above target: held at max.
    const held = await until(
      async () => {
        const hpa = await getHpa(ns);
        return condition(hpa, 'ScalingLimited')?.reason === 'TooManyReplicas' && hpa;
      },
      'TooManyReplicas',
      20_000,
    );
    expect(condition(held, 'ScalingLimited')?.status).toBe('True');
    expect(await deploymentReplicas(ns)).toBe(4);

    // All idle: the recommendation drops to 1, but the window keeps the last 4 for 3 s.
    await setCpu(ns, 10);
    const calmedAt = Date.now();
    await until(
      async () => {
        const hpa = await getHpa(ns);
        return condition(hpa, 'AbleToScale')?.reason === 'ScaleDownStabilized';
      },
      'ScaleDownStabilized',
      20_000,
    );
    const scaledDown = await until(
      async () => (await deploymentReplicas(ns)) === 2 && Date.now(),
      'scale down',
      30_000,
    );
    expect(scaledDown - calmedAt).toBeGreaterThanOrEqual(STABILIZATION_MS - 1000);
    await until(
      async () => (await rescales()).includes('New size: 2; reason: All metrics below target'),
      'the scale-down event',
    );
    const final = await until(async () => {
      const hpa = await getHpa(ns);
      return hpa?.status?.currentReplicas === 2 && hpa;
    }, 'the status to follow');
    expect(final.status?.lastScaleTime).toBeDefined();
  }, 120_000);
});
