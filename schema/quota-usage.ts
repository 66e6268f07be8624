import type { Resource } from './kind.ts';
import type { Container } from './kinds/container.ts';
import { KINDS } from './kinds/index.ts';
import type { PersistentVolumeClaim } from './kinds/persistentvolumeclaim.ts';
import type { Pod } from './kinds/pod.ts';
import type { ResourceQuota } from './kinds/resourcequota.ts';
import type { Service } from './kinds/service.ts';
import { toMilli } from './quantity-format.ts';

/**
 * What one object charges against a ResourceQuota, as Kubernetes' quota evaluators count
 * it: resource name → amount in thousandths. Shared by quota admission (which refuses
 * what would exceed `spec.hard`) and the quota controller (which reports `status.used`),
 * so both always agree.
 */
export type Usage = Record<string, number>;

/** Kinds whose usage has names older than count/: the names a quota's hard may use for them. */
const LEGACY_COUNTS: Record<string, string> = {
  Pod: 'pods',
  Service: 'services',
  ConfigMap: 'configmaps',
  Secret: 'secrets',
  ReplicationController: 'replicationcontrollers',
  ResourceQuota: 'resourcequotas',
  PersistentVolumeClaim: 'persistentvolumeclaims',
};

/** Compute resources a pod's containers request, and the quota names they are charged under. */
const COMPUTE = ['cpu', 'memory', 'ephemeral-storage'];
const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';

/** "count/deployments.apps", or "count/pods" for the core group. */
function countName(kind: string): string | undefined {
  const def = KINDS.find((d) => d.kind === kind);
  if (!def?.namespaced) return undefined;
  const slash = def.apiVersion.indexOf('/');
  return slash < 0 ? `count/${def.plural}` : `count/${def.plural}.${def.apiVersion.slice(0, slash)}`;
}

/** The kinds whose objects a quota resource counts: what the quota controller must read. */
export function kindsCountedBy(resource: string): string[] {
  if (resource.startsWith('count/'))
    return KINDS.filter((def) => countName(def.kind) === resource).map((def) => def.kind);
  const legacy = Object.entries(LEGACY_COUNTS).find(([, name]) => name === resource);
  if (legacy) return [legacy[0]];
  if (resource.startsWith('services.')) return ['Service'];
  if (resource === 'requests.storage' || resource.includes(STORAGE_CLASS_SUFFIX))
    return ['PersistentVolumeClaim'];
  const compute = resource.replace(/^(requests|limits)\./, '');
  if (COMPUTE.includes(compute) || compute.startsWith('hugepages-')) return ['Pod'];
  return [];
}

/** Whether a pod still holds its compute resources: not finished, not past its deletion grace. */
function podIsLive(pod: Resource & Pod, now: number): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const deletion = pod.metadata.deletionTimestamp;
  return !deletion || Date.parse(deletion) > now;
}

type Side = 'requests' | 'limits';

/** A pod's requests or limits: the sum over containers, or an init container's when larger (it runs alone). */
export function podResources(pod: Resource & Pod, side: Side): Usage {
  const total: Usage = {};
  const containers: Container[] = pod.spec?.containers ?? [];
  for (const c of containers) {
    for (const [name, q] of Object.entries(c.resources?.[side] ?? {}))
      total[name] = (total[name] ?? 0) + toMilli(q);
  }
  for (const c of (pod.spec?.initContainers ?? []) as Container[]) {
    for (const [name, q] of Object.entries(c.resources?.[side] ?? {}))
      total[name] = Math.max(total[name] ?? 0, toMilli(q));
  }
  return total;
}

function podUsage(pod: Resource & Pod, now: number): Usage {
  // count/pods counts every pod stored; "pods" and compute only live ones (Kubernetes' convention).
  const usage: Usage = { 'count/pods': 1000 };
  if (!podIsLive(pod, now)) return usage;
  usage.pods = 1000;
  for (const [name, amount] of Object.entries(podResources(pod, 'requests'))) {
    if (COMPUTE.includes(name)) usage[name] = amount;
    if (COMPUTE.includes(name) || name.startsWith('hugepages-')) usage[`requests.${name}`] = amount;
  }
  for (const [name, amount] of Object.entries(podResources(pod, 'limits'))) {
    if (COMPUTE.includes(name)) usage[`limits.${name}`] = amount;
  }
  return usage;
}

