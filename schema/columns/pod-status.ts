import type { Pod } from '../kinds/pod.ts';
import { age } from './age.ts';
import type { ContainerStatus } from './objects.ts';

/**
 * A Pod's READY, STATUS and RESTARTS as kubectl derives them (printPod): the reason of
 * the first unfinished init container, else the last container's waiting or
 * terminated reason (ContainerCreating, CrashLoopBackOff, ImagePullBackOff, Completed,
 * Error...), else the phase; Terminating once a deletion has begun.
 */
export interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

export function podSummary(pod: Pod, now = Date.now()): PodSummary {
  const status = pod.status ?? {};
  const total = (pod.spec?.containers ?? []).length;
  let readyCount = 0;
  let restarts = 0;
  let lastRestart: number | undefined;
  let reason: string = status.reason || status.phase || 'Pending';

  const noteRestart = (container: ContainerStatus) => {
    restarts += container.restartCount ?? 0;
    const finished = container.lastState?.terminated?.finishedAt;
    if (finished) {
      const at = Date.parse(finished);
      if (!Number.isNaN(at) && (lastRestart === undefined || at > lastRestart)) lastRestart = at;
    }
  };

  let initializing = false;
  const inits = status.initContainerStatuses ?? [];
  for (let i = 0; i < inits.length; i++) {
    const container = inits[i];
    noteRestart(container);
    const terminated = container.state?.terminated;
    const waiting = container.state?.waiting;
    if (terminated && terminated.exitCode === 0) continue;
    if (terminated) {
      reason = terminated.reason
        ? `Init:${terminated.reason}`
        : terminated.signal
          ? `Init:Signal:${terminated.signal}`
          : `Init:ExitCode:${terminated.exitCode}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${(pod.spec?.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }

  const initialized = (status.conditions ?? []).some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    restarts = 0;
    lastRestart = undefined;
    let hasRunning = false;
    const containers = status.containerStatuses ?? [];
    for (let i = containers.length - 1; i >= 0; i--) {
      const container = containers[i];
      noteRestart(container);
      const { waiting, terminated, running } = container.state ?? {};
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated)
        reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`;
      else if (container.ready && running) {
        hasRunning = true;
        readyCount++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const ready = (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
      reason = ready ? 'Running' : 'NotReady';
    }
  }

  const terminal = status.phase === 'Succeeded' || status.phase === 'Failed';
  if (pod.metadata?.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && !terminal) reason = 'Terminating';

  const restartText =
    lastRestart === undefined
      ? String(restarts)
      : `${restarts} (${age(new Date(lastRestart).toISOString(), now)} ago)`;
  return { ready: `${readyCount}/${total}`, status: reason, restarts: restartText };
}
