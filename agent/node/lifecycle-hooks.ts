import { systemClock, type Clock } from '../../lib/clock.ts';
import type { Container } from '../../schema/kinds/pod.ts';
import type { PodObject } from '../objects.ts';
import { runProbe, type ProbeResult } from './probes/prober.ts';
import type { ContainerRuntime, RuntimePod } from './runtime/runtime.ts';

type Hook = 'postStart' | 'preStop';

/**
 * Runs a container's postStart or preStop handler as the kubelet does: exec in the
 * container, an HTTP GET or TCP connect to the pod (the probe machinery, so the same
 * targets and messages), or a sleep; bounded by `timeoutMs`. Resolves to success when the
 * container has no such hook.
 */
export async function runLifecycleHook(
  hook: Hook,
  pod: PodObject,
  container: Container,
  runtime: Pick<ContainerRuntime, 'exec'>,
  podIP: string | undefined,
  timeoutMs: number,
  clock: Clock = systemClock,
): Promise<ProbeResult> {
  const handler = container.lifecycle?.[hook];
  if (!handler) return { result: 'success', message: '' };
  if (handler.sleep) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(timeoutMs, handler.sleep!.seconds * 1000)));
    return { result: 'success', message: '' };
  }
  return runProbe(handler, { runtime, uid: pod.metadata.uid!, container, podIP, timeoutMs, clock });
}

/**
 * The preStop hooks of the pod's running containers, all at once, within the grace
 * period; returns what is left of it for the TERM → KILL stop that follows, in seconds.
 * Failures are reported (FailedPreStopHook) and do not hold the stop back.
 */
export async function runPreStopHooks(
  pod: PodObject,
  runtimePod: RuntimePod | undefined,
  runtime: Pick<ContainerRuntime, 'exec'>,
  graceSeconds: number,
  report: (container: string, message: string) => void,
  clock: Clock = systemClock,
): Promise<number> {
  const started = clock.now();
  const running = new Set(
    runtimePod?.containers.filter((c) => c.state === 'running' && !c.init).map((c) => c.name),
  );
  const hooked = (pod.spec?.containers ?? []).filter((c) => c.lifecycle?.preStop && running.has(c.name));
  await Promise.all(
    hooked.map(async (container) => {
      const outcome = await runLifecycleHook(
        'preStop',
        pod,
        container,
        runtime,
        runtimePod?.ip,
        graceSeconds * 1000,
        clock,
      );
      if (outcome.result === 'failure') report(container.name, outcome.message);
    }),
  );
  return Math.max(0, Math.ceil(graceSeconds - (clock.now() - started) / 1000));
}
