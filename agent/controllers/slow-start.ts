/**
 * Kubernetes' slowStartBatch: runs `fn` over the items in batches of 1, 2, 4, ... (from
 * `initial`), each batch concurrently, and stops after the first batch with a failure,
 * so a controller whose every write would fail (a quota, a bad template) makes one
 * failing call instead of hundreds. Returns the failures and how many items were never
 * tried (the caller lowers its expectations by that many).
 */
export async function slowStartBatch<T>(
  items: readonly T[],
  fn: (item: T) => Promise<void>,
  initial = 1,
): Promise<{ errors: unknown[]; skipped: number }> {
  let done = 0;
  for (let size = Math.max(1, initial); done < items.length; size *= 2) {
    const batch = items.slice(done, done + size);
    done += batch.length;
    const results = await Promise.allSettled(batch.map((item) => fn(item)));
    const errors = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    if (errors.length) return { errors, skipped: items.length - done };
  }
  return { errors: [], skipped: 0 };
}
