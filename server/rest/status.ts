import type http from 'node:http';
import { ERROR_HTTP_STATUS, type ErrorCode } from '../../schema/error-codes.ts';
import { ApiError } from '../errors.ts';

/** Kubernetes' metav1.Status reason for each of the API's error codes. */
const REASONS: Record<ErrorCode, string> = {
  NOT_FOUND: 'NotFound',
  ALREADY_EXISTS: 'AlreadyExists',
  CONFLICT: 'Conflict',
  INVALID: 'Invalid',
  BAD_REQUEST: 'BadRequest',
  UNAUTHENTICATED: 'Unauthorized',
  FORBIDDEN: 'Forbidden',
  EXPIRED: 'Expired',
  TOO_MANY_REQUESTS: 'TooManyRequests',
  TIMEOUT: 'Timeout',
  UNAVAILABLE: 'ServiceUnavailable',
};

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
}

/** A metav1.Status failure, as every Kubernetes client reads errors. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: string;
  details?: StatusDetails & { causes?: Array<{ reason?: string; message?: string; field?: string }> };
  code: number;
}

export function status(code: ErrorCode, message: string, details?: StatusDetails): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: REASONS[code],
    ...(details ? { details } : {}),
    code: ERROR_HTTP_STATUS[code],
  };
}

/**
 * The Status for an error a service raised: an ApiError keeps its code and message (and
 * INVALID its field causes); anything else is masked as InternalError and logged.
 */
export function statusOf(
  error: unknown,
  details: StatusDetails | undefined,
  log: (line: string) => void,
): Status {
  if (error instanceof ApiError) {
    const result = status(error.code, error.message, details);
    const causes = error.extensions.causes as
      Array<{ field: string; reason?: string; message?: string }> | undefined;
    if (causes?.length) result.details = { ...details, causes };
    return result;
  }
  log(`rest: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'Internal error occurred: an unexpected error; see the server log',
    reason: 'InternalError',
    code: 500,
  };
}

export function sendJson(res: http.ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-cache, private',
  });
  res.end(text);
}

export function sendStatus(res: http.ServerResponse, body: Status): void {
  sendJson(res, body.code, body);
}
