import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { DEFAULT_LIST_LIMIT } from '../../schema/list-limits.ts';
import { Seats } from './concurrency.ts';
import { operationCost } from './cost.ts';
import { ApiError, tooManyRequests } from '../errors.ts';
import type { Limits } from './hardening.ts';
import { boundedResult, meterLists, meterOperation, ResponseBudget } from './response-budget.ts';

/** How long an expensive operation may wait for a seat before it is refused. */
const SEAT_WAIT_MS = 10_000;
/** What a refused client is told to wait: Kubernetes' priority and fairness says 1 s too. */
const RETRY_AFTER_SECONDS = 1;

/**
 * What an operation may cost, checked after validation, before it runs, over every
 * transport (envelop's hooks): its estimated cost against `maxCost`; a seat when it is
 * expensive; its response against the budget while it runs and before it is sent.
 */
export function useExecutionLimits(limits: Limits): Plugin {
  const seats = new Seats(limits.maxExpensiveInflight, limits.maxExpensiveQueued, SEAT_WAIT_MS);
  const costOf = (args: ExecutionArgs) => {
    const cost = operationCost(args.schema, args.document, args.operationName, args.variableValues);
    if (cost <= limits.maxCost) return { cost };
    return {
      cost,
      refusal: new ApiError(
        'BAD_REQUEST',
        `the operation may return ${cost} objects, more than ${limits.maxCost}: a list counts as its ` +
          `limit (${DEFAULT_LIST_LIMIT} without one) and everything under it as many times; ask for ` +
          'smaller pages or fewer lists',
      ),
    };
  };
  const bounded = (result: ExecutionResult, budget?: ResponseBudget) =>
    boundedResult(result, limits.maxResponseBytes, budget);

  // Subscribers of one watch with one query share each event's result (shared-execution.ts).
  const events = new WeakMap<ExecutionResult, ExecutionResult>();
  const boundedEvent = (event: ExecutionResult) => {
    let checked = events.get(event);
    if (!checked) events.set(event, (checked = bounded(event)));
    return checked;
  };

  return {
    onSchemaChange({ schema }) {
      meterLists(schema);
    },
    async onExecute({ args, executeFn, setExecuteFn, setResultAndStopExecution }) {
      const { cost, refusal } = costOf(args);
      if (refusal) return setResultAndStopExecution({ errors: [refusal] });
      let release: (() => void) | undefined;
      if (cost >= limits.expensiveCost) {
        const request = (args.contextValue as { request?: Request } | undefined)?.request;
        release = await seats.take(request?.signal);
        if (!release)
          return setResultAndStopExecution({
            errors: [
              tooManyRequests(
                'too many expensive operations (lists) at once: try again shortly',
                RETRY_AFTER_SECONDS,
              ),
            ],
          });
        const seated = release;
        const execute = executeFn;
        setExecuteFn(async (executionArgs) => {
          try {
            return await execute(executionArgs);
          } finally {
            seated();
          }
        });
      }
      const budget = new ResponseBudget(limits.maxResponseObjects);
      meterOperation(args.contextValue, budget);
      return {
        onExecuteDone: ({ result, setResult }) => {
          // Here too: a plugin after this one may have answered without executing.
          release?.();
          if (!isAsyncIterable(result)) setResult(bounded(result, budget));
        },
      };
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const { refusal } = costOf(args);
      if (refusal) return setResultAndStopExecution({ errors: [refusal] });
      return {
        onSubscribeResult: ({ result, setResult }) => {
          if (!isAsyncIterable(result)) return setResult(bounded(result));
          // Each event is an answer of its own, measured once however many share it.
          return { onNext: ({ result: event, setResult: setEvent }) => setEvent(boundedEvent(event)) };
        },
      };
    },
  };
}
