import { describe, expect, it } from 'vitest';
import { buildPodStatus, planPod } from '../../agent/node/pod-status.ts';
import type { RuntimePod } from '../../agent/node/runtime/runtime.ts';
import { BACKOFF, instance, iso, noPlan, pod, runtimePod, T0 } from '../support/node-agent-fixtures.ts';

// Native sidecars (init containers with restartPolicy: Always) in the node agent's decisions
// (pod-status.ts): started in turn with the init containers and left running, restarted
// whatever the pod's policy, stopped last started first once the pod's containers are done,
// and never the pod's outcome.

const sidecarPod = (restartPolicy: 'Always' | 'OnFailure' | 'Never' = 'Never') =>
  pod({
    restartPolicy,
    initContainers: [
      { name: 'proxy', image: 'i', restartPolicy: 'Always' },
      { name: 'setup', image: 'i' },
      { name: 'logs', image: 'i', restartPolicy: 'Always' },
    ],
  });

const proxy = instance('proxy', { init: true });
const setupDone = instance('setup', { init: true, state: 'exited', exitCode: 0, finishedAt: iso(20) });
const logs = instance('logs', { init: true });
const statusOf = (rp: RuntimePod, plan = noPlan()) =>
  buildPodStatus(sidecarPod(), rp, plan, { hostIP: '10.0.0.2', podIP: rp.ip, now: '2025-01-01T00:00:05Z' });

describe('native sidecars', () => {
  it('start in order, each running before the next init container, then the containers beside them', () => {
    const names = (rp: RuntimePod | undefined) =>
      planPod(sidecarPod(), rp).start.map((a) => a.container.name);
    expect(names(undefined)).toEqual(['proxy']);
    expect(names(runtimePod(instance('proxy', { init: true, state: 'created' })))).toEqual([]);
    expect(names(runtimePod(proxy))).toEqual(['setup']);
    expect(names(runtimePod(proxy, setupDone))).toEqual(['logs']);
    expect(names(runtimePod(proxy, setupDone, logs))).toEqual(['c']);
    expect(names(runtimePod(proxy, setupDone, logs, instance('c', {})))).toEqual([]);
  });

  it('are restarted under restartPolicy Never, with the crash-loop back-off', () => {
    const crashed = instance('proxy', { init: true, state: 'exited', exitCode: 1, finishedAt: iso(1000) });
    const plan = planPod(
      sidecarPod('Never'),
      runtimePod(crashed, setupDone, logs, instance('c', {})),
      BACKOFF,
      T0 + 1000,
    );
    expect(plan.start).toMatchObject([{ container: { name: 'proxy' }, init: true, attempt: 1 }]);
  });

  it('are stopped, last started first, once the containers exited for good; the pod ends as they did', () => {
    const cDone = instance('c', { state: 'exited', exitCode: 0, reason: 'Completed', finishedAt: iso(900) });
    const plan = planPod(sidecarPod('Never'), runtimePod(proxy, setupDone, logs, cDone));
    expect(plan.start).toEqual([]);
    expect(plan.stop?.map((c) => c.name)).toEqual(['logs', 'proxy']);
    // Not yet stopped: the pod's phase is its containers' already.
    expect(statusOf(runtimePod(proxy, setupDone, logs, cDone)).phase).toBe('Succeeded');

    const killed = (name: string) =>
      instance(name, { init: true, state: 'exited', exitCode: 143, reason: 'Error', finishedAt: iso(950) });
    const after = statusOf(runtimePod(killed('proxy'), setupDone, killed('logs'), cDone));
    expect(after.phase).toBe('Succeeded');
    expect(after.conditions).toContainEqual(expect.objectContaining({ type: 'Initialized', status: 'True' }));
    // A container that restarts keeps its sidecars.
    expect(planPod(sidecarPod('Always'), runtimePod(proxy, setupDone, logs, cDone)).stop).toBeUndefined();
  });

  it('count for readiness while running, and hold the pod Pending only until they first start', () => {
    const running = statusOf(runtimePod(proxy, setupDone, logs, instance('c', {})));
    expect(running.phase).toBe('Running');
    expect(running.initContainerStatuses?.map((s) => [s.name, s.ready, s.started])).toEqual([
      ['proxy', true, true],
      ['setup', true, false],
      ['logs', true, true],
    ]);
    expect(running.conditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'True' }));

    const logsDown = instance('logs', { init: true, state: 'exited', exitCode: 1, finishedAt: iso(500) });
    const degraded = statusOf(runtimePod(proxy, setupDone, logsDown, instance('c', {})));
    expect(degraded.phase).toBe('Running');
    expect(degraded.conditions).toContainEqual(
      expect.objectContaining({
        type: 'Ready',
        status: 'False',
        message: 'containers with unready status: [logs]',
      }),
    );
    expect(statusOf(runtimePod()).phase).toBe('Pending');
  });
});
