import { containersNamed, containersOf, joinQuote, pluralize, sortedSet, type Check } from './check.ts';

/**
 * The baseline checks on Linux security modules: a pod may not turn AppArmor off, nor
 * give its processes an SELinux type, user or role beyond the container ones.
 */

const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);

const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

export const appArmorProfile: Check = {
  id: 'appArmorProfile',
  level: 'baseline',
  check({ metadata, spec }) {
    const allowed = (type: string) => type === 'RuntimeDefault' || type === 'Localhost';
    const setters: string[] = [];
    const values: string[] = [];
    const podType = spec.securityContext?.appArmorProfile?.type;
    if (podType && !allowed(podType)) {
      setters.push('pod');
      values.push(podType);
    }
    const names: string[] = [];
    for (const c of containersOf(spec)) {
      const type = c.securityContext?.appArmorProfile?.type;
      if (!type || allowed(type)) continue;
      names.push(c.name);
      values.push(type);
    }
    if (names.length) setters.push(containersNamed(names));
    const annotations = Object.entries(metadata.annotations ?? {})
      .filter(([key, value]) => key.startsWith(APPARMOR_ANNOTATION_PREFIX) && !allowedAnnotation(value))
      .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
      .sort();
    if (annotations.length) setters.push(pluralize('annotation', 'annotations', annotations.length));
    if (!setters.length) return undefined;
    const listed = [...sortedSet(values), ...annotations];
    return {
      reason: pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', listed.length),
      detail: `${setters.join(' and ')} must not set AppArmor profile type to ${joinQuote(listed)}`,
    };
  },
};

function allowedAnnotation(profile: string): boolean {
  return profile === '' || profile === 'runtime/default' || profile.startsWith('localhost/');
}

export const seLinuxOptions: Check = {
  id: 'seLinuxOptions',
  level: 'baseline',
  check({ spec }) {
    const types: string[] = [];
    let user = false;
    let role = false;
    const valid = (options: { type?: string; user?: string; role?: string } | undefined) => {
      if (!options) return true;
      let ok = true;
      if (!SELINUX_TYPES.has(options.type ?? '')) {
        types.push(options.type!);
        ok = false;
      }
      if (options.user) {
        user = true;
        ok = false;
      }
      if (options.role) {
        role = true;
        ok = false;
      }
      return ok;
    };
    const setters: string[] = [];
    if (!valid(spec.securityContext?.seLinuxOptions)) setters.push('pod');
    const names = containersOf(spec)
      .filter((c) => !valid(c.securityContext?.seLinuxOptions))
      .map((c) => c.name);
    if (names.length) setters.push(containersNamed(names));
    if (!setters.length) return undefined;
    const listed = sortedSet(types);
    const problems = [
      listed.length ? `${pluralize('type', 'types', listed.length)} ${joinQuote(listed)}` : '',
      user ? 'user may not be set' : '',
      role ? 'role may not be set' : '',
    ].filter(Boolean);
    return {
      reason: 'seLinuxOptions',
      detail: `${setters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${problems.join('; ')}`,
    };
  },
};
