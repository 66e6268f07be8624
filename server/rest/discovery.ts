import type { KindDefinition } from '../../schema/kind.ts';
import { KINDS } from '../../schema/kinds/index.ts';
import { servedCustomVersions } from '../crd/served-schemas.ts';
import { SERVED_VERSIONS } from '../conversion/served-versions.ts';
import { METRICS_GROUP, METRICS_VERSION, metricsResourceList } from './metrics-api.ts';
import { hasScale } from './scale.ts';

/**
 * The Kubernetes version kubeql's REST API speaks, as `/version` reports it: kubectl
 * compares its own minor version with this one (and warns beyond one minor of skew).
 */
export const KUBERNETES_VERSION = { major: '1', minor: '33', gitVersion: 'v1.33.0+kubeql' };

/** The verbs served for every kind. */
export const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** The verbs of the status and scale subresources. */
const SUBRESOURCE_VERBS = ['get', 'patch', 'update'];

/** A pod's streaming subresources and its eviction (server/rest/pod-*.ts) as Kubernetes' discovery lists them. */
const POD_SUBRESOURCES = [
  { subresource: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
  { subresource: 'eviction', kind: 'Eviction', verbs: ['create'], group: 'policy', version: 'v1' },
  { subresource: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
  { subresource: 'log', kind: 'Pod', verbs: ['get'] },
  { subresource: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
];

/** Kinds `kubectl get all` includes, as Kubernetes puts them in the "all" category. */
const ALL_CATEGORY = new Set([
  'Pod',
  'Service',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'HorizontalPodAutoscaler',
]);

/**
 * Every kind at every version served: the stored versions (KINDS) first, each group's
 * preferred one, then the versions converted to and from them (server/conversion/).
 */
export const SERVED_KINDS: readonly KindDefinition[] = [...KINDS, ...SERVED_VERSIONS.map((v) => v.served)];

/**
 * SERVED_KINDS and the custom resources served at the moment, at each of their served
 * versions, the preferred first (server/crd/served-schemas.ts).
 */
export function servedKinds(): readonly KindDefinition[] {
  const custom = servedCustomVersions();
  return custom.length ? [...SERVED_KINDS, ...custom] : SERVED_KINDS;
}

export interface GroupVersion {
  group: string;
  version: string;
}

export function groupVersionOf(def: KindDefinition): GroupVersion {
  const slash = def.apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: def.apiVersion }
    : { group: def.apiVersion.slice(0, slash), version: def.apiVersion.slice(slash + 1) };
}

/**
 * The kind served at a group, version and plural ("" for the core group), if any: for a
 * converted version (served-versions.ts), the kind as that version shows it.
 */
export function kindAt(group: string, version: string, plural: string): KindDefinition | undefined {
  return servedKinds().find((def) => {
    const gv = groupVersionOf(def);
    return gv.group === group && gv.version === version && def.plural === plural;
  });
}

export function versionInfo() {
  return {
    ...KUBERNETES_VERSION,
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'kubeql',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

/** `/api`: the core group's versions. */
export function apiVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

/** `/apis`: every named group with its versions, the stored one preferred. */
export function apiGroupList() {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups().map(apiGroup) };
}

/** `/apis/{group}`, or undefined for a group not served. */
export function apiGroupAt(group: string) {
  const found = groups().find((g) => g.group === group);
  return found ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(found) } : undefined;
}

/** `/api/v1` or `/apis/{group}/{version}`: the resources served there, or undefined. */
export function apiResourceList(group: string, version: string) {
  if (group === METRICS_GROUP && version === METRICS_VERSION) return metricsResourceList();
  const defs = servedKinds().filter((def) => {
    const gv = groupVersionOf(def);
    return gv.group === group && gv.version === version;
  });
  if (!defs.length) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: defs.flatMap((def) => [
      {
        name: def.plural,
        singularName: def.kind.toLowerCase(),
        namespaced: def.namespaced,
        kind: def.kind,
        verbs: VERBS,
        ...(def.shortNames.length ? { shortNames: def.shortNames } : {}),
        ...(ALL_CATEGORY.has(def.kind) ? { categories: ['all'] } : {}),
        ...(def.categories?.length ? { categories: def.categories } : {}),
      },
      ...subresources(def),
    ]),
  };
}

/**
 * `{plural}/status` and `{plural}/scale` where served (a Scale is autoscaling/v1's, which
 * kubectl scale looks up here), and a pod's streams with the option kinds and verbs
 * Kubernetes lists for them.
 */
function subresources(def: KindDefinition) {
  const entry = { singularName: '', namespaced: def.namespaced, verbs: SUBRESOURCE_VERBS };
  return [
    ...(def.hasStatus ? [{ name: `${def.plural}/status`, ...entry, kind: def.kind }] : []),
    ...(hasScale(
      def,
      SERVED_VERSIONS.some((version) => version.served === def),
    )
      ? [{ name: `${def.plural}/scale`, ...entry, group: 'autoscaling', version: 'v1', kind: 'Scale' }]
      : []),
    ...(def.kind === 'Pod'
      ? POD_SUBRESOURCES.map(({ subresource, ...rest }) => ({
          ...entry,
          name: `${def.plural}/${subresource}`,
          ...rest,
        }))
      : []),
  ];
}

interface ServedGroup {
  group: string;
  /** The preferred version first. */
  versions: string[];
}

function groups(): ServedGroup[] {
  const seen = new Map<string, ServedGroup>();
  for (const def of servedKinds()) {
    const { group, version } = groupVersionOf(def);
    if (!group) continue;
    const served = seen.get(group);
    if (!served) seen.set(group, { group, versions: [version] });
    else if (!served.versions.includes(version)) served.versions.push(version);
  }
  return [...seen.values(), { group: METRICS_GROUP, versions: [METRICS_VERSION] }];
}

function apiGroup({ group, versions }: ServedGroup) {
  const listed = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: listed, preferredVersion: listed[0] };
}
