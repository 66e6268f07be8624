import { isCode, resourceWriter, type KubeqlClient, type Resource } from '../client/index.ts';

/**
 * Plays the kubelet for controller tests while there is no scheduler or node agent:
 * watches the namespace's pods and reports each new one Running and Ready (through the
 * status subresource), after `delayMs`. Pods being deleted are left alone.
 */
export function fakeKubelet(client: KubeqlClient, namespace: string, options: { delayMs?: number } = {}) {
  const writer = resourceWriter(client);
  const watch = client.watch('Pod', { namespace });
  const started = new Set<string>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let ip = 10;
  let stopped = false;

  const start = async (pod: Resource) => {
    try {
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      await writer.updateStatus(pod, {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
        podIP: `10.0.${Math.floor(ip / 250)}.${(ip++ % 250) + 1}`,
        startTime: now,
      });
    } catch (error) {
      if (!stopped && !isCode(error, 'NOT_FOUND')) throw error;
    }
  };

  const done = (async () => {
    for await (const event of watch) {
      const pod = event.object;
      if (event.type === 'DELETED' || event.type === 'BOOKMARK') continue;
      if (pod.metadata.deletionTimestamp || started.has(pod.metadata.uid!)) continue;
      started.add(pod.metadata.uid!);
      const timer = setTimeout(() => {
        timers.delete(timer);
        void start(pod);
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
