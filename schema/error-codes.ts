/**
 * The API's error codes (`extensions.code` in GraphQL errors), one list for the server
 * that raises them and the SDK that reads them. Each maps to the HTTP status Kubernetes
 * gives the same failure.
 */
export const ERROR_HTTP_STATUS = {
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  /** A stale resourceVersion. */
  CONFLICT: 409,
  /** An object that fails validation; `extensions.causes` names the fields. */
  INVALID: 422,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  /** A resourceVersion or continue token older than the retained history: list again. */
  EXPIRED: 410,
  TOO_MANY_REQUESTS: 429,
  /** A wait the client bounded (e.g. rolloutStatus' timeoutSeconds) ran out first. */
  TIMEOUT: 504,
  /** What the request needs is out of reach for now (a node without a connected agent): worth retrying. */
  UNAVAILABLE: 503,
  /** The server cannot serve what it holds (an object it cannot decrypt): not the request's fault. */
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_HTTP_STATUS;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_HTTP_STATUS, code);
}
