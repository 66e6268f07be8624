import type { Plugin } from 'graphql-yoga';
import { liveOptions } from './live-directive.ts';
import type { LiveQueries } from './live-queries.ts';

/**
 * Runs queries marked `@live` as streams of results (LiveQueries) on every transport
 * that executes through envelop: WebSocket (graphql-ws sends each result as `next`),
 * server-sent events and graphql-sse. After the plugins that refuse or bound operations,
 * so that a live query is checked like any query before it starts.
 */
export function useLiveQueries(live: LiveQueries): Plugin {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const options = liveOptions(args);
      if (!options) return;
      setExecuteFn((executionArgs) => live.subscribe(executionArgs, executeFn, options));
    },
  };
}
