import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { createGraphQLError, createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Context, Principal } from '../graphql/builder.ts';
import type { Authenticator } from '../auth.ts';
import type { AccessControl } from '../auth/access-control.ts';
import { corsFor } from './cors.ts';
import { useDocumentLimits } from '../limits/document-limits.ts';
import { useErrorContract } from './error-contract.ts';
import { useCurrentSchema } from './use-current-schema.ts';
import { useResponseCompression } from './response-compression.ts';
import { useSseStreams } from './sse-streams.ts';
import { useWarnings } from './warnings.ts';
import { useExecutionLimits } from '../limits/execution-limits.ts';
import { useBodyLimits, useQueryLimits, type Limits } from '../limits/hardening.ts';
import type { ConnectionLimits, Quota } from '../limits/connection-limits.ts';
import { useSseSubscriptionQuota } from '../limits/subscription-quota.ts';
import type { ResourceService } from '../resources/service.ts';
import { useSharedEventExecution } from '../shared-execution.ts';
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import type { LiveQueries } from '../live/live-queries.ts';
import { useLiveQueries } from '../live/use-live-queries.ts';

export interface ServerContext {
  req?: IncomingMessage;
  res?: ServerResponse;
  /** Set by the WebSocket transport, which authenticates at connection_init. */
  principal?: Principal;
}

export type YogaApp = YogaServerInstance<ServerContext, Context>;

export interface YogaOptions {
  schema: GraphQLSchema;
  /** The schema of the moment, when it changes while the server runs (custom resources): `schema` until it does. */
  currentSchema?: () => GraphQLSchema;
  auth: Authenticator;
  resources: ResourceService;
  access: AccessControl;
  limits: Limits;
  connectionLimits: ConnectionLimits;
  /** What subscriptions over SSE are counted against, with the WebSocket transport's operations. */
  operations: Quota;
  log: (line: string) => void;
  /** Origins (https://host:port) whose pages may call the API; none but its own by default. */
  corsOrigins?: readonly string[];
  /** Where queries marked `@live` run. */
  live: LiveQueries;
  /** Writes each operation's root fields to the audit log (server/audit/use-audit.ts). */
  audit: Plugin;
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
 * GraphQL over HTTP (POST, GET, and SSE for subscriptions; graphql-sse's protocol, single
 * connection too, at /graphql/stream), JSON answers compressed; the GraphiQL playground
 * is served beside it (playground.ts). Every operation needs a bearer token; unexpected
 * errors are masked for the client and logged here.
 */
export function createYogaApp(options: YogaOptions): YogaApp {
  const { schema, auth, resources, limits, log, corsOrigins } = options;
  const authenticated = new WeakMap<Request, Principal>();
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // GraphiQL is served before yoga, as files prepared once (server/http/playground.ts).
    graphiql: false,
    // Never the original error's message or stack, whatever NODE_ENV says.
    maskedErrors: { isDev: false },
    cors: corsFor(corsOrigins),
    // The API takes no file uploads.
    multipart: false,
    // useBodyLimits enforces limits.maxBodyBytes for every parser, with the API's error code.
    maxRequestBodySize: false,
    logging: {
      debug: () => {},
      info: () => {},
      warn: (...args: unknown[]) => log(args.map(String).join(' ')),
      error: (...args: unknown[]) =>
        log(args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : String(a))).join(' ')),
    },
    // In this order: the error contract wraps the body limit's parser and sees every
    // execution result, which the execution limits may answer early.
    plugins: [
      ...(options.currentSchema ? [useCurrentSchema(options.currentSchema)] : []),
      useAuthentication(auth, authenticated),
      useBodyLimits({ maxBytes: limits.maxBodyBytes, maxNesting: limits.maxNesting }),
      useErrorContract(),
      useWarnings(),
      options.audit,
      useDocumentLimits(limits),
      useQueryLimits(limits),
      useExecutionLimits(limits),
      useSseSubscriptionQuota(options.operations, options.connectionLimits),
      useSharedEventExecution(),
      useDeferStream(),
      useLiveQueries(options.live),
      useSseStreams({
        auth,
        maxBodyBytes: limits.maxBodyBytes,
        connectionLimits: options.connectionLimits,
        unauthenticated,
        log,
      }),
      useResponseCompression(),
    ],
    context: (initial): Context => {
      const principal =
        initial.principal ??
        authenticated.get(initial.request) ??
        auth.authenticate(initial.request.headers.get('authorization'));
      if (!principal) throw unauthenticated();
      // Every read a field makes is authorized too, and every RBAC object written checked for
      // escalation; cluster admins skip the checks they would always pass.
      return {
        principal,
        resources: options.access.resourcesFor(principal, resources),
        access: options.access,
        warnings: [],
      };
    },
  });
}

/**
 * Refuses an HTTP request without a valid token before its body is read, parsed or
 * validated, so that an anonymous client learns nothing about the schema and costs
 * next to nothing. GraphiQL (a browser GET) is answered earlier, without a token.
 */
function useAuthentication(
  auth: Authenticator,
  authenticated: WeakMap<Request, Principal>,
): Plugin<ServerContext> {
  return {
    onRequestParse({ request }) {
      const principal = auth.authenticate(request.headers.get('authorization'));
      if (!principal) throw unauthenticated();
      // The context reads it back: a token is checked once per request, not twice.
      authenticated.set(request, principal);
    },
  };
}
