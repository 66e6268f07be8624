import { describe, expect, it } from 'vitest';
import { manifestKind } from '../../cli/verbs/apply.ts';
import {
  BEHAVIOR_ANNOTATION,
  CONDITIONS_ANNOTATION,
  CURRENT_METRICS_ANNOTATION,
  hpaFromV1,
  hpaToV1,
  METRICS_ANNOTATION,
} from '../../server/conversion/hpa-v1.ts';

/** autoscaling/v1 <-> autoscaling/v2 HorizontalPodAutoscalers, as Kubernetes converts them. */

const meta = { name: 'web', namespace: 'default', resourceVersion: '7' };
const scaleTargetRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
const cpu = (averageUtilization: number) => ({
  type: 'Resource' as const,
  resource: { name: 'cpu', target: { type: 'Utilization' as const, averageUtilization } },
});
const memory = {
  type: 'Resource' as const,
  resource: { name: 'memory', target: { type: 'AverageValue' as const, averageValue: '200Mi' } },
};
const podsMetric = {
  type: 'Pods' as const,
  pods: {
    metric: { name: 'requests_per_second', selector: { matchLabels: { tier: 'web' } } },
    target: { type: 'AverageValue' as const, averageValue: '10' },
  },
};

describe('autoscaling/v1 HorizontalPodAutoscaler conversion', () => {
  it('v1 to v2: targetCPUUtilizationPercentage becomes a CPU utilization metric', () => {
    const v2 = hpaFromV1({
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta,
      spec: { scaleTargetRef, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 70 },
    });
    expect(v2).toEqual({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta,
      spec: { scaleTargetRef, minReplicas: 2, maxReplicas: 5, metrics: [cpu(70)] },
    });
  });

  it('v1 to v2: without a CPU target the autoscaler scales on 80% CPU, as v1 always has', () => {
    const v2 = hpaFromV1({
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta,
      spec: { scaleTargetRef, maxReplicas: 3 },
    });
    expect(v2.spec?.metrics).toEqual([cpu(80)]);
    expect(v2.spec).not.toHaveProperty('minReplicas');
  });

  it('v2 to v1: the CPU target, v1 status fields, other metrics in annotations', () => {
    const v1 = hpaToV1({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { ...meta, annotations: { team: 'web' } },
      spec: { scaleTargetRef, minReplicas: 1, maxReplicas: 10, metrics: [memory, cpu(60), podsMetric] },
      status: {
        observedGeneration: 3,
        lastScaleTime: '2026-01-01T00:00:00Z',
        currentReplicas: 4,
        desiredReplicas: 5,
        currentMetrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', current: { averageUtilization: 75, averageValue: '150m' } },
          },
        ],
        conditions: [{ type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale' }],
      },
    });
    expect(v1.apiVersion).toBe('autoscaling/v1');
    expect(v1.spec).toEqual({
      scaleTargetRef,
      minReplicas: 1,
      maxReplicas: 10,
      targetCPUUtilizationPercentage: 60,
    });
    expect(v1.status).toEqual({
      observedGeneration: 3,
      lastScaleTime: '2026-01-01T00:00:00Z',
      currentReplicas: 4,
      desiredReplicas: 5,
      currentCPUUtilizationPercentage: 75,
    });
    const annotations = v1.metadata.annotations!;
    expect(annotations.team).toBe('web');
    // The other metrics in v1's flat form (Kubernetes' v2beta1 fields).
    expect(JSON.parse(annotations[METRICS_ANNOTATION])).toEqual([
      { type: 'Resource', resource: { name: 'memory', targetAverageValue: '200Mi' } },
      {
        type: 'Pods',
        pods: {
          metricName: 'requests_per_second',
          targetAverageValue: '10',
          selector: { matchLabels: { tier: 'web' } },
        },
      },
    ]);
    expect(JSON.parse(annotations[CURRENT_METRICS_ANNOTATION])).toEqual([
      {
        type: 'Resource',
        resource: { name: 'cpu', currentAverageUtilization: 75, currentAverageValue: '150m' },
      },
    ]);
    expect(JSON.parse(annotations[CONDITIONS_ANNOTATION])).toEqual([
      { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale' },
    ]);
  });

  it('v2 to v1 and back loses nothing: metrics (CPU last), status, conditions and behavior', () => {
    const v2 = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta,
      spec: {
        scaleTargetRef,
        minReplicas: 2,
        maxReplicas: 8,
        metrics: [memory, podsMetric, cpu(50)],
        behavior: { scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max' as const } },
      },
      status: {
        currentReplicas: 2,
        desiredReplicas: 3,
        currentMetrics: [
          {
            type: 'Resource' as const,
            resource: { name: 'cpu', current: { averageUtilization: 90, averageValue: '90m' } },
          },
        ],
        conditions: [{ type: 'ScalingActive', status: 'True' as const }],
      },
    };
    const v1 = hpaToV1(v2);
    expect(v1.metadata.annotations?.[BEHAVIOR_ANNOTATION]).toBeDefined();
    expect(hpaFromV1(v1)).toEqual(v2);
  });

  it('v1 status without the annotation: the CPU utilization becomes the current CPU metric', () => {
    const v2 = hpaFromV1({
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta,
      spec: { scaleTargetRef, maxReplicas: 3, targetCPUUtilizationPercentage: 50 },
      status: { currentReplicas: 1, desiredReplicas: 2, currentCPUUtilizationPercentage: 65 },
    });
    expect(v2.status).toEqual({
      currentReplicas: 1,
      desiredReplicas: 2,
      currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 65 } } }],
    });
  });

  it('a v2 object with no status yet reads at v1 with zero replica counts, as Kubernetes writes it', () => {
    const v1 = hpaToV1({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta,
      spec: { scaleTargetRef, maxReplicas: 3, metrics: [cpu(80)] },
    });
    expect(v1.status).toEqual({ currentReplicas: 0, desiredReplicas: 0 });
    expect(v1.metadata).toEqual(meta);
  });

  it('a malformed annotation is INVALID, naming it', () => {
    expect(() =>
      hpaFromV1({
        apiVersion: 'autoscaling/v1',
        kind: 'HorizontalPodAutoscaler',
        metadata: { ...meta, annotations: { [METRICS_ANNOTATION]: '{not json' } },
        spec: { scaleTargetRef, maxReplicas: 3 },
      }),
    ).toThrow(
      /metadata\.annotations\[autoscaling\.alpha\.kubernetes\.io\/metrics\]: Invalid value: must be JSON/,
    );
  });
});

describe('kq apply of a converted version', () => {
  const manifest = (apiVersion: string) => ({
    object: { apiVersion, kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'default' } },
    source: 'hpa.yaml',
  });

  it('sends autoscaling/v1 on (the server converts it), and refuses versions no longer served', () => {
    expect(manifestKind(manifest('autoscaling/v1')).apiVersion).toBe('autoscaling/v2');
    expect(manifestKind(manifest('autoscaling/v2')).apiVersion).toBe('autoscaling/v2');
    expect(() => manifestKind(manifest('autoscaling/v2beta2'))).toThrow(
      'resource mapping not found for name: "web" namespace: "default" from "hpa.yaml": no matches for kind "HorizontalPodAutoscaler" in version "autoscaling/v2beta2"; use autoscaling/v2',
    );
  });
});
