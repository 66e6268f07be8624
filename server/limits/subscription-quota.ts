import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { ApiError } from '../errors.ts';
import { clientOf } from './clients.ts';
import type { ConnectionLimits, Quota, Refusal } from './connection-limits.ts';
import type { IncomingMessage } from 'node:http';
import { liveOptions } from '../live/live-directive.ts';

/** The error for an operation over a subscription cap, worded alike over every transport. */
export function operationRefused(refusal: Refusal, limits: ConnectionLimits): ApiError {
  return refusal === 'total'
    ? new ApiError(
        'TOO_MANY_REQUESTS',
        `too many operations on this server (at most ${limits.maxSubscriptions})`,
      )
    : new ApiError(
        'TOO_MANY_REQUESTS',
        `too many operations from this client (at most ${limits.maxSubscriptionsPerClient})`,
      );
}

/** What yoga's context holds for an HTTP request: the Fetch request, and node's beneath it. */
interface HttpContext {
  request?: Request;
  req?: IncomingMessage;
}

/**
 * Holds each subscription (and live query) over HTTP (server-sent events) against the same quota as the
 * WebSocket transport's operations, from when it is accepted until its stream ends or
 * its client goes away: without it, SSE was a way round the watch caps. Subscriptions
 * over WebSocket are counted by that transport (it counts every operation), so only
 * those that came as an HTTP request (`context.request`) are counted here. After the
 * plugins that refuse operations, so that a refused one takes nothing; before shared
 * execution, which answers the subscription in their place.
 */
export function useSseSubscriptionQuota(quota: Quota, limits: ConnectionLimits): Plugin<HttpContext> {
  /** A place for the operation, or the refusal to answer with; undefined when it is not counted here. */
  const hold = (context: HttpContext) => {
    const { request, req } = context;
    if (!request || !req) return undefined;
    const client = clientOf(req, limits.trustedProxies);
    const refused = quota.acquire(client);
    if (refused) return { refusal: operationRefused(refused, limits) };
    let held = true;
    const release = () => {
      if (held) quota.release(client);
      held = false;
    };
    return { release };
  };
  const untilTheStreamEnds = (result: unknown, release: () => void) => {
    if (!isAsyncIterable(result)) return release();
    return { onEnd: release };
  };
  return {
    onSubscribe({ args, setResultAndStopExecution }) {
      const place = hold(args.contextValue);
      if (!place) return;
      if (place.refusal) return setResultAndStopExecution({ errors: [place.refusal] });
      const { release } = place;
      return {
        onSubscribeResult: ({ result }) => untilTheStreamEnds(result, release),
        onSubscribeError: release,
      };
    },
    // A live query is held open as a subscription is.
    onExecute({ args, setResultAndStopExecution }) {
      if (!liveOptions(args)) return;
      const place = hold(args.contextValue);
      if (!place) return;
      if (place.refusal) return setResultAndStopExecution({ errors: [place.refusal] });
      const { release } = place;
      return { onExecuteDone: ({ result }) => untilTheStreamEnds(result, release) };
    },
  };
}
