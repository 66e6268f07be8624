import type { PodSpec } from '../../../schema/kinds/pod.ts';
import {
  containersNamed,
  containersOf,
  isWindows,
  joinQuote,
  sortedSet,
  type Check,
  type Violation,
} from './check.ts';

/**
 * Seccomp: baseline refuses a profile other than RuntimeDefault or Localhost where one is
 * set (Unconfined); restricted also requires one, on the pod or on every container.
 */

const allowed = (type: string) => type === 'RuntimeDefault' || type === 'Localhost';

/** Who set a forbidden profile (the pod, containers) and to what. */
function explicitlyForbidden(spec: PodSpec): Violation | undefined {
  const setters: string[] = [];
  const values: string[] = [];
  const podType = spec.securityContext?.seccompProfile?.type;
  if (podType && !allowed(podType)) {
    setters.push('pod');
    values.push(podType);
  }
  const names: string[] = [];
  for (const c of containersOf(spec)) {
    const type = c.securityContext?.seccompProfile?.type;
    if (!type || allowed(type)) continue;
    names.push(c.name);
    values.push(type);
  }
  if (names.length) setters.push(containersNamed(names));
  if (!setters.length) return undefined;
  return {
    reason: 'seccompProfile',
    detail: `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(values))}`,
  };
}

export const seccompProfileBaseline: Check = {
  id: 'seccompProfile_baseline',
  level: 'baseline',
  check: ({ spec }) => explicitlyForbidden(spec),
};

export const seccompProfileRestricted: Check = {
  id: 'seccompProfile_restricted',
  level: 'restricted',
  overrides: ['seccompProfile_baseline'],
  check({ spec }) {
    if (isWindows(spec)) return undefined;
    const forbidden = explicitlyForbidden(spec);
    if (forbidden) return forbidden;
    const podType = spec.securityContext?.seccompProfile?.type;
    if (podType && allowed(podType)) return undefined;
    const names = containersOf(spec)
      .filter((c) => !c.securityContext?.seccompProfile)
      .map((c) => c.name);
    if (!names.length) return undefined;
    return {
      reason: 'seccompProfile',
      detail: `pod or ${containersNamed(names)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
    };
  },
};
