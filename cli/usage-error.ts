/** A mistake in how a command was called (unknown flag, missing argument): `error: ...`. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
