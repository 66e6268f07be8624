import { ApiError } from '../errors.ts';
import type { ResourceService } from '../resources/service.ts';
import type { TunnelLogLine } from './messages.ts';
import { checkLogsAvailable, podTarget } from './pod-target.ts';
import { Channel } from '../../lib/channel.ts';

export interface PodLogsArgs {
  namespace: string;
  name: string;
  container?: string | null;
  follow?: boolean | null;
  tailLines?: number | null;
  sinceSeconds?: number | null;
  timestamps?: boolean | null;
  previous?: boolean | null;
}

/** One line of a container's output, as the user gets it. */
export interface PodLogLine extends TunnelLogLine {
  container: string;
  /** The text as `kubectl logs` prints it: after the time and a space with `timestamps`. */
  line: string;
}

/** What the stream yields: a line, or last of all the error that ended it. */
export type PodLogItem = PodLogLine | { error: ApiError };

/** Lines held for a slow reader before the agent's next batch waits for it. */
const HIGH_WATER_LINES = 1000;
/** What `podLog` gathers at most: a bigger log is for `tailLines` or the `podLogs` subscription. */
export const MAX_LOG_BYTES = 8 * 1024 * 1024;

function checkArgs(args: PodLogsArgs): void {
  const { tailLines, sinceSeconds } = args;
  if (tailLines != null && tailLines < 0) {
    throw new ApiError(
      'BAD_REQUEST',
      `tailLines: Invalid value: ${tailLines}: must be greater than or equal to 0`,
    );
  }
  if (sinceSeconds != null && sinceSeconds < 1) {
    throw new ApiError('BAD_REQUEST', `sinceSeconds: Invalid value: ${sinceSeconds}: must be greater than 0`);
  }
}

/**
 * `kubectl logs`: a container's output, fetched from its node's agent through the
 * tunnel. Without `follow` it ends after the lines there are; with it, it goes on
 * until the container instance exits. Checks happen before anything is sent (the pod,
 * the container, whether it has output); an error after that (the agent disconnected,
 * the runtime failed) ends the stream as its last item. Returning the iterator (the
 * user unsubscribing) cancels the request on the agent.
 */
export function streamPodLogs(
  resources: ResourceService,
  args: PodLogsArgs,
  /** The agent took the request up: its own checks passed, lines may follow (REST answers 200 from here). */
  started?: () => void,
): AsyncIterableIterator<PodLogItem> {
  checkArgs(args);
  const previous = args.previous ?? false;
  const target = podTarget(resources, args.namespace, args.name, args.container);
  checkLogsAvailable(target, previous);
  const { container } = target;
  const timestamps = args.timestamps ?? false;
  let cancel = () => {};
  const queue = new Channel<PodLogItem>(() => cancel());
  cancel = resources.tunnels.open(
    target.nodeName,
    {
      kind: 'LOGS',
      namespace: target.namespace,
      podName: target.podName,
      podUid: target.podUid,
      container,
      init: target.init,
      logs: {
        follow: args.follow ?? false,
        previous,
        tailLines: args.tailLines ?? undefined,
        sinceSeconds: args.sinceSeconds ?? undefined,
      },
    },
    {
      started,
      lines: (lines) => {
        queue.push(
          ...lines.map((l) => ({ ...l, container, line: timestamps ? `${l.time} ${l.text}` : l.text })),
        );
        return queue.drained(HIGH_WATER_LINES);
      },
      done: () => queue.end(),
      fail: (error) => {
        queue.push({ error });
        queue.end();
      },
    },
  );
  return queue;
}

/** `kubectl logs` without `--follow`: the lines there are, as one text (each line ending with a newline). */
export async function podLog(resources: ResourceService, args: PodLogsArgs): Promise<string> {
  const stream = streamPodLogs(resources, { ...args, follow: false });
  let text = '';
  let bytes = 0;
  try {
    for await (const item of stream) {
      if ('error' in item) throw item.error;
      text += `${item.line}\n`;
      bytes += Buffer.byteLength(item.line) + 1;
      if (bytes > MAX_LOG_BYTES) {
        throw new ApiError(
          'BAD_REQUEST',
          `the log of container ${item.container} is larger than ${MAX_LOG_BYTES} bytes: ask for tailLines, or use the podLogs subscription`,
        );
      }
    }
  } finally {
    await stream.return?.();
  }
  return text;
}
