import {
  DirectiveLocation,
  getDirectiveValues,
  getOperationAST,
  GraphQLBoolean,
  GraphQLDirective,
  GraphQLInt,
  type ExecutionArgs,
} from 'graphql';

/** How long a live query waits between two runs unless it asks otherwise (`throttle`). */
export const DEFAULT_LIVE_THROTTLE_MS = 50;
/** The longest wait a live query may ask for: a minute is stale for any live view. */
const MAX_LIVE_THROTTLE_MS = 60_000;

/** `@live`, as graphql-live-query's clients send it: on a query operation, with `if` and `throttle`. */
export const GraphQLLiveDirective = new GraphQLDirective({
  name: 'live',
  description:
    'Keeps the query running: its result is sent again whenever an object it read changes (or one ' +
    'it looked for appears), at most once per `throttle` milliseconds (default ' +
    `${DEFAULT_LIVE_THROTTLE_MS}), over WebSocket or server-sent events. Only results that differ are sent.`,
  locations: [DirectiveLocation.QUERY],
  args: {
    if: { type: GraphQLBoolean, defaultValue: true, description: 'false runs the query once, as any query.' },
    throttle: {
      type: GraphQLInt,
      description: `The least time between two results, in milliseconds (0 to ${MAX_LIVE_THROTTLE_MS}).`,
    },
  },
});

export interface LiveOptions {
  throttleMs: number;
}

/** The operation's `@live` settings, when it is a live query; undefined for any other operation. */
export function liveOptions(args: Pick<ExecutionArgs, 'document' | 'operationName' | 'variableValues'>) {
  const operation = getOperationAST(args.document, args.operationName);
  if (operation?.operation !== 'query' || !operation.directives?.some((d) => d.name.value === 'live'))
    return undefined;
  const values = getDirectiveValues(GraphQLLiveDirective, operation, args.variableValues ?? undefined);
  if (!values || values.if === false) return undefined;
  const throttle = typeof values.throttle === 'number' ? values.throttle : DEFAULT_LIVE_THROTTLE_MS;
  return { throttleMs: Math.min(MAX_LIVE_THROTTLE_MS, Math.max(0, throttle)) } satisfies LiveOptions;
}
