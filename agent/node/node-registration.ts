import crypto from 'node:crypto';
import { isCode, messageOf, type KubeqlClient, type ResourceWriter } from '../../client/index.ts';
import { exponentialDelay } from '../../lib/backoff.ts';
import type { Clock } from '../../lib/clock.ts';
import type { NodeStatus, Taint } from '../../schema/kinds/node.ts';
import type { Condition, NodeObject } from '../objects.ts';
import { timestamp } from '../timestamps.ts';
import type { NodeSource } from './node-sources.ts';
import type { ContainerRuntime } from './runtime/runtime.ts';

export const AGENT_VERSION = 'kubeql-0.1.0';
/** While the API server is not up yet: 200 ms doubling, up to 5 s. */
const REGISTER_RETRY = { baseMs: 200, factor: 2, capMs: 5000 };

const BOOT_ID = crypto.randomUUID();
const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' };

/** How a node describes itself when it registers, and in every status it writes. */
export interface NodeDescription {
  /** What the node has (cpu '4', memory '8Gi', pods '110', ephemeral-storage '100Gi'). */
  capacity: Record<string, string>;
  /** What pods may request; defaults to capacity. */
  allocatable?: Record<string, string>;
  /** Added to the well-known ones (hostname, os, arch). */
  labels: Record<string, string>;
  /** Registered with the node (--register-with-taints). */
  taints: Taint[];
  /** The node's InternalIP (127.0.0.1). */
  address: string;
  /** The range the runtime takes pod IPs from. */
  podCIDR?: string;
  /** How often the Node status is written when nothing changed (5 min). */
  statusReportIntervalMs: number;
}

export interface NodeRegistrationOptions extends NodeDescription {
  /** The Node's name, also its `kubernetes.io/hostname` label. */
  nodeName: string;
  /** What the runtime tells of itself and its machine, for providerID and nodeInfo. */
  runtime: Pick<ContainerRuntime, 'name' | 'version' | 'hostInfo'>;
  /** While true nothing is written (a node cut off from the API server). */
  isSilent: () => boolean;
  clock: Clock;
  log: (line: string) => void;
}

/**
 * The node's Node object: registered (or taken over after an agent restart) at start,
 * and its status (capacity, conditions, addresses, nodeInfo) written every status
 * interval, and at once whenever someone else (the node lifecycle controller) marked
 * the node not ready while it is fine, as the kubelet's next status update would.
 */
export class NodeRegistration {
  /** The registered Node's uid, for the objects it owns (its Lease). */
  nodeUid?: string;
  private timer?: ReturnType<typeof setInterval>;
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly removeHandler: () => void;

  constructor(
    private readonly client: KubeqlClient,
    private readonly writer: ResourceWriter,
    private readonly node: NodeSource<NodeObject>,
    private readonly options: NodeRegistrationOptions,
  ) {
    // Someone else (the node lifecycle controller) marked the node not ready while it is
    // fine: report again at once, as the kubelet's next status update would.
    const check = (node: NodeObject) => {
      const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
      if (ready?.status !== 'True') this.reportStatus();
    };
    this.removeHandler = node.addEventHandler({ onAdd: check, onUpdate: (_old, node) => check(node) });
  }

