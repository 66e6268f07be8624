import { formatCidr } from './cidr.ts';
import type { Allowance, PolicyEvaluator, PolicyPod } from './policy-evaluator.ts';

/**
 * The packet mark bit that says "the source's egress allows this" between the egress
 * and ingress halves of the chain (cleared before the packet leaves it). Chosen clear of
 * the bits kube-proxy (0x4000, 0x8000) and Docker use.
 */
export const EGRESS_ALLOWED_MARK = '0x400000';

/**
 * The `iptables-restore --noflush` input that replaces the node's policy chain with the
 * rules for `localPods` (the pods on this node's bridge). The chain sits in the path of
 * every forwarded packet and of pods' DNS queries to the node: replies of allowed
 * connections return at once; then each egress-isolated source must find an allowance
 * (which marks the packet) or is dropped; then each ingress-isolated destination must
 * find one (which returns) or is dropped. A packet of no isolated pod returns unmarked:
 * Docker's and the proxy's rules decide as before.
 */
export function renderPolicyChain(chain: string, evaluator: PolicyEvaluator, localPods: PolicyPod[]): string {
  const lines = ['*filter', `:${chain} - [0:0]`];
  const add = (rule: string) => lines.push(`-A ${chain} ${rule}`);
  add('-m conntrack --ctstate RELATED,ESTABLISHED -j RETURN');
  const pods = [...localPods].sort((a, b) => a.ip.localeCompare(b.ip, 'en', { numeric: true }));
  const clearMark = `-j MARK --set-xmark 0x0/${EGRESS_ALLOWED_MARK}`;
  const egressIsolated = pods.filter((pod) => evaluator.restrictionsOf(pod).egress);
  if (egressIsolated.length) {
    add(clearMark);
    for (const pod of egressIsolated) {
      const comment = commentOf(pod, 'egress');
      for (const match of distinct(evaluator.restrictionsOf(pod).egress ?? [], '-d')) {
        add(
          `-s ${pod.ip}/32${match}${comment} -j MARK --set-xmark ${EGRESS_ALLOWED_MARK}/${EGRESS_ALLOWED_MARK}`,
        );
      }
      add(`-s ${pod.ip}/32 -m mark ! --mark ${EGRESS_ALLOWED_MARK}/${EGRESS_ALLOWED_MARK}${comment} -j DROP`);
    }
    add(clearMark);
  }
  for (const pod of pods) {
    const ingress = evaluator.restrictionsOf(pod).ingress;
    if (!ingress) continue;
    const comment = commentOf(pod, 'ingress');
    for (const match of distinct(ingress, '-s')) add(`-d ${pod.ip}/32${match}${comment} -j RETURN`);
    add(`-d ${pod.ip}/32${comment} -j DROP`);
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** The match part of each allowance (peer as `-s` or `-d`), each once, in a stable order. */
function distinct(allowances: Allowance[], peerFlag: '-s' | '-d'): string[] {
  const matches = allowances.map((a) => {
    const parts: string[] = [];
    if (a.peer.prefix > 0) parts.push(`${peerFlag} ${formatCidr(a.peer)}`);
    if (a.protocol) {
      const protocol = a.protocol.toLowerCase();
      parts.push(`-p ${protocol}`);
      if (a.ports) {
        const range = a.ports.last > a.ports.first ? `${a.ports.first}:${a.ports.last}` : `${a.ports.first}`;
        parts.push(`-m ${protocol} --dport ${range}`);
      }
    }
    return parts.map((p) => ` ${p}`).join('');
  });
  return [...new Set(matches)];
}

function commentOf(pod: PolicyPod, direction: string): string {
  const text = `${pod.namespace}/${pod.name} ${direction}`.replace(/["\\]/g, '');
  return ` -m comment --comment "${text}"`;
}
