import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { createGraphQLError, createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Context, Principal } from './graphql/builder.ts';
import type { Authenticator } from './auth.ts';
import { useBodyLimit, useQueryLimits, type Limits } from './hardening.ts';
import type { ResourceService } from './resources/service.ts';
import { useSharedEventExecution } from './shared-execution.ts';

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

/** The 401 for a request without a valid token (RFC 6750 asks for the WWW-Authenticate challenge). */
export function unauthenticated() {
  return createGraphQLError('Unauthorized: send a valid token as "Authorization: Bearer <token>"', {
    extensions: {
      code: 'UNAUTHENTICATED',
      http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="kubeql"' } },
    },
  });
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
    // The playground bundled into the server: clusters often have no way out to a CDN.
    // Loaded on the first browser GET: the bundle is ~30 MB of heap for a page rarely opened.
    renderGraphiQL: async (options) =>
      (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(options),
    // Never the original error's message or stack, whatever NODE_ENV says.
    maskedErrors: { isDev: false },
    // The API takes no file uploads.
    multipart: false,
    // useBodyLimit enforces limits.maxBodyBytes for every parser, with the API's error code.
    maxRequestBodySize: false,
    logging: {
      debug: () => {},
      info: () => {},
      warn: (...args: unknown[]) => log(args.map(String).join(' ')),
      error: (...args: unknown[]) =>
        log(args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : String(a))).join(' ')),
    },
    plugins: [
      useAuthentication(auth),
      useBodyLimit(limits.maxBodyBytes),
      useQueryLimits(limits),
      useSharedEventExecution(),
    ],
    context: (initial): Context => {
      const principal = initial.principal ?? auth.authenticate(initial.request.headers.get('authorization'));
      if (!principal) throw unauthenticated();
      return { principal, resources };
    },
  });
}

/**
 * Refuses an HTTP request without a valid token before its body is read, parsed or
 * validated, so that an anonymous client learns nothing about the schema and costs
 * next to nothing. GraphiQL (a browser GET) is answered earlier, without a token.
 */
function useAuthentication(auth: Authenticator): Plugin<ServerContext> {
  return {
    onRequestParse({ request }) {
      if (!auth.authenticate(request.headers.get('authorization'))) throw unauthenticated();
    },
  };
}
