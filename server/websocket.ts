import { createGraphQLError, maskError } from 'graphql-yoga';
import type {
  ExecutionArgs,
  ExecutionResult,
  FormattedExecutionResult,
  GraphQLError,
  GraphQLFormattedError,
  GraphQLSchema,
} from 'graphql';
import type { OperationResult } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { Socket } from 'node:net';
import type { WebSocketServer } from 'ws';
import type { Authenticator } from './auth.ts';
import type { Limits } from './hardening.ts';
import type { ResourceService } from './resources/service.ts';
import type { YogaApp } from './yoga.ts';

export interface WebSocketOptions {
  wss: WebSocketServer;
  yoga: YogaApp;
  schema: GraphQLSchema;
  auth: Authenticator;
  resources: ResourceService;
  limits: Limits;
}

/** The envelop-wrapped execute and subscribe, handed from onSubscribe to graphql-ws as the rootValue. */
interface Enveloped {
  execute: (args: ExecutionArgs) => OperationResult;
  subscribe: (args: ExecutionArgs) => OperationResult;
}

/**
 * graphql-ws (`graphql-transport-ws`) on /graphql, through the same envelop plugins
 * as HTTP (query limits, masking). The token comes in the connection_init payload
 * (`{ authorization: "Bearer ..." }` or `{ token }`); a connection without a valid one is
 * closed with 4403, one that never sends connection_init with 4408.
 */
export function serveWebSocket({ wss, yoga, auth, limits }: WebSocketOptions): {
  dispose(): void | Promise<void>;
} {
  const active = new WeakMap<object, number>();
  const credentials = (params: Record<string, unknown> | undefined, header: string | undefined) =>
    params?.authorization ?? params?.Authorization ?? params?.token ?? header;
  // What goes to the client: unexpected errors masked (and logged), no HTTP-only extensions.
  const format = (error: GraphQLError): GraphQLFormattedError => {
    const masked = maskError(error, 'Unexpected error.', false) as GraphQLError;
    if (masked !== error) yoga.logger.error(error);
    const { http: _http, ...extensions } = masked.extensions ?? {};
    const { extensions: _all, ...json } = masked.toJSON();
    return Object.keys(extensions).length ? { ...json, extensions } : json;
  };

  wss.on('connection', (_socket, request) => coalesceWrites(request.socket));

  return useServer(
    {
      connectionInitWaitTimeout: limits.connectionInitTimeoutMs,
      onConnect: (ctx) =>
        auth.authenticate(credentials(ctx.connectionParams, ctx.extra.request.headers.authorization)) !==
        undefined,
      execute: (args) => (args.rootValue as Enveloped).execute(args),
      subscribe: (args) => (args.rootValue as Enveloped).subscribe(args),
      onSubscribe: async (ctx, _id, payload) => {
        const count = active.get(ctx) ?? 0;
        if (count >= limits.maxSubscriptionsPerConnection) {
          return [
            createGraphQLError(
              `too many operations on this connection (at most ${limits.maxSubscriptionsPerConnection})`,
              {
                extensions: { code: 'TOO_MANY_REQUESTS' },
              },
            ),
          ];
        }
        const principal = auth.authenticate(
          credentials(ctx.connectionParams, ctx.extra.request.headers.authorization),
        );
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          req: ctx.extra.request,
          principal,
          params: payload,
        });
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error as GraphQLError];
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        // Counted before the first await, so that concurrent subscribes cannot pass the cap together.
        active.set(ctx, count + 1);
        let contextValue;
        try {
          contextValue = await contextFactory();
        } catch (error) {
          active.set(ctx, Math.max(0, (active.get(ctx) ?? 1) - 1));
          throw error;
        }
        return {
          schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue,
          rootValue: { execute, subscribe } satisfies Enveloped,
        };
      },
      onNext: (_ctx, _id, _payload, _args, result: ExecutionResult): FormattedExecutionResult | void => {
        if (!result.errors) return;
        return { ...result, errors: result.errors.map(format) };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map(format),
      onComplete: (ctx) => {
        active.set(ctx, Math.max(0, (active.get(ctx) ?? 1) - 1));
      },
    },
    wss,
  );
}

/**
 * Lets every frame written to a connection within one turn of the event loop leave in
 * one write. A watch that has fallen behind drains its backlog in a burst of
 * microtasks; without this each event would cost its own system call, which is what
 * limits fan-out to a thousand subscribers. An idle connection's frame leaves at the
 * end of the turn, a fraction of a millisecond later.
 */
function coalesceWrites(socket: Socket): void {
  const write = socket.write.bind(socket) as Socket['write'];
  let corked = false;
  socket.write = ((...args: Parameters<Socket['write']>) => {
    if (!corked && !socket.destroyed) {
      corked = true;
      socket.cork();
      setImmediate(() => {
        corked = false;
        socket.uncork();
      });
    }
    return write(...args);
  }) as Socket['write'];
}
