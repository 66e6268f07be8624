import {
  createSourceEventStream,
  execute,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { AccessAttributes } from './auth/access-attributes.ts';
import { MASTERS_GROUP, type Authorizer } from './auth/authorizer.ts';
import type { Context } from './graphql/builder.ts';
import type { DirectTaker, Offer } from './watch/hub.ts';

/** An authorization made while executing, as a request any caller can be asked again. */
type Decision = [request: Omit<AccessAttributes, 'user' | 'groups'>, allowed: boolean];

/** One caller's result of an event, and, when it may serve others, the decisions it rests on. */
interface Executed {
  result: unknown;
  decisions?: Decision[];
}

/** The results of one operation (document, name, variables) for one event. */
interface PerOperation {
  byCaller: Map<string, unknown>;
  shareable: Executed[];
}

/** Takes a subscription's results as its watch's events happen (see takeResultsDirectly). */
export type ResultTaker = (result: ExecutionResult) => Offer;

/** A source that can hand its events over synchronously (a hub watch). */
interface Offering {
  offerTo(taker: DirectTaker): void;
}

/** How to hand a subscription's results to a taker, by the operation's context. */
const directly = new WeakMap<object, (taker: ResultTaker) => void>();

/**
 * Has `taker` receive the results of the subscription executed with `context` as its
 * watch's events happen, synchronously, instead of each passing through the stream's
 * chain of iterators: what it does not send goes that way as before. Nothing changes
 * for a subscription whose source cannot offer its events so (one that is not a watch).
 */
export function takeResultsDirectly(context: unknown, taker: ResultTaker): void {
  if (typeof context === 'object' && context !== null) directly.get(context)?.(taker);
}

/**
 * Executes a subscription's document once per event, not once per subscriber.
 * Watch events are shared objects (one per store event and outcome, see the hub), so
 * when a thousand dashboards watch the same pods with the same query, the result of
 * the first execution serves all of them. Results are remembered per event object in
 * a WeakMap and are gone with the event.
 *
 * What an event's fields resolve to (edges, usage) is authorized for the caller, so a
 * result serves another caller only when every authorization its execution made has
 * the same answer for that caller, and the two are alike in being cluster admins or
 * not (an admin's reads are not authorized at all). A result with errors serves its
 * own caller alone: a refusal names the caller.
 */
export function useSharedEventExecution(): Plugin {
  const results = new WeakMap<object, Map<string, PerOperation>>();
  const documentIds = new WeakMap<DocumentNode, number>();
  let nextId = 0;

  const keysOf = (args: ExecutionArgs) => {
    let id = documentIds.get(args.document);
    if (id === undefined) documentIds.set(args.document, (id = nextId++));
    const { principal } = args.contextValue as Context;
    const admin = principal.groups.includes(MASTERS_GROUP);
    return {
      operation: `${id}\u0000${args.operationName ?? ''}\u0000${JSON.stringify(args.variableValues ?? {})}\u0000${admin}`,
      caller: JSON.stringify([principal.name, principal.groups]),
    };
  };

  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(async (args: ExecutionArgs) => {
        const stream = await createSourceEventStream(args);
        if (!(Symbol.asyncIterator in (stream as object))) return stream as ExecutionResult;
        const source = stream as AsyncIterableIterator<unknown>;
        const keys = keysOf(args);
        const context = args.contextValue as Context;
        const run = (payload: unknown) => {
          if (typeof payload !== 'object' || payload === null)
            return execute({ ...args, rootValue: payload });
          let perEvent = results.get(payload);
          if (!perEvent) results.set(payload, (perEvent = new Map()));
          let perOperation = perEvent.get(keys.operation);
          if (!perOperation)
            perEvent.set(keys.operation, (perOperation = { byCaller: new Map(), shareable: [] }));
          let result = perOperation.byCaller.get(keys.caller);
          if (result !== undefined) return result;
          const authorizer = context.access.authorizer;
          result = perOperation.shareable.find(({ decisions }) =>
            holdFor(authorizer, context, decisions!),
          )?.result;
          if (result === undefined) {
            const executed = recording(authorizer, () => execute({ ...args, rootValue: payload }));
            result = executed.result;
            if (executed.decisions) perOperation.shareable.push(executed);
          }
          perOperation.byCaller.set(keys.caller, result);
          return result;
        };
        if (isOffering(source)) {
          let taker: ResultTaker | undefined;
          source.offerTo((event) => {
            if (!taker) return 'refused';
            const result = run(event);
            if (result instanceof Promise || (result as ExecutionResult).errors) return 'refused';
            return taker(result as ExecutionResult);
          });
          directly.set(context, (given) => (taker = given));
        }
        // A plain iterator, not an async generator: `return` must reach the watch at once,
        // even while it waits for the next event.
        const mapped: AsyncIterableIterator<unknown> = {
          next: async () => {
            const item = await source.next();
            return item.done ? item : { value: await run(item.value), done: false };
          },
          return: async () => (await source.return?.()) ?? { value: undefined, done: true },
          [Symbol.asyncIterator]: () => mapped,
        };
        return mapped as AsyncIterableIterator<ExecutionResult>;
      });
    },
  };
}

function isOffering(source: object): source is Offering {
  return typeof (source as Partial<Offering>).offerTo === 'function';
}

/**
 * Runs `execute`, noting every decision the authorizer makes meanwhile. Only a
 * synchronous execution without errors is known to rest on those decisions alone (an
 * asynchronous one would interleave with others); any other result is its caller's.
 */
function recording(authorizer: Authorizer, run: () => unknown): Executed {
  const { result, decisions } = authorizer.recording(run);
  const shareable = !(result instanceof Promise) && !(result as ExecutionResult).errors;
  if (!shareable) return { result };
  return {
    result,
    decisions: decisions.map(([{ user: _user, groups: _groups, ...request }, allowed]) => [request, allowed]),
  };
}

/** Whether the caller of `context` would be given the same answer to each decision. */
function holdFor(authorizer: Authorizer, { principal }: Context, decisions: Decision[]): boolean {
  return decisions.every(
    ([request, allowed]) =>
      authorizer.authorize({ ...request, user: principal.name, groups: principal.groups }).allowed ===
      allowed,
  );
}
