import { GraphQLError } from 'graphql';
import { ERROR_HTTP_STATUS, type ErrorCode } from '../schema/error-codes.ts';
import type { FieldError } from '../schema/field-error.ts';

export type { ErrorCode };

/**
 * An error meant for the client: it carries `extensions.code` (and for INVALID the
 * offending field paths in `extensions.causes`), the way Kubernetes' Status carries a
 * reason and causes. Anything that is not an ApiError is masked by the server.
 */
export class ApiError extends GraphQLError {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, causes?: FieldError[], headers?: Record<string, string>) {
    super(message, {
      extensions: {
        code,
        // The HTTP meaning, for the few errors raised before execution (yoga reads it).
        http: { status: ERROR_HTTP_STATUS[code], ...(headers ? { headers } : {}) },
        ...(causes?.length
          ? { causes: causes.map(({ path, reason, message }) => ({ field: path, reason, message })) }
          : {}),
      },
    });
    this.code = code;
  }
}

/** `resource` is the kind's plural, as Kubernetes names it in messages ("pods"). */
export function notFound(resource: string, name: string): ApiError {
  return new ApiError('NOT_FOUND', `${resource} "${name}" not found`);
}

export function alreadyExists(resource: string, name: string): ApiError {
  return new ApiError('ALREADY_EXISTS', `${resource} "${name}" already exists`);
}

export function conflict(resource: string, name: string): ApiError {
  return new ApiError(
    'CONFLICT',
    `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
  );
}

export function invalid(kind: string, name: string, causes: FieldError[]): ApiError {
  const detail = causes.map((c) => `${c.path}: ${c.message}`).join(', ');
  return new ApiError('INVALID', `${kind} "${name}" is invalid: ${detail}`, causes);
}

export function expired(revision: number, compacted: number): ApiError {
  return new ApiError(
    'EXPIRED',
    `too old resource version: ${revision} (${compacted}); the events are compacted away, list again`,
  );
}

/** A request refused for load, not for what it asks: the client may send it again after a while. */
export function tooManyRequests(message: string, retryAfterSeconds: number): ApiError {
  return new ApiError('TOO_MANY_REQUESTS', message, undefined, { 'Retry-After': String(retryAfterSeconds) });
}
