import { createGraphQLError } from 'graphql-yoga';
import type { GraphQLSchema } from 'graphql';
import type { ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
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

interface Enveloped {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

/**
 * graphql-ws (`graphql-transport-ws`) on /graphql, through the same envelop plugins
 * as HTTP (query limits, masking). The token comes in the connection_init payload
 * (`{ authorization: "Bearer ..." }` or `{ token }`); a connection without a valid one is
 * closed with 4403, one that never sends connection_init with 4408.
 */
export function serveWebSocket({ wss, yoga, auth, limits }: WebSocketOptions): { dispose(): void | Promise<void> } {
  const active = new WeakMap<object, number>();
  const credentials = (params: Record<string, unknown> | undefined, header: string | undefined) =>
    params?.authorization ?? params?.Authorization ?? params?.token ?? header;

  return useServer(
    {
      connectionInitWaitTimeout: limits.connectionInitTimeoutMs,
      onConnect: (ctx) =>
        auth.authenticate(credentials(ctx.connectionParams, ctx.extra.request.headers.authorization)) !== undefined,
      execute: (args) => (args.rootValue as Enveloped).execute(args) as any,
      subscribe: (args) => (args.rootValue as Enveloped).subscribe(args) as any,
      onSubscribe: async (ctx, _id, payload) => {
        const count = active.get(ctx) ?? 0;
        if (count >= limits.maxSubscriptionsPerConnection) {
          return [
            createGraphQLError(`too many operations on this connection (at most ${limits.maxSubscriptionsPerConnection})`, {
              extensions: { code: 'TOO_MANY_REQUESTS' },
            }),
          ];
        }
        const principal = auth.authenticate(credentials(ctx.connectionParams, ctx.extra.request.headers.authorization));
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          req: ctx.extra.request,
          principal,
          params: payload,
        } as any);
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error as any];
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        active.set(ctx, count + 1);
        return {
          schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
      },
      onComplete: (ctx) => {
        active.set(ctx, Math.max(0, (active.get(ctx) ?? 1) - 1));
      },
    },
    wss,
  );
}
