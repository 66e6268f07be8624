type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

export interface WaitOptions {
  /** Gives up after this long. */
  ms?: number;
  /** Polls this often. */
  every?: number;
  /** Named in the timeout error. */
  what?: string;
}

/**
 * Polls `read` until `ok` holds of what it returned, and returns that. A throw counts as
 * "not yet". After `ms` it fails with the last value or error read.
 */
export async function eventually<T>(
  read: () => T | Promise<T>,
  ok: (value: T) => boolean,
  { ms = 5000, every = 25, what = 'condition' }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  let failure: unknown;
  for (;;) {
    try {
      last = await read();
      failure = undefined;
      if (ok(last)) return last;
    } catch (error) {
      failure = error;
    }
    if (Date.now() > deadline) {
      const detail = failure instanceof Error ? failure.message : JSON.stringify(last);
      throw new Error(`timed out after ${ms} ms waiting for ${what}; last: ${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}

/** Polls `probe` until it returns something truthy, and returns that. */
export function waitFor<T>(probe: () => T | Promise<T>, options: WaitOptions = {}): Promise<Truthy<T>> {
  return eventually(probe, Boolean, options) as Promise<Truthy<T>>;
}

/** Calls `attempt` until it stops throwing (an assertion, say), and returns what it returned. */
export function retry<T>(attempt: () => T | Promise<T>, options: WaitOptions = {}): Promise<T> {
  return eventually(attempt, () => true, options);
}
