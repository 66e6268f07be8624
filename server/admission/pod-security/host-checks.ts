import { containersNamed, containersOf, joinQuote, pluralize, sortedSet, type Check } from './check.ts';

/** The baseline checks that keep a pod off its node: host namespaces, host paths and ports, host processes. */

export const hostNamespaces: Check = {
  id: 'hostNamespaces',
  level: 'baseline',
  check({ spec }) {
    const shared = [
      spec.hostNetwork && 'hostNetwork=true',
      spec.hostPID && 'hostPID=true',
      spec.hostIPC && 'hostIPC=true',
    ].filter((s): s is string => Boolean(s));
    return shared.length ? { reason: 'host namespaces', detail: shared.join(', ') } : undefined;
  },
};

export const hostPathVolumes: Check = {
  id: 'hostPathVolumes',
  level: 'baseline',
  check({ spec }) {
    const names = (spec.volumes ?? []).filter((v) => v.hostPath).map((v) => v.name);
    if (!names.length) return undefined;
    return {
      reason: 'hostPath volumes',
      detail: `${pluralize('volume', 'volumes', names.length)} ${joinQuote(names)}`,
    };
  },
};

export const hostPorts: Check = {
  id: 'hostPorts',
  level: 'baseline',
  check({ spec }) {
    const names: string[] = [];
    const ports: string[] = [];
    for (const c of containersOf(spec)) {
      const used = (c.ports ?? []).filter((p) => p.hostPort).map((p) => String(p.hostPort));
      if (!used.length) continue;
      names.push(c.name);
      ports.push(...used);
    }
    if (!names.length) return undefined;
    // Kubernetes keeps the ports in a set of strings: "443" sorts before "80".
    const listed = sortedSet(ports);
    return {
      reason: 'hostPort',
      detail:
        `${containersNamed(names)} ${pluralize('uses', 'use', names.length)} ` +
        `${pluralize('hostPort', 'hostPorts', listed.length)} ${listed.join(', ')}`,
    };
  },
};

export const windowsHostProcess: Check = {
  id: 'windowsHostProcess',
  level: 'baseline',
  check({ spec }) {
    const setters: string[] = [];
    if (spec.securityContext?.windowsOptions?.hostProcess) setters.push('pod');
    const names = containersOf(spec)
      .filter((c) => c.securityContext?.windowsOptions?.hostProcess)
      .map((c) => c.name);
    if (names.length) setters.push(containersNamed(names));
    if (!setters.length) return undefined;
    return {
      reason: 'hostProcess',
      detail: `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`,
    };
  },
};
