import { VOLUME_SOURCES } from '../../../schema/kinds/volume.ts';
import {
  containersNamed,
  containersOf,
  inUserNamespace,
  isWindows,
  joinQuote,
  pluralize,
  sortedSet,
  type Check,
} from './check.ts';

/** The restricted level's checks beyond baseline: how a pod must harden itself. */

/** Volume types that cannot reach the node or the network beyond what the cluster grants. */
const RESTRICTED_LEVEL_VOLUMES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

export const restrictedVolumes: Check = {
  id: 'restrictedVolumes',
  level: 'restricted',
  overrides: ['hostPathVolumes'],
  check({ spec }) {
    const names: string[] = [];
    const types: string[] = [];
    for (const volume of spec.volumes ?? []) {
      const source = VOLUME_SOURCES.find((key) => (volume as Record<string, unknown>)[key] != null);
      if (source && RESTRICTED_LEVEL_VOLUMES.has(source)) continue;
      names.push(volume.name);
      types.push(source ?? 'unknown');
    }
    if (!names.length) return undefined;
    const listed = sortedSet(types);
    return {
      reason: 'restricted volume types',
      detail:
        `${pluralize('volume', 'volumes', names.length)} ${joinQuote(names)} ${pluralize('uses', 'use', names.length)} ` +
        `${pluralize('restricted volume type', 'restricted volume types', listed.length)} ${joinQuote(listed)}`,
    };
  },
};

export const allowPrivilegeEscalation: Check = {
  id: 'allowPrivilegeEscalation',
  level: 'restricted',
  check({ spec }) {
    if (isWindows(spec)) return undefined;
    const names = containersOf(spec)
      .filter((c) => c.securityContext?.allowPrivilegeEscalation !== false)
      .map((c) => c.name);
    if (!names.length) return undefined;
    return {
      reason: 'allowPrivilegeEscalation != false',
      detail: `${containersNamed(names)} must set securityContext.allowPrivilegeEscalation=false`,
    };
  },
};

export const runAsNonRoot: Check = {
  id: 'runAsNonRoot',
  level: 'restricted',
  check({ spec }) {
    if (inUserNamespace(spec)) return undefined;
    const setters: string[] = [];
    const podValue = spec.securityContext?.runAsNonRoot;
    if (podValue === false) setters.push('pod');
    const explicit: string[] = [];
    const implicit: string[] = [];
    for (const c of containersOf(spec)) {
      const value = c.securityContext?.runAsNonRoot;
      if (value === false) explicit.push(c.name);
      else if (value == null && podValue !== true) implicit.push(c.name);
    }
    if (explicit.length) setters.push(containersNamed(explicit));
    if (setters.length)
      return {
        reason: 'runAsNonRoot != true',
        detail: `${setters.join(' and ')} must not set securityContext.runAsNonRoot=false`,
      };
    if (!implicit.length) return undefined;
    return {
      reason: 'runAsNonRoot != true',
      detail: `pod or ${containersNamed(implicit)} must set securityContext.runAsNonRoot=true`,
    };
  },
};

export const runAsUser: Check = {
  id: 'runAsUser',
  level: 'restricted',
  check({ spec }) {
    if (inUserNamespace(spec)) return undefined;
    const setters: string[] = [];
    if (spec.securityContext?.runAsUser === 0) setters.push('pod');
    const names = containersOf(spec)
      .filter((c) => c.securityContext?.runAsUser === 0)
      .map((c) => c.name);
    if (names.length) setters.push(containersNamed(names));
    if (!setters.length) return undefined;
    return { reason: 'runAsUser=0', detail: `${setters.join(' and ')} must not set runAsUser=0` };
  },
};

export const capabilitiesRestricted: Check = {
  id: 'capabilities_restricted',
  level: 'restricted',
  overrides: ['capabilities_baseline'],
  check({ spec }) {
    if (isWindows(spec)) return undefined;
    const missingDrop: string[] = [];
    const adding: string[] = [];
    const added: string[] = [];
    for (const c of containersOf(spec)) {
      const capabilities = c.securityContext?.capabilities;
      if (!capabilities) {
        missingDrop.push(c.name);
        continue;
      }
      if (!capabilities.drop?.includes('ALL')) missingDrop.push(c.name);
      const extra = (capabilities.add ?? []).filter((cap) => cap !== 'NET_BIND_SERVICE');
      if (extra.length) {
        adding.push(c.name);
        added.push(...extra);
      }
    }
    const details: string[] = [];
    if (missingDrop.length)
      details.push(`${containersNamed(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`);
    if (adding.length)
      details.push(
        `${containersNamed(adding)} must not include ${joinQuote(sortedSet(added))} in securityContext.capabilities.add`,
      );
    return details.length ? { reason: 'unrestricted capabilities', detail: details.join('; ') } : undefined;
  },
};
