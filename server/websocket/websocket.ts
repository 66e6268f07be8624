import {
  getOperationAST,
  GraphQLError,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
} from 'graphql';
import {
  makeServer,
  MessageType,
  type Context,
  type OperationResult,
  type SubscribePayload,
} from 'graphql-ws';
import { createGraphQLError } from 'graphql-yoga';
import type { IncomingMessage } from 'node:http';
import type { WebSocketServer } from 'ws';
import { operationRefused } from '../limits/subscription-quota.ts';
import { ApiError } from '../errors.ts';
import { CLOSE, closeReason } from './close-codes.ts';
import { badRequest, forClient, unexpected } from './ws-errors.ts';
import { deliverDirectly } from './direct-delivery.ts';
import { delivered, directResults } from './direct-results.ts';
import { takeResultsDirectly } from '../shared-execution.ts';
import { nextMessage } from './next-message.ts';
import { serveGraphQLWs, type Extra } from './ws-transport.ts';
import type { YogaApp, YogaOptions } from '../http/yoga.ts';

/** What the WebSocket transport shares with HTTP: the same limits, caps and quota of operations. */
export interface WebSocketOptions extends Pick<
  YogaOptions,
  'auth' | 'limits' | 'connectionLimits' | 'operations' | 'log'
> {
  wss: WebSocketServer;
  yoga: YogaApp;
  /** Told of each connection refused for want of a valid token (the audit log writes it). */
  onUnauthenticated?: (request: IncomingMessage) => void;
}

type Connection = Context<Record<string, unknown> | undefined, Extra>;

/** The envelop-wrapped execute and subscribe, handed from onSubscribe to graphql-ws as the rootValue. */
interface Enveloped {
  execute: (args: ExecutionArgs) => OperationResult;
  subscribe: (args: ExecutionArgs) => OperationResult;
}

/** What one connection holds against the caps; nothing more once it has closed. */
interface Holding {
  operations: number;
  closed: boolean;
}

/**
 * graphql-ws (`graphql-transport-ws`) on /graphql, through the same envelop plugins
 * as HTTP (query limits, masking). The token comes in the connection_init payload
 * (`{ authorization: "Bearer ..." }`, `{ token }` or `{ headers: { Authorization } }`:
 * `credentials` below); a connection without a valid one is
 * closed with 4403, one that never sends connection_init with 4408, one whose
 * ServiceAccount token expires or is revoked while it is open with 4002 or 4003
 * (close-codes.ts has them all). Whatever is wrong with an operation fails that operation alone: an `error`
 * message for its id, with `extensions.code` (BAD_REQUEST for a document that does not
 * parse, validate or name an operation it holds, TOO_MANY_REQUESTS over a cap).
 */
