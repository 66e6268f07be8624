import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Context, Principal } from '../schema/builder.ts';
import type { Authenticator } from './auth.ts';
import { ApiError } from './errors.ts';
import { useBodyLimit, useQueryLimits, type Limits } from './hardening.ts';
import type { ResourceService } from './resources/service.ts';

export interface ServerContext {
  req?: IncomingMessage;
  res?: ServerResponse;
  /** Set by the WebSocket transport, which authenticates at connection_init. */
  principal?: Principal;
}

export type YogaApp = YogaServerInstance<ServerContext, Context>;

export interface YogaOptions {
  schema: GraphQLSchema;
  auth: Authenticator;
  resources: ResourceService;
  limits: Limits;
  log: (line: string) => void;
}

/**
 * GraphQL over HTTP (POST, GET, and SSE for subscriptions) with the GraphiQL
 * playground on a browser GET. Every operation needs a bearer token; unexpected
 * errors are masked for the client and logged here.
 */
export function createYogaApp({ schema, auth, resources, limits, log }: YogaOptions): YogaApp {
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: { title: 'kubeql', subscriptionsProtocol: 'WS' },
    maskedErrors: true,
    logging: {
      debug: () => {},
      info: () => {},
      warn: (...args: unknown[]) => log(args.map(String).join(' ')),
      error: (...args: unknown[]) => log(args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : String(a))).join(' ')),
    },
    plugins: [useBodyLimit(limits.maxBodyBytes), useQueryLimits(limits)],
    context: (initial): Context => {
      const principal = initial.principal ?? auth.authenticate(initial.request.headers.get('authorization'));
      if (!principal) throw new ApiError('UNAUTHENTICATED', 'Unauthorized: send a valid token as "Authorization: Bearer <token>"');
      return { principal, resources };
    },
  });
}
