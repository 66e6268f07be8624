import type { AdmissionContext } from '../admission.ts';
import type { Violation } from './check.ts';
import { levelVersionText, type Level, type LevelVersion } from './levels.ts';
import { wouldViolateMessage } from './messages.ts';

/** Kubernetes' audit annotation keys, which log pipelines and alerts match on. */
export const AUDIT_VIOLATIONS = 'pod-security.kubernetes.io/audit-violations';
export const ENFORCE_POLICY = 'pod-security.kubernetes.io/enforce-policy';

/** The audit mode: what the pod would violate at the audit level, on the request's audit event. */
export function annotateAuditViolations(
  ctx: AdmissionContext,
  audit: LevelVersion,
  evaluated: (level: Level) => Violation[],
): void {
  if (audit.level === 'privileged' || !ctx.annotate) return;
  const violations = evaluated(audit.level);
  if (violations.length) ctx.annotate(AUDIT_VIOLATIONS, wouldViolateMessage(audit, violations));
}

/** The enforce level a pod was checked against, allowed or not. */
export function annotateEnforcePolicy(ctx: AdmissionContext, enforce: LevelVersion): void {
  ctx.annotate?.(ENFORCE_POLICY, levelVersionText(enforce));
}
