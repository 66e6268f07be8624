import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '../../client/index.ts';
import { hpaReconciler, type HPAObject } from '../../agent/controllers/horizontal-pod-autoscaler.ts';
import { selectorText, type PodUsageSample } from '../../agent/controllers/hpa-metrics.ts';
import { ScalingHistory } from '../../agent/controllers/hpa-scaling.ts';
import type { HorizontalPodAutoscalerSpec } from '../../schema/kinds/hpa.ts';
import { fixtureContext } from '../support/controller-fixture.ts';
import {
  condition,
  deployment,
  events,
  pods,
  startE2ECluster,
  until,
  type DeploymentObject,
  type E2ECluster,
  type PodObject,
} from '../support/e2e.ts';

// The HorizontalPodAutoscaler: its reconcile against fixture caches (fake metrics and
// scale clients, a clock of our own), then the whole loop on hollow nodes, where the
// simulated runtime's kubeql.io/simulate-cpu annotation drives usage.

const T0 = Date.parse('2026-01-01T12:00:00Z');
const SIMULATE_CPU = 'kubeql.io/simulate-cpu';

interface PodFixture {
  cpu?: string | null;
  memory?: string;
  phase?: string;
  ready?: boolean;
  /** ms before the clock's start the pod started (10 min: past the CPU initialization period). */
  startedAgo?: number;
  readyAgo?: number;
  deleting?: boolean;
}

function pod(name: string, o: PodFixture = {}): PodObject {
  const start = T0 - (o.startedAgo ?? 600_000);
  const requests: Record<string, string> = {};
  if (o.cpu !== null) requests.cpu = o.cpu ?? '100m';
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels: { app: 'web' },
      ...(o.deleting ? { deletionTimestamp: new Date(T0).toISOString() } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests } }] },
    status: {
      phase: (o.phase ?? 'Running') as 'Running',
      startTime: new Date(start).toISOString(),
      conditions: [
        {
          type: 'Ready',
          status: o.ready === false ? 'False' : 'True',
          lastTransitionTime: new Date(T0 - (o.readyAgo ?? 540_000)).toISOString(),
        },
      ],
    },
  };
}

function target(replicas: number, kind = 'Deployment'): Resource {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name: 'web', namespace: 'default', uid: 'uid-web' },
    spec: { replicas, selector: { matchLabels: { app: 'web' } } },
  };
}

function hpa(spec: Partial<HorizontalPodAutoscalerSpec> = {}, status?: HPAObject['status']): HPAObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-hpa', resourceVersion: '7', generation: 1 },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 1,
      maxReplicas: 10,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
        },
      ],
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}

/** Usage per pod name: millicores, and optionally memory bytes. */
type Usage = Record<string, { cpu: number; memory?: number }>;

function setup(objects: Resource[], usage: Usage, options: { history?: ScalingHistory } = {}) {
  const fixture = fixtureContext(objects);
  const scaled: Array<{ kind: string; name: string; replicas: number }> = [];
  const clock = { now: T0 };
  let current = usage;
  const reconcile = hpaReconciler(fixture.ctx, {
    now: () => clock.now,
    history: options.history,
    metrics: async (namespace, labelSelector) => {
      expect(namespace).toBe('default');
      expect(labelSelector).toBe('app=web');
      return Object.entries(current).map(([name, u]): PodUsageSample => ({
        name,
        timestamp: clock.now - 1000,
        windowMs: 10_000,
        containers: [{ name: 'c', cpuNanoCores: u.cpu * 1e6, memoryBytes: u.memory ?? 0 }],
      }));
    },
    scale: async (kind, _namespace, name, replicas) => {
      scaled.push({ kind, name, replicas });
    },
  });
  return {
    ...fixture,
    scaled,
    clock,
    reconcile: () => reconcile('default/web'),
    setUsage: (next: Usage) => (current = next),
    status: () => fixture.writes.filter((w) => w.verb === 'updateStatus').at(-1)?.body as HPAObject['status'],
  };
}

const conditionOf = (status: HPAObject['status'], type: string) =>
  status?.conditions?.find((c) => c.type === type);

