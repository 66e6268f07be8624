import { describe, expect, it } from 'vitest';
import { selectorText } from '../../agent/controllers/hpa/metrics.ts';
import { conditionOf, hpa, pod, setup, target } from '../support/hpa-fixture.ts';

// The HorizontalPodAutoscaler's metrics, its reconcile against fixture caches: which pods
// and samples count, the metric kinds and targets it reads, and how it reports a metric
// it cannot compute.

describe('HPA reconcile: metrics (fixture)', () => {
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
});
