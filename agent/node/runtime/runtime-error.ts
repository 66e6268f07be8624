/** The codes a runtime error carries to the user (through the node tunnel), as the API's error codes. */
export type RuntimeErrorCode = 'BAD_REQUEST' | 'NOT_FOUND' | 'TIMEOUT';

/**
 * A runtime's refusal that the user should read as it is, with the API error code it
 * maps to: a container that is not running, a command the runtime cannot run, an
 * instance that is not there. Any other error of a runtime reaches the user as
 * UNAVAILABLE, prefixed with the node's name.
 */
export class RuntimeError extends Error {
  override readonly name = 'RuntimeError';

  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The engine's message without its HTTP wrapping. */
export function engineMessage(error: unknown): string {
  const json = (error as { json?: { message?: string } }).json;
  return json?.message ?? (error instanceof Error ? error.message : String(error));
}
