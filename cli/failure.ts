import { KubeqlError } from '../client/errors.ts';
import { ALL_KINDS, qualifiedResource } from './kinds.ts';

export { UsageError } from './usage-error.ts';

/** Kubernetes' StatusReason for each API error code, as kubectl prints it in parentheses. */
const REASONS: Record<string, string> = {
  NOT_FOUND: 'NotFound',
  ALREADY_EXISTS: 'AlreadyExists',
  CONFLICT: 'Conflict',
  INVALID: 'Invalid',
  BAD_REQUEST: 'BadRequest',
  FORBIDDEN: 'Forbidden',
  EXPIRED: 'Expired',
  TOO_MANY_REQUESTS: 'TooManyRequests',
  TIMEOUT: 'Timeout',
};

/**
 * Any failure as the one line kubectl would print for it, never a stack trace:
 * `Error from server (NotFound): pods "x" not found`, `The Deployment "web" is invalid: ...`,
 * `error: ...` for the client's own complaints.
 */
export function describeFailure(error: unknown, server?: string): string {
  if (error instanceof KubeqlError) {
    const message = qualify(oneLine(error.message));
    if (error.code === 'UNAVAILABLE') {
      const host = server ? new URL(server).host : 'server';
      return `The connection to the server ${host} was refused - did you specify the right host or port? (${message})`;
    }
    if (error.code === 'UNAUTHENTICATED') return 'error: You must be logged in to the server (Unauthorized)';
    if (error.code === 'UNTRUSTED') return `Unable to connect to the server: ${message}`;
    if (error.code === 'INVALID' && /^\S+ "[^"]*" is invalid/.test(message)) return `The ${message}`;
    const reason = REASONS[error.code];
    if (reason) return `Error from server (${reason}): ${message}`;
    return `Error from server (InternalError): ${message}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `error: ${oneLine(message)}`;
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, '; ').trim();

/** The server names a resource by its plural (`deployments "web"`); kubectl adds the group (`deployments.apps "web"`). */
const GROUPED = new Map(
  ALL_KINDS.filter((k) => k.apiVersion.includes('/')).map((k) => [k.plural, qualifiedResource(k)]),
);

function qualify(message: string): string {
  return message.replace(/(^|on )([a-z]+) "/, (all, before: string, plural: string) =>
    GROUPED.has(plural) ? `${before}${GROUPED.get(plural)} "` : all,
  );
}
