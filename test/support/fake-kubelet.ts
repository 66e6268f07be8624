import {
  isCode,
  resourceWriter,
  type KubeqlClient,
  type Resource,
  type ResourceWriter,
} from '../../client/index.ts';

/**
 * Plays scheduler and kubelet for one pod: binds it to `nodeName` when given and the pod
 * is not bound yet, then reports it Running and Ready through the status subresource.
 */
export async function startPod(
  writer: ResourceWriter,
  pod: Resource,
  options: { nodeName?: string; podIP?: string } = {},
): Promise<Resource> {
  const spec = pod.spec as { nodeName?: string } | undefined;
  const bound =
    options.nodeName && !spec?.nodeName
      ? await writer.bind(pod.metadata.namespace!, pod.metadata.name!, options.nodeName)
      : pod;
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return writer.updateStatus(bound, {
    ...(bound.status as object),
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
    ...(options.podIP && { podIP: options.podIP }),
    startTime: now,
  });
}

/**
 * Plays the kubelet for controller tests while there is no scheduler or node agent:
 * watches the namespace's pods and reports each new one Running and Ready (through the
 * status subresource), after `delayMs`. With `nodeFor`, plays the scheduler too: binds
 * each unbound pod to the node it names first (and leaves the pod alone when it names
 * none). Pods being deleted are left alone.
 */
export function fakeKubelet(
  client: KubeqlClient,
  namespace: string,
  options: { delayMs?: number; nodeFor?: (pod: Resource) => string | undefined } = {},
) {
  const writer = resourceWriter(client);
  const watch = client.watch('Pod', { namespace });
  const started = new Set<string>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let ip = 10;
  let stopped = false;

  const start = async (pod: Resource, nodeName: string | undefined) => {
    try {
      await startPod(writer, pod, { nodeName, podIP: `10.0.${Math.floor(ip / 250)}.${(ip++ % 250) + 1}` });
    } catch (error) {
      if (!stopped && !isCode(error, 'NOT_FOUND')) throw error;
    }
  };

  const done = (async () => {
    for await (const event of watch) {
      const pod = event.object;
      if (event.type === 'DELETED' || event.type === 'BOOKMARK') continue;
      if (pod.metadata.deletionTimestamp || started.has(pod.metadata.uid!)) continue;
      const nodeName = options.nodeFor?.(pod);
      if (options.nodeFor && !nodeName) continue;
      started.add(pod.metadata.uid!);
      const timer = setTimeout(() => {
        timers.delete(timer);
        void start(pod, nodeName);
      }, options.delayMs ?? 0);
      timers.add(timer);
    }
  })();

  return {
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      await watch.return();
      await done;
    },
  };
}
