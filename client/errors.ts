import { isErrorCode, type ErrorCode as ApiErrorCode } from '../schema/error-codes.ts';
import type { GraphQLResult } from './types.ts';

/**
 * The API's error codes (`extensions.code`), plus INTERNAL for anything without one: a
 * masked server error, a malformed response, a schema mismatch. UNAVAILABLE also stands
 * for a server the SDK could not reach or whose connection dropped; UNTRUSTED for one
 * whose TLS certificate the client does not trust, which no retry mends.
 */
export type ErrorCode = ApiErrorCode | 'INTERNAL' | 'UNTRUSTED';

/** One offending field of an INVALID object, as Kubernetes' StatusCause. */
export interface Cause {
  field: string;
  reason: string;
  message: string;
}

export type GraphQLErrorLike = NonNullable<GraphQLResult['errors']>[number];

/** What every SDK call rejects (or an iterator throws) with. */
export class KubeqlError extends Error {
  override readonly name = 'KubeqlError';
  readonly code: ErrorCode;
  readonly causes: Cause[];
  /** Where in the response the first error arose, e.g. ['createPod']. */
  readonly path?: ReadonlyArray<string | number>;
  /** Every error of the response, as the server sent them. */
  readonly errors: readonly GraphQLErrorLike[];

  constructor(
    code: ErrorCode,
    message: string,
    details: {
      causes?: Cause[];
      path?: ReadonlyArray<string | number>;
      errors?: readonly GraphQLErrorLike[];
      cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.causes = details.causes ?? [];
    this.path = details.path;
    this.errors = details.errors ?? [];
  }
}

/** The first error decides the code (a response rarely carries more than one); all are kept. */
export function fromGraphQLErrors(errors: readonly GraphQLErrorLike[]): KubeqlError {
  const first = errors[0];
  if (!first) return new KubeqlError('INTERNAL', 'the server reported an error without details');
  const code = first.extensions?.code;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return new KubeqlError(isErrorCode(code) ? code : 'INTERNAL', first.message + more, {
    causes: causesOf(first.extensions?.causes),
    path: first.path,
    errors,
  });
}

function causesOf(value: unknown): Cause[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (c): c is Cause => typeof c === 'object' && c !== null && typeof (c as Cause).field === 'string',
  );
}

/** Anything a transport or iterator failed with, as a KubeqlError (INTERNAL unless it already is one). */
export function toKubeqlError(error: unknown): KubeqlError {
  if (error instanceof KubeqlError) return error;
  return new KubeqlError('INTERNAL', messageOf(error), { cause: error });
}

/**
 * The text of anything thrown, for logs and messages: an Error's message, or the
 * message of an error-like object (a WebSocket error event, a GraphQL error), else the
 * value as a string.
 */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) return String(error.message);
  return String(error);
}

export function isCode(error: unknown, code: ErrorCode): error is KubeqlError {
  return error instanceof KubeqlError && error.code === code;
}
