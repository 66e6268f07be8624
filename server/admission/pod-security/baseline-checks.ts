import { containersNamed, containersOf, inUserNamespace, joinQuote, sortedSet, type Check } from './check.ts';

/** The baseline checks on what a pod's processes may do: privileges, capabilities, /proc, sysctls. */

/** Docker's and containerd's default capabilities: adding them changes nothing. */
const DEFAULT_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

/** Sysctls namespaced to the pod and isolated from other pods (Kubernetes 1.29 and later). */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);

export const privileged: Check = {
  id: 'privileged',
  level: 'baseline',
  check({ spec }) {
    const names = containersOf(spec)
      .filter((c) => c.securityContext?.privileged)
      .map((c) => c.name);
    if (!names.length) return undefined;
    return {
      reason: 'privileged',
      detail: `${containersNamed(names)} must not set securityContext.privileged=true`,
    };
  },
};

export const capabilitiesBaseline: Check = {
  id: 'capabilities_baseline',
  level: 'baseline',
  check({ spec }) {
    const names: string[] = [];
    const added: string[] = [];
    for (const c of containersOf(spec)) {
      const extra = (c.securityContext?.capabilities?.add ?? []).filter(
        (cap) => !DEFAULT_CAPABILITIES.has(cap),
      );
      if (!extra.length) continue;
      names.push(c.name);
      added.push(...extra);
    }
    if (!names.length) return undefined;
    return {
      reason: 'non-default capabilities',
      detail: `${containersNamed(names)} must not include ${joinQuote(sortedSet(added))} in securityContext.capabilities.add`,
    };
  },
};

export const procMount: Check = {
  id: 'procMount',
  level: 'baseline',
  check({ spec }) {
    if (inUserNamespace(spec)) return undefined;
    const names: string[] = [];
    const types: string[] = [];
    for (const c of containersOf(spec)) {
      const type = c.securityContext?.procMount;
      if (type === undefined || type === null || type === 'Default') continue;
      names.push(c.name);
      types.push(type);
    }
    if (!names.length) return undefined;
    return {
      reason: 'procMount',
      detail: `${containersNamed(names)} must not set securityContext.procMount to ${joinQuote(sortedSet(types))}`,
    };
  },
};

export const sysctls: Check = {
  id: 'sysctls',
  level: 'baseline',
  check({ spec }) {
    const names = (spec.securityContext?.sysctls ?? [])
      .map((s) => s.name)
      .filter((name) => !SAFE_SYSCTLS.has(name));
    return names.length ? { reason: 'forbidden sysctls', detail: names.join(', ') } : undefined;
  },
};