export function serveWebSocket({
  wss,
  yoga,
  auth,
  limits,
  connectionLimits,
  operations: quota,
  log,
  onUnauthenticated,
}: WebSocketOptions): {
  dispose(): Promise<void>;
} {
  const holdings = new WeakMap<Connection, Holding>();
  const holdingOf = (ctx: Connection) => {
    let holding = holdings.get(ctx);
    if (!holding) holdings.set(ctx, (holding = { operations: 0, closed: false }));
    return holding;
  };
  const release = (ctx: Connection) => {
    const holding = holdingOf(ctx);
    if (holding.closed || holding.operations === 0) return;
    holding.operations--;
    quota.release(ctx.extra.client);
  };

  /**
   * The token of a connection_init payload, in any of the shapes clients send it:
   * `{ authorization }` or `{ token }` as the SDK does, or the request's headers as a
   * playground or a forwarding client holds them, flat (`{ Authorization }`) or nested
   * (`{ headers: { Authorization } }`), the header's name in any case as HTTP has it; else
   * the upgrade request's Authorization header.
   */
  const credentials = (ctx: Connection) => {
    const params = ctx.connectionParams;
    const authorization = (map: unknown) =>
      typeof map === 'object' && map !== null
        ? Object.entries(map).find(([name]) => name.toLowerCase() === 'authorization')?.[1]
        : undefined;
    return (
      authorization(params) ??
      params?.token ??
      authorization(params?.headers) ??
      ctx.extra.request.headers.authorization
    );
  };
  const format = (error: GraphQLError) => forClient(error, (unmasked) => yoga.logger.error(unmasked));
  const withClientErrors = (result: ExecutionResult): FormattedExecutionResult => ({
    ...result,
    errors: result.errors?.map(format),
  });
  const nextText = (id: string, result: ExecutionResult) =>
    result.errors
      ? JSON.stringify({ id, type: MessageType.Next, payload: withClientErrors(result) })
      : nextMessage(id, result);
  /** A thrown value as the errors of its operation: its own if meant for the client, else masked and logged. */
  const refuse = (error: unknown): GraphQLError[] => {
    if (error instanceof GraphQLError) return [error];
    log(`websocket: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return [unexpected()];
  };
  /** Runs the enveloped execute or subscribe; what it throws fails the operation, not the connection. */
  const run =
    (which: keyof Enveloped) =>
    async (args: ExecutionArgs): Promise<Awaited<OperationResult>> => {
      try {
        return await (args.rootValue as Enveloped)[which](args);
      } catch (error) {
        return { errors: refuse(error) };
      }
    };

  const prepare = async (ctx: Connection, payload: SubscribePayload) => {
    const holding = holdingOf(ctx);
    if (holding.closed) return [unavailable('the connection is closing')];
    if (holding.operations >= limits.maxSubscriptionsPerConnection)
      return [
        new ApiError(
          'TOO_MANY_REQUESTS',
          `too many operations on this connection (at most ${limits.maxSubscriptionsPerConnection})`,
        ),
      ];
    const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
      req: ctx.extra.request,
      principal: auth.authenticate(credentials(ctx)),
      params: payload,
    });
    let document;
    // The enveloped parse refuses a document nested too deep before graphql-js' recursion
    // can overflow on it (useDocumentLimits), and one over the token limit.
    try {
      document = parse(payload.query);
    } catch (error) {
      if (error instanceof GraphQLError) return [badRequest(error)];
      throw error;
    }
    const invalid = validate(schema, document);
    if (invalid.length > 0) return invalid.map(badRequest);
    if (!getOperationAST(document, payload.operationName))
      return [badRequest(unidentified(payload.operationName))];

    // Taken before the first await, so that concurrent subscribes cannot pass a cap together.
    const refused = quota.acquire(ctx.extra.client);
    if (refused) return [operationRefused(refused, connectionLimits)];
    holding.operations++;
    try {
      return {
        schema,
        operationName: payload.operationName,
        document,
        variableValues: payload.variables,
        contextValue: await contextFactory(),
        rootValue: { execute, subscribe } satisfies Enveloped,
      };
    } catch (error) {
      release(ctx);
      throw error;
    }
  };

  const server = makeServer<Record<string, unknown> | undefined, Extra>({
    connectionInitWaitTimeout: limits.connectionInitTimeoutMs,
    onConnect: (ctx) => {
      if (auth.authenticate(credentials(ctx))) {
        const { socket } = ctx.extra;
        const close = (code: number) => socket.close(code, closeReason(code));
        const untrack = auth.untilInvalid(credentials(ctx), (why) =>
          close(why === 'expired' ? CLOSE.tokenExpired : CLOSE.tokenRevoked),
        );
        socket.once('close', untrack);
        return true;
      }
      onUnauthenticated?.(ctx.extra.request);
      return false;
    },
    execute: run('execute'),
    subscribe: run('subscribe'),
    onSubscribe: async (ctx, _id, payload) => {
      try {
        return await prepare(ctx, payload);
      } catch (error) {
        return refuse(error);
      }
    },
    // A stream's results leave through the connection's send, each event serialized once for
    // all its subscribers; a watch's shared results mostly straight from the watch (direct-results.ts).
    onOperation: (ctx, id, _payload, args, result) => {
      if (!isAsyncIterable(result)) return;
      const isOpen = () => id in ctx.subscriptions;
      takeResultsDirectly(args.contextValue, directResults(id, isOpen, ctx.extra.trySend));
      return deliverDirectly(result[Symbol.asyncIterator](), (next) => {
        delivered(next);
        return ctx.extra.send(nextText(id, next));
      });
    },
    onNext: (_ctx, _id, _payload, _args, result: ExecutionResult): FormattedExecutionResult | void => {
      if (!result.errors) return;
      return withClientErrors(result);
    },
    onError: (_ctx, _id, _payload, errors) => errors.map(format),
    onComplete: (ctx) => release(ctx),
    onClose: (ctx) => {
      const holding = holdingOf(ctx);
      if (holding.closed) return;
      holding.closed = true;
      quota.release(ctx.extra.client, holding.operations);
      holding.operations = 0;
    },
  });
  return serveGraphQLWs(wss, server, connectionLimits, log);
}

function isAsyncIterable(result: unknown): result is AsyncIterable<ExecutionResult> {
  return typeof result === 'object' && result !== null && Symbol.asyncIterator in result;
}

function unavailable(message: string): GraphQLError {
  return createGraphQLError(message, { extensions: { code: 'UNAVAILABLE' } });
}

/** graphql-js' words for an operation it cannot pick, where graphql-ws' would not say why. */
function unidentified(operationName: string | null | undefined): string {
  return operationName
    ? `Unknown operation named "${operationName}".`
    : 'Must provide operation name if query contains multiple operations.';
}
