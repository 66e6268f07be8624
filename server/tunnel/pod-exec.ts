import { ApiError } from '../errors.ts';
import type { ResourceService } from '../resources/service.ts';
import type { TunnelExecResult } from './messages.ts';
import { checkExecAllowed, podTarget } from './pod-target.ts';

export interface ExecPodArgs {
  namespace: string;
  name: string;
  container?: string | null;
  command: string[];
  stdin?: string | null;
  timeoutSeconds?: number | null;
}

export const DEFAULT_EXEC_TIMEOUT_SECONDS = 60;
const MAX_EXEC_TIMEOUT_SECONDS = 3600;
/** What the agent may take beyond the command's own timeout to answer (killing it, sending the result). */
const ANSWER_GRACE_MS = 5000;

/**
 * `kubectl exec` without a terminal: runs a command in a running container through
 * its node's agent and returns its output and exit code once it exits (a non-zero exit
 * is a result, not an error). The command is killed after `timeoutSeconds`; an agent
 * that has not answered by then (and a little more) fails the call with TIMEOUT.
 */
export async function execPod(resources: ResourceService, args: ExecPodArgs): Promise<TunnelExecResult> {
  if (args.command.length === 0) {
    throw new ApiError('BAD_REQUEST', 'you must specify at least one command for the container');
  }
  const timeoutSeconds = args.timeoutSeconds ?? DEFAULT_EXEC_TIMEOUT_SECONDS;
  if (!(timeoutSeconds > 0 && timeoutSeconds <= MAX_EXEC_TIMEOUT_SECONDS)) {
    throw new ApiError(
      'BAD_REQUEST',
      `timeoutSeconds: Invalid value: ${timeoutSeconds}: must be between 1 and ${MAX_EXEC_TIMEOUT_SECONDS}`,
    );
  }
  const target = podTarget(resources, args.namespace, args.name, args.container);
  checkExecAllowed(target);
  return new Promise<TunnelExecResult>((resolve, reject) => {
    const timer = setTimeout(
      () => {
        cancel();
        reject(
          new ApiError(
            'TIMEOUT',
            `command in container ${target.container} of pod ${target.podName} did not finish within ${timeoutSeconds}s`,
          ),
        );
      },
      timeoutSeconds * 1000 + ANSWER_GRACE_MS,
    );
    const settle = (outcome: () => void) => {
      clearTimeout(timer);
      outcome();
    };
    let cancel = () => {};
    try {
      cancel = resources.tunnels.open(
        target.nodeName,
        {
          kind: 'EXEC',
          namespace: target.namespace,
          podName: target.podName,
          podUid: target.podUid,
          container: target.container,
          init: target.init,
          exec: { command: args.command, stdin: args.stdin ?? undefined, timeoutSeconds },
        },
        {
          lines: async () => {},
          done: (result) =>
            settle(() =>
              result
                ? resolve(result)
                : reject(
                    new ApiError('UNAVAILABLE', `the agent of node "${target.nodeName}" sent no exec result`),
                  ),
            ),
          fail: (error) => settle(() => reject(error)),
        },
      );
    } catch (error) {
      settle(() => reject(error));
    }
  });
}
