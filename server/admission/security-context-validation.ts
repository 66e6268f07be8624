import { fieldError, joinPath, type FieldError } from '../../schema/field-error.ts';
import type { PodSpec } from '../../schema/kinds/pod.ts';
import type {
  AppArmorProfile,
  SeccompProfile,
  SecurityContext,
} from '../../schema/kinds/security-context.ts';
import { localPath } from './volume-validation.ts';
import * as v from './validation.ts';

/** The pod's and its containers' security settings, with Kubernetes' rules and messages. */

const SYSCTL_NAME = /^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/;

/** The pod-level security settings and the host namespaces a pod may share. */
export function validatePodSecurity(spec: PodSpec, path: string, errors: FieldError[]): void {
  const at = (field: string) => joinPath(joinPath(path, 'securityContext'), field);
  const context = spec.securityContext;
  if (spec.hostPID && spec.shareProcessNamespace) {
    errors.push(
      fieldError(
        joinPath(path, 'shareProcessNamespace'),
        'Invalid',
        'ShareProcessNamespace and HostPID cannot both be enabled',
      ),
    );
  }
  for (const field of ['runAsUser', 'runAsGroup', 'fsGroup'] as const) {
    v.nonNegative(context?.[field], at(field), errors);
  }
  context?.supplementalGroups?.forEach((gid, i) =>
    v.nonNegative(gid, joinPath(at('supplementalGroups'), i), errors),
  );
  const sysctls = new Set<string>();
  context?.sysctls?.forEach((sysctl, i) => {
    const name = joinPath(joinPath(at('sysctls'), i), 'name');
    if (sysctl.name.length > 253 || !SYSCTL_NAME.test(sysctl.name)) {
      errors.push(
        fieldError(
          name,
          'Invalid',
          `Invalid value: "${sysctl.name}": must have at most 253 characters and match regex ${SYSCTL_NAME.source}`,
        ),
      );
    }
    if (sysctls.has(sysctl.name))
      errors.push(fieldError(name, 'Duplicate', `Duplicate value: "${sysctl.name}"`));
    sysctls.add(sysctl.name);
  });
  seccomp(context?.seccompProfile, at('seccompProfile'), errors);
  appArmor(context?.appArmorProfile, at('appArmorProfile'), errors);
}

/** One container's security settings; `hostUsers` is the pod's. */
export function validateContainerSecurity(
  security: SecurityContext | undefined,
  hostUsers: boolean | undefined,
  path: string,
  errors: FieldError[],
): void {
  if (!security) return;
  const at = (field: string) => joinPath(path, field);
  if (security.privileged && security.allowPrivilegeEscalation === false) {
    errors.push(
      fieldError(
        at('allowPrivilegeEscalation'),
        'Invalid',
        'cannot set `allowPrivilegeEscalation` to false and `privileged` to true',
      ),
    );
  }
  for (const field of ['runAsUser', 'runAsGroup'] as const) v.nonNegative(security[field], at(field), errors);
  if (security.procMount === 'Unmasked' && hostUsers !== false) {
    errors.push(fieldError(at('procMount'), 'Invalid', '`hostUsers` must be false to use `Unmasked`'));
  }
  seccomp(security.seccompProfile, at('seccompProfile'), errors);
  appArmor(security.appArmorProfile, at('appArmorProfile'), errors);
}

function seccomp(profile: SeccompProfile | undefined, path: string, errors: FieldError[]): void {
  if (!profile) return;
  const at = joinPath(path, 'localhostProfile');
  if (profile.type !== 'Localhost') {
    if (profile.localhostProfile !== undefined)
      errors.push(fieldError(at, 'Invalid', 'can only be set when seccomp type is Localhost'));
  } else if (profile.localhostProfile === undefined) {
    errors.push(fieldError(at, 'Required', 'must be set when seccomp type is Localhost'));
  } else {
    localPath(profile.localhostProfile, at, errors);
  }
}

function appArmor(profile: AppArmorProfile | undefined, path: string, errors: FieldError[]): void {
  if (!profile) return;
  const at = joinPath(path, 'localhostProfile');
  const name = profile.localhostProfile;
  if (profile.type !== 'Localhost') {
    if (name !== undefined)
      errors.push(fieldError(at, 'Invalid', 'can only be set when AppArmor type is Localhost'));
  } else if (!name?.trim()) {
    errors.push(fieldError(at, 'Required', 'must be set when AppArmor type is Localhost'));
  } else if (name !== name.trim()) {
    errors.push(fieldError(at, 'Invalid', `Invalid value: "${name}": must not be padded with whitespace`));
  } else if (name.length > 4095) {
    errors.push(fieldError(at, 'TooLong', 'may not be longer than 4095'));
  }
}
