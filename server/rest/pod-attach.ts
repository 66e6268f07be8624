import { ApiError } from '../errors.ts';
import type { ResourceService } from '../resources/service.ts';
import { streamPodLogs } from '../tunnel/pod-logs.ts';
import { podTarget } from '../tunnel/pod-target.ts';
import { SUCCESS, type ChannelSocket } from './channel-protocol.ts';
import type { PodSubresource } from './pod-subresource.ts';
import { QueryOptions } from './query-options.ts';
import { statusOf } from './status.ts';
import { outputChannel, streamOptionsOf, type StreamOptions } from './stream-options.ts';

/** A checked `pods/attach` request. */
export interface AttachRequest extends StreamOptions {
  namespace: string;
  name: string;
  container: string;
}

/**
 * Reads and checks a `pods/attach` request before its connection is upgraded. The tunnel
 * reaches a container's output but not its main process' stdin, so attaching with stdin
 * is refused, clearly, rather than taking input that would go nowhere.
 */
export function attachRequestOf(pod: PodSubresource, url: URL, resources: ResourceService): AttachRequest {
  const options = streamOptionsOf(new QueryOptions(url.searchParams));
  if (options.stdin) {
    throw new ApiError(
      'BAD_REQUEST',
      "attaching to a container's stdin is not supported: use exec -i to run a command that reads stdin",
    );
  }
  const target = podTarget(resources, pod.namespace, pod.name, options.container);
  if (target.phase === 'Succeeded' || target.phase === 'Failed') {
    throw new ApiError(
      'BAD_REQUEST',
      `cannot attach a container in a completed pod; current phase is ${target.phase}`,
    );
  }
  if (!target.status?.state?.running) {
    throw new ApiError('BAD_REQUEST', `container "${target.container}" in pod "${pod.name}" is not running`);
  }
  return { ...options, namespace: pod.namespace, name: pod.name, container: target.container };
}

/**
 * `kubectl attach` over the channel protocol: what the container prints from now on, on
 * its channels, until it exits (Success) or the client leaves; it follows the
 * container's output through the agent's tunnel as `kubectl logs -f --tail=0` would.
 */
export function serveAttach(
  socket: ChannelSocket,
  request: AttachRequest,
  resources: ResourceService,
  log: (line: string) => void,
): void {
  const run = async () => {
    const { namespace, name, container } = request;
    const lines = streamPodLogs(resources, { namespace, name, container, follow: true, tailLines: 0 });
    socket.onClose(() => void lines.return?.());
    for await (const line of lines) {
      if ('error' in line) throw line.error;
      const channel = outputChannel(request, line.stream);
      if (channel !== undefined) await socket.send(channel, `${line.text}\n`);
    }
    await socket.finish(SUCCESS);
  };
  void run().catch((error: unknown) => socket.finish(statusOf(error, undefined, log)));
}
