import {
  createInformer,
  messageOf,
  type Informer,
  type ListWatchClient,
  type Resource,
} from '../../../client/index.ts';
import type { NetworkPolicySpec } from '../../../schema/kinds/networkpolicy.ts';
import type { PodObject } from '../../objects.ts';
import { cidrContains, parseCidr, parseIPv4, type Cidr } from './cidr.ts';
import { PolicyEvaluator, type Connection, type PolicyPod } from './policy-evaluator.ts';
import { clusterDnsPod, policyPodOf } from './policy-pods.ts';
import { renderPolicyChain } from './policy-rules.ts';
import { PolicyTable } from './policy-table.ts';

type NetworkPolicyObject = Resource & { spec?: NetworkPolicySpec };

export interface PolicyEnforcerOptions {
  client: ListWatchClient;
  /** Names the iptables chain, so a restarted agent replaces what it left behind. */
  nodeName: string;
  /** The node's pod range: the pods whose traffic this node's chain governs. */
  podCIDR: string;
  /** The node's DNS server (its bridge gateway). */
  dnsAddress: string;
  /** How long changes gather before the chain is rewritten (default 100 ms). */
  debounceMs?: number;
  log?: (line: string) => void;
}

/** After a failed iptables write. */
const IPTABLES_RETRY_MS = 5_000;

/**
 * NetworkPolicy on one Docker node. Watches policies, pods and namespaces; on every
 * change (gathered for a moment) rewrites the node's iptables chain for the pods on its
 * bridge, in one transaction and only when the rules differ. `allows` answers from the
 * same state, for the service proxy, whose connections to backends leave from the node
 * and so pass no chain.
 */
export class PolicyEnforcer {
  private readonly policies: Informer<NetworkPolicyObject>;
  private readonly pods: Informer<PodObject>;
  private readonly namespaces: Informer<Resource>;
  private readonly table: PolicyTable;
  private readonly podRange?: Cidr;
  private readonly log: (line: string) => void;
  private current?: PolicyEvaluator;
  private written?: string;
  private timer?: ReturnType<typeof setTimeout>;
  private syncing?: Promise<void>;
  private dirty = false;
  private stopped = false;

  constructor(private readonly options: PolicyEnforcerOptions) {
    this.log = options.log ?? ((line) => console.error(line));
    const onError = (error: unknown) => this.log(`network policy: ${messageOf(error)}`);
    this.policies = createInformer<NetworkPolicyObject>(options.client, 'NetworkPolicy', {}, { onError });
    this.pods = createInformer<PodObject>(options.client, 'Pod', {}, { onError });
    this.namespaces = createInformer<Resource>(options.client, 'Namespace', {}, { onError });
    this.table = new PolicyTable(options.nodeName, options.podCIDR, options.dnsAddress);
    this.podRange = parseCidr(options.podCIDR);
  }

  get chain(): string {
    return this.table.chain;
  }

  /** Installs the chain (replacing one an earlier run left), then enforces the policies known at start. */
  async start(): Promise<void> {
    await this.table.install();
    const changed = () => this.changed();
    for (const informer of [this.policies, this.pods, this.namespaces]) {
      informer.addEventHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
      informer.start();
    }
    await Promise.all([this.policies.waitForSync(), this.pods.waitForSync(), this.namespaces.waitForSync()]);
    clearTimeout(this.timer);
    await this.sync();
  }

  /** Stops watching and removes the chain and its jumps: the node's pods are unrestricted again. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.all([this.policies.stop(), this.pods.stop(), this.namespaces.stop()]);
    await this.syncing;
    await this.table.remove();
  }

  /** Whether the policies let a new connection from one address to another through. */
  allows(connection: Connection): boolean {
    return this.evaluator().allows(connection);
  }

  private evaluator(): PolicyEvaluator {
    this.current ??= new PolicyEvaluator({
      policies: this.policies.list().map((p) => ({
        namespace: p.metadata.namespace ?? 'default',
        name: p.metadata.name ?? '',
        spec: p.spec ?? {},
      })),
      pods: [
        ...this.pods
          .list()
          .map(policyPodOf)
          .filter((p): p is PolicyPod => !!p),
        clusterDnsPod(this.options.dnsAddress),
      ],
      namespaces: new Map(this.namespaces.list().map((n) => [n.metadata.name ?? '', n.metadata.labels])),
    });
    return this.current;
  }

  private changed(): void {
    this.current = undefined;
    this.later(this.options.debounceMs ?? 100);
  }

  private later(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.sync(), ms);
    this.timer.unref();
  }

  /** One write at a time; a change during a write is picked up by the write after it. */
  private async sync(): Promise<void> {
    this.dirty = true;
    if (this.syncing) return this.syncing;
    this.syncing = (async () => {
      while (this.dirty && !this.stopped) {
        this.dirty = false;
        await this.write();
      }
    })().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async write(): Promise<void> {
    const evaluator = this.evaluator();
    const rules = renderPolicyChain(
      this.table.chain,
      evaluator,
      evaluator.pods.filter((p) => this.isLocal(p)),
    );
    if (rules === this.written) return;
    try {
      await this.table.write(rules);
      this.written = rules;
    } catch (error) {
      this.written = undefined;
      this.log(`network policy: ${messageOf(error)}; retrying in ${IPTABLES_RETRY_MS / 1000}s`);
      this.later(IPTABLES_RETRY_MS);
    }
  }

  /** A pod on this node's bridge (the DNS server's address is the bridge's own, not a pod's). */
  private isLocal(pod: PolicyPod): boolean {
    const ip = parseIPv4(pod.ip);
    return (
      !!this.podRange &&
      ip !== undefined &&
      cidrContains(this.podRange, ip) &&
      pod.ip !== this.options.dnsAddress
    );
  }
}
