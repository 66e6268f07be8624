import { capabilitiesBaseline, privileged, procMount, sysctls } from './baseline-checks.ts';
import type { Check, PodView, Violation } from './check.ts';
import { hostNamespaces, hostPathVolumes, hostPorts, windowsHostProcess } from './host-checks.ts';
import { appArmorProfile, seLinuxOptions } from './lsm-checks.ts';
import type { Level } from './levels.ts';
import {
  allowPrivilegeEscalation,
  capabilitiesRestricted,
  restrictedVolumes,
  runAsNonRoot,
  runAsUser,
} from './restricted-checks.ts';
import { seccompProfileBaseline, seccompProfileRestricted } from './seccomp-checks.ts';

const CHECKS: readonly Check[] = [
  appArmorProfile,
  capabilitiesBaseline,
  hostNamespaces,
  hostPathVolumes,
  hostPorts,
  privileged,
  procMount,
  seLinuxOptions,
  seccompProfileBaseline,
  sysctls,
  windowsHostProcess,
  allowPrivilegeEscalation,
  capabilitiesRestricted,
  restrictedVolumes,
  runAsNonRoot,
  runAsUser,
  seccompProfileRestricted,
];

/** Kubernetes' order: baseline checks by ID, then restricted ones by ID (byte order: "seLinux" before "seccomp"). */
const byId = (a: Check, b: Check) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const BASELINE = CHECKS.filter((c) => c.level === 'baseline').sort(byId);

const overridden = new Set(CHECKS.flatMap((c) => c.overrides ?? []));

const RESTRICTED = [
  ...BASELINE.filter((c) => !overridden.has(c.id)),
  ...CHECKS.filter((c) => c.level === 'restricted').sort(byId),
];

const CHECKS_OF: Record<Level, readonly Check[]> = {
  privileged: [],
  baseline: BASELINE,
  restricted: RESTRICTED,
};

/** Every check of the level the pod fails, in Kubernetes' order. */
export function evaluate(level: Level, pod: PodView): Violation[] {
  const violations: Violation[] = [];
  for (const check of CHECKS_OF[level]) {
    const violation = check.check(pod);
    if (violation) violations.push(violation);
  }
  return violations;
}
