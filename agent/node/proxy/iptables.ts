import crypto from 'node:crypto';
import { execFile } from 'node:child_process';

/** The range every node's podCIDR is carved from. */
export const CLUSTER_POD_CIDR = '10.244.0.0/16';

/** A redirect from a service's virtual address to the local port its proxy listens on. */
export interface Portal {
  /** A comment for people reading `iptables -t nat -S` (namespace/name:port). */
  comment: string;
  address: string;
  port: number;
  proxyPort: number;
}

/**
 * The nat chain holding one node's portals. Named after a hash of the node name so
 * that it fits iptables' 28-character limit, is the same across restarts (a restarted
 * agent finds and replaces what it left behind) and differs between two agents on one
 * machine.
 */
export function portalChain(nodeName: string): string {
  const hash = crypto.createHash('sha256').update(nodeName).digest('hex').slice(0, 8).toUpperCase();
  return `KUBEQL-PORTALS-${hash}`;
}

/** The `iptables-restore --noflush` input that replaces the chain's rules with `portals`. */
export function renderPortals(chain: string, portals: Portal[]): string {
  const lines = ['*nat', `:${chain} - [0:0]`];
  for (const p of portals) {
    lines.push(
      `-A ${chain} -d ${p.address}/32 -p tcp -m tcp --dport ${p.port}` +
        ` -m comment --comment "${p.comment.replace(/"/g, '')}"` +
        ` -j REDIRECT --to-ports ${p.proxyPort}`,
    );
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}

function run(command: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** `iptables -w` (waits for the xtables lock rather than failing when another agent holds it). */
export const iptables = (...args: string[]) => run('iptables', ['-w', ...args]);

/** Applies `iptables-restore` input in one transaction, leaving chains it does not declare alone. */
export const iptablesRestore = (input: string) => run('iptables-restore', ['-w', '--noflush'], input);

/**
 * The filter chains of the nodes' NetworkPolicy rules start so (agent/node/network-policy):
 * their jumps stay above the pod-to-pod ACCEPT in DOCKER-USER, which would bypass them.
 */
export const POLICY_CHAIN_PREFIX = 'KUBEQL-NETPOL-';

/** Whether an iptables command succeeds: a check (`-C`, `-S`), or a delete that found its rule. */
const succeeds = (...args: string[]) =>
  iptables(...args).then(
    () => true,
    () => false,
  );

/**
 * One node's portal chain and its jump from nat PREROUTING, which only catches traffic
 * from the node's own pods (`-s podCIDR`): two agents on one machine each redirect their
 * own pods to their own proxy. Every method is idempotent.
 */
export class PortalTable {
  readonly chain: string;

  constructor(
    nodeName: string,
    private readonly podCIDR: string,
  ) {
    this.chain = portalChain(nodeName);
  }

  /** Removes what an earlier run under the same node name left, then installs an empty chain and its jump. */
  async install(): Promise<void> {
    await this.remove();
    await iptables('-t', 'nat', '-N', this.chain);
    // First in PREROUTING: Docker's own DOCKER jump must not see service traffic first.
    await iptables('-t', 'nat', '-I', 'PREROUTING', '1', ...this.jump());
    await allowPodToPod();
  }

  /** Replaces the chain's rules in one transaction. */
  async write(portals: Portal[]): Promise<void> {
    await iptablesRestore(renderPortals(this.chain, portals));
  }

  /** Removes every jump to the chain (whatever its source range) and the chain. */
  remove(): Promise<void> {
    return removePortalChain(this.chain);
  }

  private jump(): string[] {
    return ['-s', this.podCIDR, '-j', this.chain];
  }
}

/**
 * Removes a node's portal chain and every jump to it, for a node whose agent is gone
 * for good without stopping cleanly (its podCIDR unknown: the jumps are found by the
 * chain they name).
 */
export function removeNodePortals(nodeName: string): Promise<void> {
  return removePortalChain(portalChain(nodeName));
}

async function removePortalChain(chain: string): Promise<void> {
  const rules = await iptables('-t', 'nat', '-S', 'PREROUTING');
  for (const line of rules.split('\n')) {
    if (!line.startsWith('-A PREROUTING ') || !line.split(' ').includes(chain)) continue;
    const spec = line.slice('-A PREROUTING '.length).match(/"[^"]*"|\S+/g) ?? [];
    await iptables('-t', 'nat', '-D', 'PREROUTING', ...spec.map((s) => s.replace(/^"(.*)"$/, '$1')));
  }
  if (await succeeds('-t', 'nat', '-S', chain)) {
    await iptables('-t', 'nat', '-F', chain);
    await iptables('-t', 'nat', '-X', chain);
  }
}

/** The rules allowPodToPod adds: [table, chain, rule]. */
const POD_TO_POD_RULES: Array<[string, string, string[]]> = [
  ['filter', 'DOCKER-USER', ['-s', CLUSTER_POD_CIDR, '-d', CLUSTER_POD_CIDR, '-j', 'ACCEPT']],
  ['nat', 'POSTROUTING', ['-s', CLUSTER_POD_CIDR, '-d', CLUSTER_POD_CIDR, '-j', 'RETURN']],
];

/**
 * Lets pods on different node bridges of one machine talk as Kubernetes' network model
 * wants, directly and with their own addresses: Docker's isolation chains drop traffic
 * between bridge networks (DOCKER-USER is consulted before them), and Docker masquerades
 * whatever leaves a bridge (a RETURN first in nat POSTROUTING exempts pod-to-pod
 * traffic). Shared by every agent on the machine, so only `releasePodToPod` removes
 * them, once no pod network is left; moved back to the top when Docker has inserted a
 * newer bridge's masquerade rule above it.
 */
export async function allowPodToPod(): Promise<void> {
  if (!(await succeeds('-S', 'DOCKER-USER'))) return; // no Docker on this host: nothing to undo
  for (const [table, chain, rule] of POD_TO_POD_RULES) await ensureFirst(table, chain, rule);
}

/**
 * Removes the rules of `allowPodToPod` when `needed` says no pod network is left on the
 * machine. An agent starting meanwhile creates its network before it adds the rules, so
 * it may add them between our first look and the removal and lose them: the second look
 * sees its network, and puts them back.
 */
export async function releasePodToPod(needed: () => Promise<boolean>): Promise<void> {
  if (await needed()) return;
  for (const [table, chain, rule] of POD_TO_POD_RULES) {
    // Until none is left: another agent stopping at the same moment may delete some of them.
    while (await succeeds('-t', table, '-D', chain, ...rule));
  }
  if (await needed()) await allowPodToPod();
}

/** Puts `rule` first in `chain`, below only the jumps to policy chains, which must see packets before any ACCEPT. */
async function ensureFirst(table: string, chain: string, rule: string[]): Promise<void> {
  const listed = (await iptables('-t', table, '-S', chain))
    .split('\n')
    .filter((line) => line.startsWith('-A '));
  const isPolicyJump = (line: string) => line.includes(` -j ${POLICY_CHAIN_PREFIX}`);
  const first = listed.find((line) => !isPolicyJump(line));
  if (first === `-A ${chain} ${rule.join(' ')}`) return;
  while (await succeeds('-t', table, '-C', chain, ...rule)) await iptables('-t', table, '-D', chain, ...rule);
  const policyJumps = first === undefined ? listed.length : listed.indexOf(first);
  await iptables('-t', table, '-I', chain, String(policyJumps + 1), ...rule);
}
