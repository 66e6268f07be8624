import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import { createGraphQLError, maskError } from 'graphql-yoga';
import { isErrorCode } from '../../schema/error-codes.ts';

/**
 * Errors as WebSocket clients receive them: each with an `extensions.code`, as over
 * HTTP, so that a client can tell its own mistakes from the server's.
 */

/**
 * A refusal of the request itself (its syntax, validity, or an operation it does not
 * name), its message and locations kept: BAD_REQUEST, unless it already has one of the
 * API's codes (graphql-yoga's GRAPHQL_PARSE_FAILED and the like are not).
 */
export function badRequest(error: GraphQLError | string): GraphQLError {
  if (typeof error === 'string') return createGraphQLError(error, { extensions: { code: 'BAD_REQUEST' } });
  return createGraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: {
      ...error.extensions,
      code: isErrorCode(error.extensions?.code) ? error.extensions.code : 'BAD_REQUEST',
    },
  });
}

/** What the client sees of a thrown value that is not an error meant for it (logged by the caller). */
export function unexpected(): GraphQLError {
  return createGraphQLError('Unexpected error.', {
    extensions: { code: 'INTERNAL_SERVER_ERROR', unexpected: true },
  });
}

/**
 * Unexpected errors masked (and handed to `logUnexpected`), HTTP-only extensions
 * dropped, and a code for an error raised without one: a request-level error (no path:
 * variables that do not fit, say) is the request's fault, a field error the server's.
 */
export function forClient(
  error: GraphQLError,
  logUnexpected: (error: GraphQLError) => void,
): GraphQLFormattedError {
  const masked = maskError(error, 'Unexpected error.', false) as GraphQLError;
  if (masked !== error) logUnexpected(error);
  const { http: _http, ...extensions } = masked.extensions ?? {};
  extensions.code ??= masked.path ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST';
  const { extensions: _all, ...json } = masked.toJSON();
  return { ...json, extensions };
}
