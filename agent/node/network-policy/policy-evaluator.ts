import type { NetworkPolicySpec } from '../../../schema/kinds/networkpolicy.ts';
import { selectorMatches, type Labels } from '../../../schema/label-selector.ts';
import { cidrContains, parseCidr, parseIPv4, subtractCidrs, type Cidr } from './cidr.ts';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** What a policy needs to know of a pod: where it is, who it is, and its named ports. */
export interface PolicyPod {
  namespace: string;
  name: string;
  labels: Labels;
  ip: string;
  ports: Array<{ name?: string; port: number; protocol: Protocol }>;
}

export interface PolicyObject {
  namespace: string;
  name: string;
  spec: NetworkPolicySpec;
}

export interface PolicyInputs {
  policies: PolicyObject[];
  /** Pods with an address on the pod network (host-network and finished pods left out). */
  pods: PolicyPod[];
  /** Namespace name → its labels. */
  namespaces: Map<string, Labels>;
}

/** One kind of traffic a pod may exchange: with addresses in `peer`, over `protocol` and `ports` (any when absent). */
export interface Allowance {
  peer: Cidr;
  protocol?: Protocol;
  ports?: { first: number; last: number };
}

/** A pod's restrictions: a direction is absent while no policy isolates the pod in it. */
export interface PodRestrictions {
  ingress?: Allowance[];
  egress?: Allowance[];
}

export interface Connection {
  from: string;
  to: string;
  port: number;
  protocol: Protocol;
}

/** Set on every namespace by Kubernetes, and what policies copied from its docs select namespaces by. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
const EVERYWHERE: Cidr = { base: 0, prefix: 0 };

type Rule = { ports?: NetworkPolicyPortSpec[]; peers?: PeerSpec[] };
type PeerSpec = NonNullable<NonNullable<NetworkPolicySpec['ingress']>[number]['from']>[number];
type NetworkPolicyPortSpec = NonNullable<NonNullable<NetworkPolicySpec['ingress']>[number]['ports']>[number];

/** The addresses a rule's peers stand for, and the known pods among them (for named ports). */
interface Peers {
  cidrs: Cidr[];
  pods: PolicyPod[];
}

/**
 * The standard NetworkPolicy semantics over one snapshot of policies, pods and
 * namespaces. A pod selected by a policy whose policyTypes include a direction is
 * isolated in it, and then only what some such policy's rules allow passes; a pod no
 * policy selects is unrestricted. A connection needs both the source's egress and the
 * destination's ingress. Immutable: rebuilt on every change.
 */
export class PolicyEvaluator {
  private readonly podsByIP = new Map<number, PolicyPod>();
  private readonly restrictions = new Map<PolicyPod, PodRestrictions>();
  /** By the rule's peer list: the same for every pod its policy selects. */
  private readonly peers = new Map<Rule['peers'], Peers>();

  constructor(private readonly inputs: PolicyInputs) {
    for (const pod of inputs.pods) {
      const ip = parseIPv4(pod.ip);
      if (ip !== undefined) this.podsByIP.set(ip, pod);
    }
  }

  get pods(): readonly PolicyPod[] {
    return this.inputs.pods;
  }

  /**
   * Whether a new connection (or datagram) from one address to another may pass. An
   * address that is not IPv4 (a client of a node port over IPv6) is no pod, and is
   * matched only by rules that admit every address.
   */
  allows({ from, to, port, protocol }: Connection): boolean {
    const source = parseIPv4(from);
    const destination = parseIPv4(to);
    const target = destination === undefined ? undefined : this.podsByIP.get(destination);
    const ingress = target && this.restrictionsOf(target).ingress;
    if (ingress && !ingress.some((a) => admits(a, source, port, protocol))) return false;
    const origin = source === undefined ? undefined : this.podsByIP.get(source);
    const egress = origin && this.restrictionsOf(origin).egress;
    return !egress || egress.some((a) => admits(a, destination, port, protocol));
  }

  /** What the policies selecting `pod` allow it to receive and send. */
  restrictionsOf(pod: PolicyPod): PodRestrictions {
    let found = this.restrictions.get(pod);
    if (found) return found;
    found = {};
    for (const policy of this.inputs.policies) {
      if (policy.namespace !== pod.namespace || !selectorMatches(policy.spec.podSelector, pod.labels))
        continue;
      const types = policy.spec.policyTypes ?? ['Ingress', ...(policy.spec.egress?.length ? ['Egress'] : [])];
      if (types.includes('Ingress')) {
        found.ingress ??= [];
        for (const rule of policy.spec.ingress ?? []) {
          const peers = this.peersOf(policy.namespace, rule.from);
          found.ingress.push(...allowancesOf(peers, rule.ports, ownPort(pod, peers)));
        }
      }
      if (types.includes('Egress')) {
        found.egress ??= [];
        for (const rule of policy.spec.egress ?? []) {
          const peers = this.peersOf(policy.namespace, rule.to);
          found.egress.push(...allowancesOf(peers, rule.ports, destinationPorts(peers)));
        }
      }
    }
    this.restrictions.set(pod, found);
    return found;
  }

