import { parseIndexes } from './completed-indexes.ts';
import type { JobSpec } from './job-status.ts';

type SuccessPolicy = NonNullable<JobSpec['successPolicy']>;

/**
 * Whether an Indexed Job's `succeeded` indexes meet its successPolicy (Kubernetes'
 * matchSuccessPolicy): the first rule met gives the message of its SuccessCriteriaMet
 * and Complete conditions, "Matched rules at index N". A rule with succeededIndexes is
 * met when all of them succeeded, or succeededCount of them; one with only
 * succeededCount when that many indexes succeeded. Nothing is met before one succeeded.
 */
export function matchSuccessPolicy(
  policy: SuccessPolicy | undefined,
  completions: number,
  succeeded: Set<number>,
): string | undefined {
  if (!policy || succeeded.size === 0) return undefined;
  for (const [index, rule] of policy.rules.entries()) {
    let met: boolean;
    if (rule.succeededIndexes !== undefined) {
      const required = parseIndexes(rule.succeededIndexes, completions);
      // A list naming no index below completions is a rule that cannot be met.
      if (required.size === 0) continue;
      const done = [...required].filter((i) => succeeded.has(i)).length;
      met = done === required.size || (rule.succeededCount !== undefined && done >= rule.succeededCount);
    } else {
      met = rule.succeededCount !== undefined && succeeded.size >= rule.succeededCount;
    }
    if (met) return `Matched rules at index ${index}`;
  }
  return undefined;
}