  /** Registers the node; the API server may not be up yet (or restarting): keeps trying, as the kubelet does. */
  async register(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.registerOnce();
        return;
      } catch (error) {
        if (!isCode(error, 'UNAVAILABLE') || this.stopped) throw error;
        this.options.log(`node ${this.options.nodeName}: cannot register yet: ${messageOf(error)}`);
        await new Promise((resolve) => setTimeout(resolve, exponentialDelay(attempt, REGISTER_RETRY)));
      }
    }
  }

  /** Writes the status every status interval from now on, until `stop()`. */
  start(): void {
    if (this.stopped) return;
    this.timer = setInterval(() => this.reportStatus(), this.options.statusReportIntervalMs);
    this.timer.unref?.();
  }

  /** No more status writes; resolves once the one in flight is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.removeHandler();
    await this.chain;
  }

  /** Writes the node's status (serialized: one write at a time, the latest state each time). */
  reportStatus(): void {
    if (this.options.isSilent() || this.stopped) return;
    const { nodeName, log } = this.options;
    this.chain = this.chain
      .then(async () => {
        if (this.options.isSilent() || this.stopped) return;
        const current = this.node.get(nodeName) ?? (await this.client.get<NodeObject>('Node', nodeName));
        if (!current) return;
        await this.writer.updateStatus(current, this.nodeStatus(current.status));
      })
      .catch((error: unknown) => log(`node ${nodeName}: status: ${messageOf(error)}`));
  }

  /** Creates the Node, or takes over the one registered before (an agent restart): labels merged, status reported. */
  private async registerOnce(): Promise<void> {
    const { nodeName } = this.options;
    try {
      const created = await this.writer.create(this.nodeObject());
      this.nodeUid = created.metadata.uid;
      this.options.log(`node ${nodeName}: registered`);
      return;
    } catch (error) {
      if (!isCode(error, 'ALREADY_EXISTS')) throw error;
    }
    const existing = await this.client.get<NodeObject>('Node', nodeName);
    if (!existing) return this.registerOnce();
    this.nodeUid = existing.metadata.uid;
    const labels = this.labels();
    if (Object.entries(labels).some(([key, value]) => existing.metadata.labels?.[key] !== value)) {
      await this.writer.patch('Node', nodeName, undefined, { metadata: { labels } });
    }
    await this.writer.updateStatus(existing, this.nodeStatus(existing.status));
  }

  private nodeObject(): NodeObject {
    const { options } = this;
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: options.nodeName, labels: this.labels() },
      spec: {
        ...(options.podCIDR ? { podCIDR: options.podCIDR } : {}),
        ...(options.taints.length > 0 ? { taints: options.taints } : {}),
        providerID: `${options.runtime.name}://${options.nodeName}`,
      },
      status: this.nodeStatus(undefined),
    };
  }

  private labels(): Record<string, string> {
    return {
      'kubernetes.io/hostname': this.options.nodeName,
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': ARCH[process.arch] ?? process.arch,
      ...this.options.labels,
    };
  }

  private nodeStatus(current: NodeStatus | undefined): NodeStatus {
    const { nodeName, runtime, clock } = this.options;
    const now = timestamp(clock.now());
    const condition = (type: string, ok: boolean, reason: string, message: string): Condition => {
      const status = ok ? 'True' : 'False';
      const before = current?.conditions?.find((c) => c.type === type);
      return {
        type,
        status,
        reason,
        message,
        lastHeartbeatTime: now,
        lastTransitionTime:
          before?.status === status && before.lastTransitionTime ? before.lastTransitionTime : now,
      };
    };
    const { capacity, allocatable = capacity } = this.options;
    return {
      capacity: { ...capacity },
      allocatable: { ...allocatable },
      conditions: [
        condition(
          'MemoryPressure',
          false,
          'KubeletHasSufficientMemory',
          'kubelet has sufficient memory available',
        ),
        condition('DiskPressure', false, 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', false, 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        condition('Ready', true, 'KubeletReady', 'kubelet is posting ready status'),
      ],
      addresses: [
        { type: 'InternalIP', address: this.options.address },
        { type: 'Hostname', address: nodeName },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: crypto.createHash('sha256').update(nodeName).digest('hex').slice(0, 32),
        systemUUID: crypto.createHash('md5').update(nodeName).digest('hex'),
        bootID: BOOT_ID,
        kernelVersion: runtime.hostInfo?.kernelVersion ?? runtime.name,
        osImage: runtime.hostInfo?.osImage ?? `kubeql node (${runtime.name} runtime)`,
        containerRuntimeVersion: `${runtime.name}://${runtime.version}`,
        kubeletVersion: AGENT_VERSION,
        kubeProxyVersion: AGENT_VERSION,
        operatingSystem: 'linux',
        architecture: ARCH[process.arch] ?? process.arch,
      },
    };
  }
}