  /** An empty list is everyone; a peer with an ipBlock is addresses, one with selectors is pods. */
  private peersOf(namespace: string, peers: Rule['peers']): Peers {
    if (!peers?.length) return { cidrs: [EVERYWHERE], pods: this.inputs.pods };
    const known = this.peers.get(peers);
    if (known) return known;
    const cidrs: Cidr[] = [];
    const pods = new Set<PolicyPod>();
    for (const peer of peers) {
      if (peer.ipBlock) {
        const block = parseCidr(peer.ipBlock.cidr);
        if (!block) continue;
        const except = (peer.ipBlock.except ?? []).map(parseCidr).filter((c): c is Cidr => !!c);
        const ranges = subtractCidrs(block, except);
        cidrs.push(...ranges);
        for (const pod of this.inputs.pods) {
          const ip = parseIPv4(pod.ip);
          if (ip !== undefined && ranges.some((r) => cidrContains(r, ip))) pods.add(pod);
        }
        continue;
      }
      if (!peer.podSelector && !peer.namespaceSelector) continue;
      const selected = new Map<string, boolean>();
      const namespaceSelected = (name: string) => {
        let found = selected.get(name);
        if (found === undefined) {
          found = peer.namespaceSelector
            ? selectorMatches(peer.namespaceSelector, this.namespaceLabels(name))
            : name === namespace;
          selected.set(name, found);
        }
        return found;
      };
      for (const pod of this.inputs.pods) {
        const inNamespace = namespaceSelected(pod.namespace);
        if (inNamespace && selectorMatches(peer.podSelector, pod.labels)) pods.add(pod);
      }
    }
    // Pods are distinct addresses: only the ipBlock ranges can already hold one.
    const blocks = [...cidrs];
    for (const pod of pods) {
      const ip = parseIPv4(pod.ip);
      if (ip !== undefined && !blocks.some((c) => cidrContains(c, ip))) cidrs.push({ base: ip, prefix: 32 });
    }
    const resolved = { cidrs, pods: [...pods] };
    this.peers.set(peers, resolved);
    return resolved;
  }

  private namespaceLabels(name: string): Labels {
    return { ...this.inputs.namespaces.get(name), [NAMESPACE_NAME_LABEL]: name };
  }
}

/** Where a named port leads: the port number, and the addresses it is allowed with. */
type NamedPortLookup = (name: string, protocol: Protocol) => Array<{ port: number; cidrs: Cidr[] }>;

/** On ingress a named port is the selected pod's own, and applies to every peer. */
const ownPort =
  (pod: PolicyPod, peers: Peers): NamedPortLookup =>
  (name, protocol) =>
    namedPortOf(pod, name, protocol).map((port) => ({ port, cidrs: peers.cidrs }));

/** On egress a named port is each destination pod's, and applies to that pod alone. */
const destinationPorts =
  (peers: Peers): NamedPortLookup =>
  (name, protocol) =>
    peers.pods.flatMap((pod) => {
      const ip = parseIPv4(pod.ip);
      if (ip === undefined) return [];
      return namedPortOf(pod, name, protocol).map((port) => ({ port, cidrs: [{ base: ip, prefix: 32 }] }));
    });

function namedPortOf(pod: PolicyPod, name: string, protocol: Protocol): number[] {
  const found = pod.ports.find((p) => p.name === name && p.protocol === protocol);
  return found ? [found.port] : [];
}

/** The allowances of one rule: every port entry (every port when none) with every peer. */
function allowancesOf(
  peers: Peers,
  ports: NetworkPolicyPortSpec[] | undefined,
  named: NamedPortLookup,
): Allowance[] {
  if (!ports?.length) return peers.cidrs.map((peer) => ({ peer }));
  const out: Allowance[] = [];
  for (const entry of ports) {
    const protocol = (entry.protocol ?? 'TCP') as Protocol;
    if (entry.port === undefined || entry.port === null) {
      out.push(...peers.cidrs.map((peer) => ({ peer, protocol })));
      continue;
    }
    const port = portNumber(entry.port);
    const targets =
      port === undefined
        ? named(String(entry.port), protocol).map((t) => ({ ...t, last: t.port }))
        : [{ port, last: entry.endPort ?? port, cidrs: peers.cidrs }];
    for (const { port: first, last, cidrs } of targets) {
      out.push(...cidrs.map((peer) => ({ peer, protocol, ports: { first, last } })));
    }
  }
  return out;
}

function portNumber(port: NetworkPolicyPortSpec['port']): number | undefined {
  if (typeof port === 'number') return port;
  if (typeof port === 'string' && /^\d+$/.test(port)) return Number(port);
  return undefined;
}

function admits(allowance: Allowance, peer: number | undefined, port: number, protocol: Protocol): boolean {
  if (peer === undefined ? allowance.peer.prefix > 0 : !cidrContains(allowance.peer, peer)) return false;
  if (allowance.protocol && allowance.protocol !== protocol) return false;
  return !allowance.ports || (port >= allowance.ports.first && port <= allowance.ports.last);
}