describe('HPA reconcile (fixture)', () => {
  it('scales up by ceil(current × utilization / target), at most max(2×current, 4) at once without behavior', async () => {
    const f = setup([hpa(), target(2), pod('web-a'), pod('web-b')], {
      'web-a': { cpu: 200 },
      'web-b': { cpu: 200 },
    });
    expect(await f.reconcile()).toEqual({ requeueAfterMs: 15_000 });
    // 200% of request against 50%: 8 wanted, 4 allowed from 2.
    expect(f.scaled).toEqual([{ kind: 'Deployment', name: 'web', replicas: 4 }]);
    expect(f.events).toEqual([
      {
        kind: 'HorizontalPodAutoscaler',
        name: 'web',
        type: 'Normal',
        reason: 'SuccessfulRescale',
        message: 'New size: 4; reason: cpu resource utilization (percentage of request) above target',
      },
    ]);
    const status = f.status();
    expect(status).toMatchObject({
      currentReplicas: 2,
      desiredReplicas: 4,
      lastScaleTime: '2026-01-01T12:00:00Z',
      currentMetrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', current: { averageUtilization: 200, averageValue: '200m' } },
        },
      ],
    });
    expect(status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['AbleToScale', 'True', 'SucceededRescale'],
      ['ScalingActive', 'True', 'ValidMetricFound'],
      ['ScalingLimited', 'True', 'ScaleUpLimit'],
    ]);
    expect(conditionOf(status, 'AbleToScale')?.message).toBe(
      'the HPA controller was able to update the target scale to 4',
    );
    expect(conditionOf(status, 'ScalingActive')?.message).toBe(
      'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
    );
  });

  it('stays within 10% tolerance, and writes nothing when the status would not change', async () => {
    const f = setup([hpa(), target(2), pod('web-a'), pod('web-b')], {
      'web-a': { cpu: 54 },
      'web-b': { cpu: 54 },
    });
    await f.reconcile();
    expect(f.scaled).toEqual([]);
    expect(f.events).toEqual([]);
    const status = f.status()!;
    expect(status).toMatchObject({ currentReplicas: 2, desiredReplicas: 2 });
    expect(status.lastScaleTime).toBeUndefined();
    expect(conditionOf(status, 'AbleToScale')?.reason).toBe('ReadyForNewScale');
    expect(conditionOf(status, 'ScalingLimited')).toMatchObject({
      status: 'False',
      reason: 'DesiredWithinRange',
    });

    // Run again over the status just written: nothing to write.
    const again = setup([hpa({}, status), target(2), pod('web-a'), pod('web-b')], {
      'web-a': { cpu: 54 },
      'web-b': { cpu: 54 },
    });
    await again.reconcile();
    expect(again.writes).toEqual([]);
  });

  it('keeps the highest recommendation of the stabilization window before scaling down, then respects minReplicas', async () => {
    const history = new ScalingHistory();
    const objects = [hpa({ minReplicas: 2 }), target(4), ...['a', 'b', 'c', 'd'].map((n) => pod(`web-${n}`))];
    const low: Usage = { 'web-a': { cpu: 5 }, 'web-b': { cpu: 5 }, 'web-c': { cpu: 5 }, 'web-d': { cpu: 5 } };
    const f = setup(objects, low, { history });
    await f.reconcile();
    expect(f.scaled).toEqual([]);
    expect(conditionOf(f.status(), 'AbleToScale')).toMatchObject({
      reason: 'ScaleDownStabilized',
      message:
        'recent recommendations were higher than current one, applying the highest recent recommendation',
    });
    expect(f.status()).toMatchObject({ currentReplicas: 4, desiredReplicas: 4 });

    f.clock.now += 299_000;
    await f.reconcile();
    expect(f.scaled).toEqual([]);

    // Five minutes after the last recommendation of 4: down to minReplicas.
    f.clock.now += 2_000;
    await f.reconcile();
    expect(f.scaled).toEqual([{ kind: 'Deployment', name: 'web', replicas: 2 }]);
    expect(f.events.at(-1)?.message).toBe('New size: 2; reason: All metrics below target');
    expect(conditionOf(f.status(), 'ScalingLimited')).toMatchObject({
      status: 'True',
      reason: 'TooFewReplicas',
    });
  });

  it('caps at maxReplicas (TooManyReplicas)', async () => {
    const f = setup([hpa({ maxReplicas: 3 }), target(2), pod('web-a'), pod('web-b')], {
      'web-a': { cpu: 100 },
      'web-b': { cpu: 100 },
    });
    await f.reconcile();
    expect(f.scaled).toEqual([{ kind: 'Deployment', name: 'web', replicas: 3 }]);
    expect(conditionOf(f.status(), 'ScalingLimited')).toMatchObject({
      status: 'True',
      reason: 'TooManyReplicas',
      message: 'the desired replica count is more than the maximum replica count',
    });
  });

  it('brings a target outside [min, max] back inside without reading metrics', async () => {
    const above = setup([hpa({ maxReplicas: 3 }), target(6)], {});
    await above.reconcile();
    expect(above.scaled).toEqual([{ kind: 'Deployment', name: 'web', replicas: 3 }]);
    expect(above.events[0].message).toBe(
      'New size: 3; reason: Current number of replicas above Spec.MaxReplicas',
    );
    const below = setup([hpa({ minReplicas: 2 }), target(1)], {});
    await below.reconcile();
    expect(below.scaled).toEqual([{ kind: 'Deployment', name: 'web', replicas: 2 }]);
    expect(below.events[0].message).toBe(
      'New size: 2; reason: Current number of replicas below Spec.MinReplicas',
    );
  });

  it('leaves a target scaled to zero alone (ScalingDisabled)', async () => {
    const f = setup([hpa(), target(0)], {});
    await f.reconcile();
    expect(f.scaled).toEqual([]);
    expect(conditionOf(f.status(), 'ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'ScalingDisabled',
    });
    expect(f.status()).toMatchObject({ currentReplicas: 0, desiredReplicas: 0 });
  });

  it('counts pods without metrics as using nothing on a scale up, and unready pods too', async () => {
    // 100% of request on two pods, target 50%; a third has no metrics yet, a fourth is Pending.
    const f = setup(
      [hpa(), target(4), pod('web-a'), pod('web-b'), pod('web-c'), pod('web-d', { phase: 'Pending' })],
      {
        'web-a': { cpu: 100 },
        'web-b': { cpu: 100 },
      },
    );
    await f.reconcile();
    // (100 + 100 + 0 + 0) / 400 = 50%: exactly on target, so no change.
    expect(f.scaled).toEqual([]);
    expect(f.status()).toMatchObject({ desiredReplicas: 4 });

    const g = setup([hpa(), target(3), pod('web-a'), pod('web-b'), pod('web-c')], {
      'web-a': { cpu: 100 },
      'web-b': { cpu: 100 },
    });
    await g.reconcile();
    // (100 + 100 + 0) / 300 = 66%: ratio 1.33 over 3 pods → 4.
    expect(g.scaled).toEqual([{ kind: 'Deployment', name: 'web', replicas: 4 }]);
  });

  it('counts pods without metrics as using their request on a scale down, which can cancel it', async () => {
    // 10% on one pod, the other missing: assumed 100% (max(100, target)) → 55% → ratio 1.1 → within tolerance.
    const f = setup([hpa(), target(2), pod('web-a'), pod('web-b')], { 'web-a': { cpu: 10 } });
    await f.reconcile();
    expect(f.scaled).toEqual([]);
    expect(f.status()).toMatchObject({ desiredReplicas: 2 });
  });

  it('ignores CPU samples of a pod that turned ready less than a window before the sample', async () => {
    // Started a minute ago (within the 5 min initialization period), ready 5 s ago, sample 1 s ago over 10 s.
    const f = setup([hpa(), target(2), pod('web-a'), pod('web-b', { startedAgo: 60_000, readyAgo: 5_000 })], {
      'web-a': { cpu: 100 },
      'web-b': { cpu: 1000 },
    });
    await f.reconcile();
    // web-b is unready and scaling up: it counts as 0 → (100 + 0) / 200 = 50% → no change.
    expect(f.scaled).toEqual([]);
  });

  it('ignores pods being deleted and failed pods', async () => {
    const f = setup(
      [hpa(), target(2), pod('web-a'), pod('web-b', { deleting: true }), pod('web-c', { phase: 'Failed' })],
      {
        'web-a': { cpu: 100 },
        'web-b': { cpu: 1000 },
        'web-c': { cpu: 1000 },
      },
    );
    await f.reconcile();
    // Only web-a: 100% → ratio 2 → ceil(2 × 1) = 2 = current.
    expect(f.scaled).toEqual([]);
    expect(f.status()).toMatchObject({
      currentMetrics: [{ resource: { current: { averageUtilization: 100, averageValue: '100m' } } }],
    });
  });

  it('scales on average memory value, naming the metric "memory resource"', async () => {
    const mi = 2 ** 20;
    const spec = {
      metrics: [
        {
          type: 'Resource' as const,
          resource: { name: 'memory', target: { type: 'AverageValue' as const, averageValue: '100Mi' } },
        },
      ],
    };
    const f = setup([hpa(spec), target(2), pod('web-a'), pod('web-b')], {
      'web-a': { cpu: 1, memory: 300 * mi },
      'web-b': { cpu: 1, memory: 100 * mi },
    });
    await f.reconcile();
    expect(f.scaled).toEqual([{ kind: 'Deployment', name: 'web', replicas: 4 }]);
    expect(f.events[0].message).toBe('New size: 4; reason: memory resource above target');
    expect(f.status()?.currentMetrics).toEqual([
      { type: 'Resource', resource: { name: 'memory', current: { averageValue: String(200 * mi) } } },
    ]);
  });

  it('reports what blocks it: no metrics, missing requests, a missing target, an unsupported metric', async () => {
    const none = setup([hpa(), target(2), pod('web-a'), pod('web-b')], {});
    await none.reconcile();
    expect(none.scaled).toEqual([]);
    const detail =
      'failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API';
    expect(conditionOf(none.status(), 'ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'FailedGetResourceMetric',
      message: `the HPA was unable to compute the replica count: ${detail}`,
    });
    expect(none.events.map((e) => [e.type, e.reason, e.message])).toEqual([
      ['Warning', 'FailedGetResourceMetric', detail],
      [
        'Warning',
        'FailedComputeMetricsReplicas',
        `invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: ${detail}`,
      ],
    ]);

    const noRequest = setup([hpa(), target(1), pod('web-a', { cpu: null })], { 'web-a': { cpu: 10 } });
    await noRequest.reconcile();
    expect(conditionOf(noRequest.status(), 'ScalingActive')?.message).toBe(
      'the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container c of Pod web-a',
    );

    const noTarget = setup([hpa()], {});
    expect(await noTarget.reconcile()).toEqual({ requeueAfterMs: 15_000 });
    expect(conditionOf(noTarget.status(), 'AbleToScale')).toMatchObject({
      status: 'False',
      reason: 'FailedGetScale',
      message:
        'the HPA controller was unable to get the target\'s current scale: deployments.apps "web" not found',
    });
    expect(noTarget.events[0]).toMatchObject({ type: 'Warning', reason: 'FailedGetScale' });

    // One metric it cannot read, one it can that asks to scale up: the scale up goes ahead.
    const mixed = setup(
      [
        hpa({
          metrics: [
            {
              type: 'Pods',
              pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } },
            },
            {
              type: 'Resource',
              resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
            },
          ],
        }),
        target(2),
        pod('web-a'),
        pod('web-b'),
      ],
      { 'web-a': { cpu: 100 }, 'web-b': { cpu: 100 } },
    );
    await mixed.reconcile();
    expect(mixed.scaled).toEqual([{ kind: 'Deployment', name: 'web', replicas: 4 }]);
    expect(mixed.events[0]).toMatchObject({ reason: 'FailedGetPodsMetric' });
  });

  it('follows behavior: scale-up policies limit the rate, a zero scale-down window scales down at once', async () => {
    const history = new ScalingHistory();
    const behavior = {
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Max' as const,
        policies: [{ type: 'Pods' as const, value: 1, periodSeconds: 60 }],
      },
      scaleDown: {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Max' as const,
        policies: [{ type: 'Percent' as const, value: 100, periodSeconds: 15 }],
      },
    };
    const f = setup(
      [hpa({ behavior }), target(2), pod('web-a'), pod('web-b')],
      { 'web-a': { cpu: 200 }, 'web-b': { cpu: 200 } },
      { history },
    );
    await f.reconcile();
    expect(f.scaled).toEqual([{ kind: 'Deployment', name: 'web', replicas: 3 }]);
    expect(conditionOf(f.status(), 'ScalingLimited')).toMatchObject({
      status: 'True',
      reason: 'ScaleUpLimit',
    });

    // At 3, still hot, 30 s later: the pod added within the policy's 60 s is its whole budget.
    f.cache('Deployment').set(target(3));
    f.cache('Pod').set(pod('web-c'));
    f.setUsage({ 'web-a': { cpu: 200 }, 'web-b': { cpu: 200 }, 'web-c': { cpu: 200 } });
    f.clock.now += 30_000;
    await f.reconcile();
    expect(f.scaled).toHaveLength(1);
    expect(f.status()).toMatchObject({ currentReplicas: 3, desiredReplicas: 3 });
    // Once the period has passed, one more.
    f.clock.now += 31_000;
    await f.reconcile();
    expect(f.scaled.at(-1)).toEqual({ kind: 'Deployment', name: 'web', replicas: 4 });

    const g = setup([hpa({ behavior }), target(4), ...['a', 'b', 'c', 'd'].map((n) => pod(`web-${n}`))], {
      'web-a': { cpu: 10 },
      'web-b': { cpu: 10 },
      'web-c': { cpu: 10 },
      'web-d': { cpu: 10 },
    });
    await g.reconcile();
    // 10% against 50% over 4 pods → ceil(0.8) = 1, with no stabilization (and no initial recommendation held).
    expect(g.scaled).toEqual([{ kind: 'Deployment', name: 'web', replicas: 1 }]);
  });

  it('scales on one container of each pod (ContainerResource)', async () => {
    const metric = (container: string) => ({
      metrics: [
        {
          type: 'ContainerResource' as const,
          containerResource: {
            name: 'cpu',
            container,
            target: { type: 'Utilization' as const, averageUtilization: 50 },
          },
        },
      ],
    });
    const usage = { 'web-a': { cpu: 100 }, 'web-b': { cpu: 100 } };
    const f = setup([hpa(metric('c')), target(2), pod('web-a'), pod('web-b')], usage);
    await f.reconcile();
    expect(f.scaled).toEqual([{ kind: 'Deployment', name: 'web', replicas: 4 }]);
    expect(f.events[0].message).toBe(
      'New size: 4; reason: cpu container resource utilization (percentage of request) above target',
    );
    expect(f.status()?.currentMetrics).toEqual([
      {
        type: 'ContainerResource',
        containerResource: {
          name: 'cpu',
          container: 'c',
          current: { averageUtilization: 100, averageValue: '100m' },
        },
      },
    ]);

    const g = setup([hpa(metric('other')), target(2), pod('web-a'), pod('web-b')], usage);
    await g.reconcile();
    expect(conditionOf(g.status(), 'ScalingActive')).toMatchObject({
      reason: 'FailedGetContainerResourceMetric',
      message:
        'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: container other not present in metrics for pod default/web-a',
    });
  });

  it('asks the metrics API with the target selector in the string syntax', () => {
    expect(
      selectorText({
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['a', 'b'] },
          { key: 'env', operator: 'NotIn', values: ['dev'] },
          { key: 'x', operator: 'Exists' },
          { key: 'y', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('app=web,tier in (a,b),env notin (dev),x,!y');
  });

  it('drops its history when the HPA is gone', async () => {
    const history = new ScalingHistory();
    const f = setup([target(2)], {}, { history });
    history.recordInitial('default/web', 9, T0);
    expect(await f.reconcile()).toBeUndefined();
    expect(history.recommend('default/web', 1, T0, 0)).toEqual([]);
  });
});

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
