import { describe, expect, it } from 'vitest';
import type { PodObject } from '../../agent/objects.ts';
import { buildPodStatus, planPod, podPhase, restartAt, type SyncPlan } from '../../agent/node/pod-status.ts';
import type { RuntimePod } from '../../agent/node/runtime/runtime.ts';
import type { PodSpec } from '../../schema/kinds/pod.ts';
import { BACKOFF, instance, iso, noPlan, pod, runtimePod, T0 } from '../support/node-agent-fixtures.ts';

// What a pod sync decides (pod-status.ts), as pure functions of the pod and the runtime's
// state: what to start, when to restart, and the status to report.

describe('pod sync decisions', () => {
  it('starts every container of a new pod, init containers first and one at a time', () => {
    expect(planPod(pod(), undefined).start.map((a) => [a.container.name, a.attempt])).toEqual([['c', 0]]);
    const withInit = pod({
      initContainers: [
        { name: 'i1', image: 'i' },
        { name: 'i2', image: 'i' },
      ],
    });
    expect(planPod(withInit, runtimePod()).start.map((a) => a.container.name)).toEqual(['i1']);
    const i1Done = instance('i1', { init: true, state: 'exited', exitCode: 0, finishedAt: iso(20) });
    expect(planPod(withInit, runtimePod(i1Done)).start.map((a) => a.container.name)).toEqual(['i2']);
    const i2Running = instance('i2', { init: true });
    expect(planPod(withInit, runtimePod(i1Done, i2Running)).start).toEqual([]);
  });

  it('restarts by restart policy: at once the first time, then after a doubling back-off (CrashLoopBackOff)', () => {
    const exited = (attempt: number, exitCode: number) =>
      instance('c', { attempt, state: 'exited', exitCode, finishedAt: iso(1000) });
    // First exit: restarted at once.
    expect(planPod(pod(), runtimePod(exited(0, 1)), BACKOFF, T0 + 1000).start).toMatchObject([
      { attempt: 1 },
    ]);
    // Second: 10 s, then 20 s, capped at 5 min.
    expect(restartAt(exited(1, 1), BACKOFF)).toBe(T0 + 11_000);
    expect(restartAt(exited(2, 1), BACKOFF)).toBe(T0 + 21_000);
    expect(restartAt(exited(20, 1), BACKOFF)).toBe(T0 + 301_000);
    const waiting = planPod(pod(), runtimePod(exited(1, 1)), BACKOFF, T0 + 5000);
    expect(waiting.start).toEqual([]);
    expect(waiting.retryAfterMs).toBe(6000);
    expect(waiting.backingOff.get('c')).toBe(
      'back-off 10s restarting failed container=c pod=p_default(uid-p)',
    );
    expect(planPod(pod(), runtimePod(exited(1, 1)), BACKOFF, T0 + 11_000).start).toMatchObject([
      { attempt: 2 },
    ]);

    // OnFailure restarts only failures; Never restarts nothing.
    expect(planPod(pod({ restartPolicy: 'OnFailure' }), runtimePod(exited(0, 0))).start).toEqual([]);
    expect(planPod(pod({ restartPolicy: 'OnFailure' }), runtimePod(exited(0, 1))).start).toHaveLength(1);
    expect(planPod(pod({ restartPolicy: 'Never' }), runtimePod(exited(0, 1))).start).toEqual([]);
  });

  it('phases follow the kubelet: Pending, Running, Succeeded, Failed', () => {
    const statusOf = (p: PodObject, rp: RuntimePod | undefined, plan = noPlan(), terminating = false) =>
      buildPodStatus(p, rp, plan, {
        hostIP: '10.0.0.2',
        podIP: rp?.ip,
        terminating,
        now: '2025-01-01T00:00:05Z',
      });
    expect(statusOf(pod(), undefined).phase).toBe('Pending');
    expect(statusOf(pod(), runtimePod(instance('c', { state: 'created' }))).phase).toBe('Pending');
    expect(statusOf(pod(), runtimePod(instance('c', {}))).phase).toBe('Running');
    const done = (exitCode: number) =>
      runtimePod(
        instance('c', {
          state: 'exited',
          exitCode,
          reason: exitCode ? 'Error' : 'Completed',
          finishedAt: iso(100),
        }),
      );
    expect(statusOf(pod({ restartPolicy: 'Never' }), done(0)).phase).toBe('Succeeded');
    expect(statusOf(pod({ restartPolicy: 'Never' }), done(1)).phase).toBe('Failed');
    expect(statusOf(pod({ restartPolicy: 'OnFailure' }), done(0)).phase).toBe('Succeeded');
    // Waiting to restart: still Running.
    const backingOff: SyncPlan = { start: [], backingOff: new Map([['c', 'back-off 10s ...']]) };
    const crashing = statusOf(pod(), done(1), backingOff);
    expect(crashing.phase).toBe('Running');
    expect(crashing.containerStatuses![0]).toMatchObject({
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s ...' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error' } },
      ready: false,
    });
    // Stopped for deletion: terminal.
    expect(statusOf(pod(), done(143), noPlan(), true).phase).toBe('Failed');
    expect(statusOf(pod(), done(0), noPlan(), true).phase).toBe('Succeeded');
    // A failed init container fails a pod that never restarts, and keeps others Pending.
    const initFailed = (policy: PodSpec['restartPolicy']) =>
      podPhase(
        pod({ restartPolicy: policy, initContainers: [{ name: 'i', image: 'i' }] }),
        [{ name: 'c', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: {} } }],
        [
          {
            name: 'i',
            image: 'i',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 1 } },
          },
        ],
      );
    expect(initFailed('Never')).toBe('Failed');
    expect(initFailed('Always')).toBe('Pending');
  });

  it('reports conditions, container statuses and IPs, keeping unchanged timestamps', () => {
    const p = pod();
    p.status = {
      phase: 'Pending',
      qosClass: 'BestEffort',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' },
        { type: 'DisruptionTarget', status: 'False', reason: 'Other' },
      ],
    };
    const running = runtimePod(instance('c', {}));
    const status = buildPodStatus(p, running, noPlan(), {
      hostIP: '10.0.0.2',
      podIP: '10.244.0.2',
      now: '2025-01-01T00:00:01Z',
    });
    expect(status).toEqual({
      phase: 'Running',
      qosClass: 'BestEffort',
      hostIP: '10.0.0.2',
      podIP: '10.244.0.2',
      podIPs: [{ ip: '10.244.0.2' }],
      startTime: '2025-01-01T00:00:01Z',
      conditions: [
        { type: 'Initialized', status: 'True', lastTransitionTime: '2025-01-01T00:00:01Z' },
        { type: 'Ready', status: 'True', lastTransitionTime: '2025-01-01T00:00:01Z' },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: '2025-01-01T00:00:01Z' },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' },
        { type: 'DisruptionTarget', status: 'False', reason: 'Other' },
      ],
      containerStatuses: [
        {
          name: 'c',
          state: { running: { startedAt: '2025-01-01T00:00:00Z' } },
          ready: true,
          restartCount: 0,
          image: 'img:1',
          imageID: 'simulated://sha256:x',
          containerID: 'simulated://c-0',
          started: true,
        },
      ],
    });
    // The same facts later: the same status, so nothing is written.
    const again = buildPodStatus({ ...p, status }, running, noPlan(), {
      hostIP: '10.0.0.2',
      podIP: '10.244.0.2',
      now: '2025-01-01T00:09:00Z',
    });
    expect(again).toEqual(status);
    // Not started yet: waiting ContainerCreating, not ready, with the reason.
    const creating = buildPodStatus(p, undefined, noPlan(), { hostIP: '10.0.0.2' });
    expect(creating.containerStatuses![0]).toMatchObject({
      state: { waiting: { reason: 'ContainerCreating' } },
      ready: false,
    });
    expect(creating.conditions!.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
      message: 'containers with unready status: [c]',
    });
  });
});
