import type { PodObject } from '../../objects.ts';
import { hostResolvConf, type ResolvConf } from './resolv-conf.ts';

/** The Docker HostConfig fields that make a container's /etc/resolv.conf. */
export interface DockerDnsConfig {
  Dns: string[];
  DnsSearch: string[];
  DnsOptions: string[];
}

/** The resolver's limits, as the kubelet enforces them. */
const MAX_NAMESERVERS = 3;
const MAX_SEARCHES = 32;

/**
 * The DNS settings of a pod's sandbox, as the kubelet derives them from dnsPolicy:
 * - ClusterFirst (default): the cluster DNS at `gateway`, searching
 *   `<ns>.svc.<domain> svc.<domain> <domain>` then the host's search domains, `ndots:5`.
 *   For a hostNetwork pod it falls back to Default, as in Kubernetes.
 * - ClusterFirstWithHostNet: ClusterFirst, hostNetwork or not.
 * - Default: the host's resolv.conf (loopback nameservers left out).
 * - None: only what spec.dnsConfig says.
 * spec.dnsConfig is merged into the first three: nameservers and searches appended
 * (duplicates dropped), options overriding by name.
 */
export function podDnsConfig(
  pod: PodObject,
  gateway: string,
  clusterDomain = 'cluster.local',
  host: ResolvConf = hostResolvConf(),
): DockerDnsConfig {
  const spec = pod.spec;
  const policy = spec?.dnsPolicy ?? 'ClusterFirst';
  const namespace = pod.metadata.namespace ?? 'default';
  let base: ResolvConf;
  if (policy === 'None') {
    base = { nameservers: [], searches: [], options: [] };
  } else if (policy === 'Default' || (policy === 'ClusterFirst' && spec?.hostNetwork)) {
    // A loopback resolver (systemd-resolved's 127.0.0.53) is unreachable from a pod's own
    // network namespace: left out, and with no nameserver left Docker picks the host's upstreams.
    base = { ...host, nameservers: host.nameservers.filter((ns) => !/^127\.|^::1$/.test(ns)) };
  } else {
    base = {
      nameservers: [gateway],
      searches: [
        `${namespace}.svc.${clusterDomain}`,
        `svc.${clusterDomain}`,
        clusterDomain,
        ...host.searches,
      ],
      options: ['ndots:5'],
    };
  }
  const extra = spec?.dnsConfig;
  const options = new Map<string, string>();
  for (const option of base.options) options.set(option.split(':')[0], option);
  for (const option of extra?.options ?? []) {
    if (!option.name) continue;
    options.set(option.name, option.value != null ? `${option.name}:${option.value}` : option.name);
  }
  return {
    Dns: unique([...base.nameservers, ...(extra?.nameservers ?? [])]).slice(0, MAX_NAMESERVERS),
    DnsSearch: unique([...base.searches, ...(extra?.searches ?? [])]).slice(0, MAX_SEARCHES),
    DnsOptions: [...options.values()],
  };
}

const unique = (values: string[]) => [...new Set(values.filter(Boolean))];
