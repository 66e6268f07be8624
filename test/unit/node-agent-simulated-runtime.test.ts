import { describe, expect, it } from 'vitest';
import { SimulatedRuntime, simulatedRun } from '../../agent/node/runtime/simulated.ts';
import type { PodSpec } from '../../schema/kinds/pod.ts';
import { container, pod } from '../support/node-agent-fixtures.ts';
import { waitFor } from '../support/wait.ts';

// The simulated runtime hollow nodes run on: how it reads a pod's scripted run, and how
// it takes containers through their states.

describe('simulated runs', () => {
  it('annotations script the run of every container', () => {
    const p = pod({}, { 'kubeql.io/simulate-exit-code': '3', 'kubeql.io/simulate-run-ms': '250' });
    expect(simulatedRun(p, container(), false)).toEqual({ runMs: 250, exitCode: 3 });
    expect(simulatedRun(pod({}, { 'kubeql.io/simulate-run-ms': '10' }), container(), false)).toEqual({
      runMs: 10,
      exitCode: 0,
    });
    // Init containers are not scripted by the annotations: they finish at once.
    expect(simulatedRun(p, container(), true)).toEqual({ runMs: 0, exitCode: 0 });
  });

  it('reads sleep, exit, true, false and echo, directly or in sh -c', () => {
    const run = (command: string[], args?: string[], restartPolicy: PodSpec['restartPolicy'] = 'Always') =>
      simulatedRun(pod({ restartPolicy }), container(command, args), false);
    expect(run(['sleep', '2'])).toEqual({ runMs: 2000, exitCode: 0 });
    expect(run(['sleep'], ['1.5m'])).toEqual({ runMs: 90_000, exitCode: 0 });
    expect(run(['/bin/sh', '-c', 'echo hello; sleep 0.5; exit 4'])).toEqual({ runMs: 500, exitCode: 4 });
    expect(run(['sh', '-c', 'date && false'])).toEqual({ runMs: 0, exitCode: 1 });
    expect(run(['true'])).toEqual({ runMs: 0, exitCode: 0 });
    expect(run(['sleep', 'infinity'])).toBeUndefined();
    expect(run(['sh', '-c', 'while true; do sleep 1; done'])).toBeUndefined();
    // Not understood: a server runs until stopped, a Job's command finishes with 0.
    expect(run(['/app/server', '--port=80'])).toBeUndefined();
    expect(run(['perl', '-e', 'print 1'], undefined, 'Never')).toEqual({ runMs: 0, exitCode: 0 });
    expect(simulatedRun(pod({ restartPolicy: 'OnFailure' }), container(), false)).toEqual({
      runMs: 0,
      exitCode: 0,
    });
    expect(simulatedRun(pod(), container(), false)).toBeUndefined();
  });

  it('the runtime takes containers from created to running after the start delay, and gives pod IPs from the range', async () => {
    const runtime = new SimulatedRuntime({ startDelayMs: [20, 20] });
    const changes: string[] = [];
    runtime.onChange((uid) => changes.push(uid));
    const p = pod(
      { restartPolicy: 'Never' },
      { 'kubeql.io/simulate-run-ms': '30', 'kubeql.io/simulate-exit-code': '2' },
    );
    const config = { nodeName: 'n', hostIP: '10.0.0.2', podCIDR: '10.244.7.0/24' };
    expect(await runtime.runPodSandbox(p, config)).toEqual({ ip: '10.244.7.2' });
    expect(await runtime.runPodSandbox(p, config)).toEqual({ ip: '10.244.7.2' }); // idempotent
    await runtime.startContainer(p, p.spec!.containers[0], { attempt: 0, init: false });
    expect((await runtime.getPod('uid-p'))!.containers[0].state).toBe('created');
    await waitFor(async () => (await runtime.getPod('uid-p'))!.containers[0].state === 'running');
    const exited = await waitFor(async () => {
      const c = (await runtime.getPod('uid-p'))!.containers[0];
      return c.state === 'exited' && c;
    });
    expect(exited).toMatchObject({ exitCode: 2, reason: 'Error' });
    expect(changes).toEqual(['uid-p', 'uid-p']);
    // Another pod gets the next address; a stopped pod's address is reused.
    const q = { ...p, metadata: { ...p.metadata, uid: 'uid-q' } };
    expect(await runtime.runPodSandbox(q, config)).toEqual({ ip: '10.244.7.3' });
    await runtime.removePod('uid-p');
    expect(await runtime.getPod('uid-p')).toBeUndefined();
    const r = { ...p, metadata: { ...p.metadata, uid: 'uid-r' } };
    expect(await runtime.runPodSandbox(r, config)).toEqual({ ip: '10.244.7.2' });
    await runtime.close();
  });
});
