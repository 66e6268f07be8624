import { expect } from 'vitest';
import type { Resource } from '../../client/index.ts';
import {
  HorizontalPodAutoscalerController,
  type HPAObject,
} from '../../agent/controllers/horizontal-pod-autoscaler.ts';
import type { PodUsageSample } from '../../agent/controllers/hpa/metrics.ts';
import type { ScalingHistory } from '../../agent/controllers/hpa/scaling.ts';
import type { PodObject } from '../../agent/objects.ts';
import { ManualClock } from '../../lib/clock.ts';
import type { HorizontalPodAutoscalerSpec } from '../../schema/kinds/hpa.ts';
import { fixtureContext } from './controller-fixture.ts';

// The HorizontalPodAutoscaler's reconcile against fixture caches: fake metrics and scale
// clients, and a ManualClock the test moves.

export const T0 = Date.parse('2026-01-01T12:00:00Z');

export interface PodFixture {
  cpu?: string | null;
  memory?: string;
  phase?: string;
  ready?: boolean;
  /** ms before the clock's start the pod started (10 min: past the CPU initialization period). */
  startedAgo?: number;
  readyAgo?: number;
  deleting?: boolean;
}

/** A pod of the target (app=web), one container "c" requesting 100m CPU unless told otherwise. */
export function pod(name: string, o: PodFixture = {}): PodObject {
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

/** The scale target default/web at `replicas`, selecting app=web. */
export function target(replicas: number, kind = 'Deployment'): Resource {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name: 'web', namespace: 'default', uid: 'uid-web' },
    spec: { replicas, selector: { matchLabels: { app: 'web' } } },
  };
}

/** The HPA default/web on Deployment web: 1 to 10 replicas, 50 % CPU utilization, unless told otherwise. */
export function hpa(
  spec: Partial<HorizontalPodAutoscalerSpec> = {},
  status?: HPAObject['status'],
): HPAObject {
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
export type Usage = Record<string, { cpu: number; memory?: number }>;

/**
 * A controller over `objects` whose metrics API serves `usage` (sampled a second before
 * the clock's time, over 10 s) and whose scale writes are recorded in `scaled`.
 */
export function setup(objects: Resource[], usage: Usage, options: { history?: ScalingHistory } = {}) {
  const clock = new ManualClock(T0);
  const fixture = fixtureContext(objects, clock);
  const scaled: Array<{ kind: string; name: string; replicas: number }> = [];
  let current = usage;
  const controller = new HorizontalPodAutoscalerController(fixture.ctx, {
    history: options.history,
    metrics: async (namespace, labelSelector) => {
      expect(namespace).toBe('default');
      expect(labelSelector).toBe('app=web');
      return Object.entries(current).map(([name, u]): PodUsageSample => ({
        name,
        timestamp: clock.now() - 1000,
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
    reconcile: () => controller.reconcile('default/web'),
    setUsage: (next: Usage) => (current = next),
    status: () => fixture.writes.filter((w) => w.verb === 'updateStatus').at(-1)?.body as HPAObject['status'],
  };
}

export const conditionOf = (status: HPAObject['status'], type: string) =>
  status?.conditions?.find((c) => c.type === type);
