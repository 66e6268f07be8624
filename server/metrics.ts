import type { Store } from './store/store.ts';
import type { WatchHub } from './watch/hub.ts';

/** The store's and the watch hub's state in Prometheus' text format. */
export function renderMetrics(store: Store, hub: WatchHub): string {
  const gauges: Array<[string, string, number]> = [
    ['kubeql_store_revision', 'The current global revision (resourceVersion).', store.revision],
    [
      'kubeql_store_compacted_revision',
      'Events at or below this revision have been compacted away.',
      store.log.compacted,
    ],
    ['kubeql_store_event_log_size', 'Events retained for resuming watches.', store.log.size],
    ['kubeql_watchers', 'Open watches (subscriptions).', hub.size],
    ['process_resident_memory_bytes', 'Resident memory of the API server.', process.memoryUsage.rss()],
  ];
  return gauges
    .map(([name, help, value]) => `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name} ${value}`)
    .join('\n');
}
