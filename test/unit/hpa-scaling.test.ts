import { describe, expect, it } from 'vitest';
import { ScalingHistory } from '../../agent/controllers/hpa/scaling.ts';
import { conditionOf, hpa, pod, setup, T0, target, type Usage } from '../support/hpa-fixture.ts';

// The HorizontalPodAutoscaler's scaling decisions, its reconcile against fixture caches:
// how far and how fast it moves a target (tolerance, the stabilization window, rate
// limits and behavior, [minReplicas, maxReplicas]) and what it remembers.

describe('HPA reconcile: scaling (fixture)', () => {
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

    f.clock.advance(299_000);
    await f.reconcile();
    expect(f.scaled).toEqual([]);

    // Five minutes after the last recommendation of 4: down to minReplicas.
    f.clock.advance(2_000);
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
    f.clock.advance(30_000);
    await f.reconcile();
    expect(f.scaled).toHaveLength(1);
    expect(f.status()).toMatchObject({ currentReplicas: 3, desiredReplicas: 3 });
    // Once the period has passed, one more.
    f.clock.advance(31_000);
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

  it('drops its history when the HPA is gone', async () => {
    const history = new ScalingHistory();
    const f = setup([target(2)], {}, { history });
    history.recordInitial('default/web', 9, T0);
    expect(await f.reconcile()).toBeUndefined();
    expect(history.recommend('default/web', 1, T0, 0)).toEqual([]);
  });
});
