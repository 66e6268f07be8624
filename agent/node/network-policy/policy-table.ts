import crypto from 'node:crypto';
import { iptables, iptablesRestore, POLICY_CHAIN_PREFIX } from '../proxy/iptables.ts';

/** The filter chain of one node's policy rules: same across restarts, different per node, within 28 characters. */
export function policyChain(nodeName: string): string {
  const hash = crypto.createHash('sha256').update(nodeName).digest('hex').slice(0, 8).toUpperCase();
  return `${POLICY_CHAIN_PREFIX}${hash}`;
}

/** The chains whose jumps a node's policy chain has (found by the chain they name when removing). */
const JUMPING_CHAINS = ['DOCKER-USER', 'FORWARD', 'INPUT'];

/**
 * One node's policy chain and its jumps: first in DOCKER-USER (every packet Docker
 * forwards between pods, and from pods to the world, passes there before Docker's and the
 * pod-to-pod ACCEPT), and from INPUT for the pods' DNS queries to the node's DNS server
 * (so that egress policy governs DNS, as it does for a DNS pod in Kubernetes). Service
 * traffic redirected to the proxy is not jumped: the proxy checks it itself. Every
 * method is idempotent.
 */
export class PolicyTable {
  readonly chain: string;

  constructor(
    nodeName: string,
    private readonly podCIDR: string,
    private readonly dnsAddress: string,
  ) {
    this.chain = policyChain(nodeName);
  }

  /** Removes what an earlier run under the same node name left, then installs an empty chain and its jumps. */
  async install(): Promise<void> {
    await this.remove();
    await iptables('-N', this.chain);
    const forward = (await exists('DOCKER-USER')) ? 'DOCKER-USER' : 'FORWARD';
    await iptables('-I', forward, '1', '-j', this.chain);
    for (const protocol of ['udp', 'tcp']) {
      await iptables('-I', 'INPUT', '1', ...this.dnsMatch(protocol), '-j', this.chain);
    }
  }

  /**
   * Replaces the chain's rules in one transaction, and puts the jump back above any rule
   * of DOCKER-USER that is not a policy jump: an agent starting beside this one may have
   * inserted the pod-to-pod ACCEPT first at the moment this jump went in.
   */
  async write(rules: string): Promise<void> {
    await iptablesRestore(rules);
    if (!(await exists('DOCKER-USER'))) return;
    const listed = (await iptables('-S', 'DOCKER-USER')).split('\n').filter((line) => line.startsWith('-A '));
    const firstOther = listed.findIndex((line) => !line.includes(` -j ${POLICY_CHAIN_PREFIX}`));
    const jump = listed.indexOf(`-A DOCKER-USER -j ${this.chain}`);
    if (jump !== -1 && (firstOther === -1 || jump < firstOther)) return;
    if (jump !== -1) await iptables('-D', 'DOCKER-USER', '-j', this.chain);
    await iptables('-I', 'DOCKER-USER', '1', '-j', this.chain);
  }

  remove(): Promise<void> {
    return removePolicyChain(this.chain);
  }

  private dnsMatch(protocol: string): string[] {
    return [
      '-s',
      this.podCIDR,
      '-d',
      `${this.dnsAddress}/32`,
      '-p',
      protocol,
      '-m',
      protocol,
      '--dport',
      '53',
    ];
  }
}

/** Removes a node's policy chain and every jump to it, for a node gone without a clean stop. */
export function removeNodePolicies(nodeName: string): Promise<void> {
  return removePolicyChain(policyChain(nodeName));
}

async function removePolicyChain(chain: string): Promise<void> {
  for (const from of JUMPING_CHAINS) {
    if (!(await exists(from))) continue;
    for (const line of (await iptables('-S', from)).split('\n')) {
      if (!line.startsWith(`-A ${from} `) || !line.split(' ').includes(chain)) continue;
      const spec = line.slice(`-A ${from} `.length).split(' ');
      await iptables('-D', from, ...spec);
    }
  }
  if (await exists(chain)) {
    await iptables('-F', chain);
    await iptables('-X', chain);
  }
}

const exists = (chain: string) =>
  iptables('-S', chain).then(
    () => true,
    () => false,
  );