function serviceUsage(service: Resource & Service): Usage {
  const usage: Usage = { services: 1000, 'count/services': 1000 };
  const type = service.spec?.type;
  const ports = service.spec?.ports?.length ?? 0;
  if (type === 'LoadBalancer') {
    usage['services.loadbalancers'] = 1000;
    if (service.spec?.allocateLoadBalancerNodePorts !== false) usage['services.nodeports'] = ports * 1000;
  } else if (type === 'NodePort') usage['services.nodeports'] = ports * 1000;
  return usage;
}

function claimUsage(claim: Resource & PersistentVolumeClaim): Usage {
  const storage = toMilli(claim.spec?.resources?.requests?.storage);
  const usage: Usage = {
    persistentvolumeclaims: 1000,
    'count/persistentvolumeclaims': 1000,
    'requests.storage': storage,
  };
  const className = claim.spec?.storageClassName;
  if (className) {
    usage[`${className}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`] = 1000;
    usage[`${className}${STORAGE_CLASS_SUFFIX}requests.storage`] = storage;
  }
  return usage;
}

/** What `obj` charges against the quotas of its namespace at time `now` (ms). */
export function quotaUsage(obj: Resource, now: number): Usage {
  if (obj.kind === 'Pod') return podUsage(obj as Resource & Pod, now);
  if (obj.kind === 'Service') return serviceUsage(obj as Resource & Service);
  if (obj.kind === 'PersistentVolumeClaim') return claimUsage(obj as Resource & PersistentVolumeClaim);
  const usage: Usage = {};
  const count = countName(obj.kind);
  if (count) usage[count] = 1000;
  const legacy = LEGACY_COUNTS[obj.kind];
  if (legacy) usage[legacy] = 1000;
  return usage;
}

type QuotaObject = Resource & ResourceQuota;

/** A pod without any cpu or memory request or limit (the BestEffort QoS class). */
function isBestEffort(pod: Resource & Pod): boolean {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])] as Container[];
  return containers.every((c) =>
    (['requests', 'limits'] as const).every((side) =>
      ['cpu', 'memory'].every((r) => c.resources?.[side]?.[r] === undefined),
    ),
  );
}

function inScope(scope: string, pod: Resource & Pod): boolean | undefined {
  const deadline = pod.spec?.activeDeadlineSeconds;
  const terminating = deadline !== undefined && deadline !== null && deadline >= 0;
  if (scope === 'Terminating') return terminating;
  if (scope === 'NotTerminating') return !terminating;
  if (scope === 'BestEffort') return isBestEffort(pod);
  if (scope === 'NotBestEffort') return !isBestEffort(pod);
  return undefined;
}

/**
 * Whether a quota counts `obj`: a quota without scopes counts everything of its
 * namespace; scopes select pods only (Terminating, NotTerminating, BestEffort,
 * NotBestEffort, and PriorityClass through the scope selector).
 */
export function quotaCovers(quota: QuotaObject, obj: Resource): boolean {
  if (!quota.spec?.scopes?.length && !quota.spec?.scopeSelector?.matchExpressions?.length) return true;
  const selectors = [
    ...(quota.spec?.scopes ?? []).map((scopeName) => ({ scopeName, operator: 'Exists', values: [] })),
    ...(quota.spec?.scopeSelector?.matchExpressions ?? []),
  ];
  if (obj.kind !== 'Pod') return false;
  const pod = obj as Resource & Pod;
  return selectors.every(({ scopeName, operator, values }) => {
    if (scopeName === 'PriorityClass') {
      const name = pod.spec?.priorityClassName ?? '';
      if (operator === 'In') return (values ?? []).includes(name);
      if (operator === 'NotIn') return !(values ?? []).includes(name);
      return operator === 'Exists' ? name !== '' : name === '';
    }
    const member = inScope(scopeName, pod);
    if (member === undefined) return false;
    return operator === 'DoesNotExist' ? !member : member;
  });
}
