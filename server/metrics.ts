import type { LiveQueries } from './live/live-queries.ts';
import type { Store } from './store/store.ts';
import type { WatchHub } from './watch/hub.ts';

/** The store's, the watch hub's and the live queries' state in Prometheus' text format. */
export function renderMetrics(store: Store, hub: WatchHub, live: LiveQueries): string {
  const metrics: Array<[string, string, number, ('gauge' | 'counter')?]> = [
    ['kubeql_store_revision', 'The current global revision (resourceVersion).', store.revision],
    [
      'kubeql_store_compacted_revision',
      'Events at or below this revision have been compacted away.',
      store.log.compacted,
    ],
    ['kubeql_store_event_log_size', 'Events retained for resuming watches.', store.log.size],
    ['kubeql_watchers', 'Open watches (subscriptions).', hub.size],
    [
      'kubeql_live_queries',
      'Distinct live queries running (clients holding the same one share it).',
      live.size,
    ],
    [
      'kubeql_live_query_runs_total',
      'Executions of live queries since the server started.',
      live.runs,
      'counter',
    ],
    ['process_resident_memory_bytes', 'Resident memory of the API server.', process.memoryUsage.rss()],
  ];
  return metrics
    .map(
      ([name, help, value, type = 'gauge']) =>
        `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}`,
    )
    .join('\n');
}
