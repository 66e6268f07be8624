import type { PodObject } from '../../agent/objects.ts';
import type { SyncPlan } from '../../agent/node/pod-status.ts';
import type { RuntimeContainer, RuntimePod } from '../../agent/node/runtime/runtime.ts';
import type { Container, PodSpec } from '../../schema/kinds/pod.ts';

/**
 * Pods, containers and runtime state for the node agent's unit tests: a pod `p` in
 * `default` (uid `uid-p`) and runtime instances of its containers, timed from T0.
 */

export function pod(spec: Partial<PodSpec> = {}, annotations?: Record<string, string>): PodObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: 'uid-p', annotations },
    spec: { containers: [{ name: 'c', image: 'img:1' }], ...spec },
    status: { phase: 'Pending' },
  };
}

export const container = (command?: string[], args?: string[]): Container => ({
  name: 'c',
  image: 'i',
  command,
  args,
});

export const T0 = Date.parse('2025-01-01T00:00:00Z');
export const iso = (ms: number) => new Date(T0 + ms).toISOString();

export function instance(name: string, fields: Partial<RuntimeContainer>): RuntimeContainer {
  return {
    name,
    id: `simulated://${name}-${fields.attempt ?? 0}`,
    attempt: 0,
    init: false,
    image: 'img:1',
    imageID: 'simulated://sha256:x',
    state: 'running',
    createdAt: iso(0),
    startedAt: iso(10),
    ...fields,
  };
}

export function runtimePod(...containers: RuntimeContainer[]): RuntimePod {
  return { uid: 'uid-p', namespace: 'default', name: 'p', ip: '10.244.0.2', ready: true, containers };
}

export const noPlan = (): SyncPlan => ({ start: [], backingOff: new Map() });
export const BACKOFF = { baseMs: 10_000, maxMs: 300_000 };
