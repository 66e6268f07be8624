import type { Violation } from './check.ts';
import { levelVersionText, type LevelVersion } from './levels.ts';

/** Kubernetes' wording of Pod Security decisions, which kubectl users and scripts match on. */

/** "host namespaces (hostNetwork=true), privileged (container "a" must not set ...)". */
export function forbiddenDetail(violations: readonly Violation[]): string {
  return violations.map((v) => (v.detail ? `${v.reason} (${v.detail})` : v.reason)).join(', ');
}

/** The refusal of a pod: `violates PodSecurity "restricted:latest": ...`. */
export function violatesMessage(enforce: LevelVersion, violations: readonly Violation[]): string {
  return `violates PodSecurity "${levelVersionText(enforce)}": ${forbiddenDetail(violations)}`;
}

/** The warning for a pod or a pod template: `would violate PodSecurity "baseline:latest": ...`. */
export function wouldViolateMessage(level: LevelVersion, violations: readonly Violation[]): string {
  return `would violate PodSecurity "${levelVersionText(level)}": ${forbiddenDetail(violations)}`;
}

/**
 * The warnings of a namespace whose new enforce level its pods violate: one heading, then
 * one line per distinct set of reasons, naming the first pod (by name) and how many more.
 */
export function existingPodsWarnings(
  namespace: string,
  enforce: LevelVersion,
  failing: ReadonlyArray<{ pod: string; violations: readonly Violation[] }>,
): string[] {
  if (!failing.length) return [];
  const byReasons = new Map<string, { first: string; count: number }>();
  for (const { pod, violations } of failing) {
    const reasons = violations.map((v) => v.reason).join(', ');
    const seen = byReasons.get(reasons);
    if (!seen) byReasons.set(reasons, { first: pod, count: 1 });
    else {
      seen.count++;
      if (pod < seen.first) seen.first = pod;
    }
  }
  const lines = [...byReasons].map(([reasons, { first, count }]) => {
    const others = count === 1 ? '' : count === 2 ? ' (and 1 other pod)' : ` (and ${count - 1} other pods)`;
    return `${first}${others}: ${reasons}`;
  });
  return [
    `existing pods in namespace "${namespace}" violate the new PodSecurity enforce level "${levelVersionText(enforce)}"`,
    ...lines.sort(),
  ];
}
