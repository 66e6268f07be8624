import type http from 'node:http';
import { accepts } from '../http/compressed-files.ts';
import { COMPRESS } from '../http/response-compression.ts';
import { ERROR_HTTP_STATUS, type ErrorCode } from '../../schema/error-codes.ts';
import type { KindDefinition, Resource } from '../../schema/kind.ts';
import { noteFailure, noteResponseBody } from '../audit/response-notes.ts';
import { ApiError } from '../errors.ts';
import { groupVersionOf } from './discovery.ts';

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
  INTERNAL: 'InternalError',
};

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
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
    if (causes?.length) {
      result.details = {
        ...details,
        causes: causes.map(({ field, reason, message }) => ({ reason: causeType(reason), message, field })),
      };
    }
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

/**
 * The Status for an error about one object of a kind, as Kubernetes words it: the
 * resource named with its group (`deployments.apps "web" not found`, `Deployment.apps
 * "web" is invalid`), and details naming the object (by kind for INVALID, whose causes
 * kubectl prints as `The Deployment "web" is invalid: ...`, by resource otherwise).
 */
export function statusFor(
  error: unknown,
  def: KindDefinition,
  name: string | undefined,
  log: (line: string) => void,
): Status {
  const { group } = groupVersionOf(def);
  const invalid = error instanceof ApiError && error.code === 'INVALID';
  const details: StatusDetails = {
    ...(name ? { name } : {}),
    ...(group ? { group } : {}),
    kind: invalid ? def.kind : def.plural,
  };
  // Kubernetes names the object of every failure but a malformed request, and an Invalid
  // without field causes (a JSON patch that does not apply): kubectl prints that one's message.
  const named =
    error instanceof ApiError &&
    error.code !== 'BAD_REQUEST' &&
    !(invalid && !(error.extensions.causes as unknown[] | undefined)?.length);
  const result = statusOf(error, named ? details : undefined, log);
  if (group) {
    result.message = result.message
      .replace(new RegExp(`^${def.kind} "`), `${def.kind}.${group} "`)
      .replace(new RegExp(`(^|on )${def.plural} "`), `$1${def.plural}.${group} "`);
  }
  return result;
}

/** The Success Status Kubernetes answers a deletion that removed the object at once. */
export function deletedStatus(def: KindDefinition, obj: Resource) {
  const { group } = groupVersionOf(def);
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: {
      name: obj.metadata.name,
      ...(group ? { group } : {}),
      kind: def.plural,
      uid: obj.metadata.uid,
    },
  };
}

/** A failure whose code has no ErrorCode of the API (413, 415): a Status all the same. */
export function httpStatus(code: number, reason: string, message: string): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** Kubernetes' cause type for a field error's reason: `Required` is `FieldValueRequired`. */
function causeType(reason: string | undefined): string {
  return reason && reason !== 'UnknownField' ? `FieldValue${reason}` : 'FieldValueInvalid';
}

/**
 * Answers of this many bytes or more are gzipped for a client that accepts it, as
 * kube-apiserver does (APIResponseCompression, 128 KiB): lists mostly; a 1,000-pod list goes
 * over the wire in a fortieth of its size, while small answers are not worth the delay.
 */
const GZIP_THRESHOLD = 128 * 1024;

export function sendJson(res: http.ServerResponse, code: number, body: unknown): void {
  noteResponseBody(res, body);
  const text = JSON.stringify(body);
  const headers = { 'content-type': 'application/json', 'cache-control': 'no-cache, private' };
  const length = Buffer.byteLength(text);
  if (length < GZIP_THRESHOLD || !accepts(res.req?.headers['accept-encoding'], 'gzip')) {
    res.writeHead(code, { ...headers, 'content-length': length });
    res.end(text);
    return;
  }
  COMPRESS.gzip(Buffer.from(text)).then(
    (gzipped) => {
      res.writeHead(code, { ...headers, 'content-encoding': 'gzip', 'content-length': gzipped.length });
      res.end(gzipped);
    },
    () => res.destroy(),
  );
}

export function sendStatus(res: http.ServerResponse, body: Status): void {
  noteFailure(res, body.reason, body.message);
  sendJson(res, body.code, body);
}
