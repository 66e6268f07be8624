import { fieldError, type FieldError } from '../../../schema/field-error.ts';
import { LATEST, LEVELS, MODES, isLevel, type Level, type Policy } from './levels.ts';

/**
 * A namespace's Pod Security labels: `pod-security.kubernetes.io/<mode>` names the level
 * of each mode and `pod-security.kubernetes.io/<mode>-version` its version. As in
 * Kubernetes, a mode without labels keeps the cluster's default, and a value that cannot
 * be parsed still yields a policy: an unknown enforce level enforces `restricted`
 * (failing closed), an unknown audit or warn level is `privileged` (failing open), an
 * unknown version is `latest`.
 */

export const LABEL_PREFIX = 'pod-security.kubernetes.io/';

const VERSION = /^v1\.(0|[1-9][0-9]*)$/;

export function levelLabel(mode: (typeof MODES)[number]): string {
  return `${LABEL_PREFIX}${mode}`;
}

export function versionLabel(mode: (typeof MODES)[number]): string {
  return `${LABEL_PREFIX}${mode}-version`;
}

/** The policy the labels ask for over `defaults`, and what is wrong with them (paths under metadata.labels). */
export function policyOf(
  labels: Record<string, string> | undefined,
  defaults: Policy,
): { policy: Policy; errors: FieldError[] } {
  const policy: Policy = {
    enforce: { ...defaults.enforce },
    audit: { ...defaults.audit },
    warn: { ...defaults.warn },
  };
  const errors: FieldError[] = [];
  if (!labels) return { policy, errors };
  const invalid = (key: string, value: string, why: string) =>
    errors.push(fieldError(`metadata.labels[${key}]`, 'Invalid', `Invalid value: "${value}": ${why}`));
  for (const mode of MODES) {
    const level = labels[levelLabel(mode)];
    if (level !== undefined) {
      if (isLevel(level)) policy[mode].level = level;
      else {
        invalid(levelLabel(mode), level, `must be one of ${LEVELS.join(', ')}`);
        policy[mode].level = (mode === 'enforce' ? 'restricted' : 'privileged') satisfies Level;
      }
    }
    const version = labels[versionLabel(mode)];
    if (version !== undefined) {
      if (version === LATEST || VERSION.test(version)) policy[mode].version = version;
      else {
        invalid(versionLabel(mode), version, 'must be "latest" or "v1.x"');
        policy[mode].version = LATEST;
      }
    }
  }
  return { policy, errors };
}
