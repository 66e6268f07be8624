import { LATEST, LEVELS, MODES, isLevel, type Level, type Mode, type Policy } from './levels.ts';

/**
 * The policy of namespaces that set no Pod Security labels. Kubernetes defaults to
 * privileged everywhere; kubeql's nodes are the Docker engines of people's own machines,
 * where a `hostPath: /` or a privileged container is root on the host, so it enforces
 * baseline (and warns at baseline, so a workload whose pods would be refused says so when
 * it is applied). The system namespace, kube-system, stays privileged for node-level
 * software. A namespace's labels override either.
 */

export const SYSTEM_NAMESPACE = 'kube-system';

const at = (level: Level) => ({ level, version: LATEST });

export const PRIVILEGED_POLICY: Policy = {
  enforce: at('privileged'),
  audit: at('privileged'),
  warn: at('privileged'),
};

export const DEFAULT_POD_SECURITY: Policy = {
  enforce: at('baseline'),
  audit: at('privileged'),
  warn: at('baseline'),
};

/** What a namespace without labels gets. */
export function unlabelledPolicy(namespace: string, clusterDefault: Policy): Policy {
  return namespace === SYSTEM_NAMESPACE ? PRIVILEGED_POLICY : clusterDefault;
}

/**
 * The cluster default as the server flag gives it: a level alone ("restricted") sets
 * enforce and warn to it; `enforce=baseline,warn=restricted` sets the modes named, and the
 * others are privileged.
 */
export function parsePodSecurityDefault(text: string): Policy {
  const value = text.trim();
  if (isLevel(value)) return { ...PRIVILEGED_POLICY, enforce: at(value), warn: at(value) };
  const policy: Policy = { ...PRIVILEGED_POLICY };
  for (const part of value.split(',')) {
    const [mode, level, extra] = part.split('=').map((s) => s.trim());
    if (extra !== undefined || !(MODES as readonly string[]).includes(mode) || !isLevel(level ?? ''))
      throw new Error(
        `invalid pod security default "${text}": give a level (${LEVELS.join(', ')}) or MODE=LEVEL pairs ` +
          `separated by commas, with MODE one of ${MODES.join(', ')}`,
      );
    policy[mode as Mode] = at(level as Level);
  }
  return policy;
}
