import { isCode, messageOf, type ResourceWriter } from '../../client/index.ts';
import { exponentialDelay } from '../../lib/backoff.ts';
import type { Clock } from '../../lib/clock.ts';
import type { LeaseObject } from '../objects.ts';
import { microTimestamp } from '../timestamps.ts';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/**
 * Each wait between lease renewals is up to 4 % longer, at random (the kubelet's lease
 * controller runs JitterUntil with factor 0.04): nodes started together, or whose timers
 * a busy process fired late together, drift apart instead of renewing in lockstep.
 */
const LEASE_RENEW_JITTER = 0.04;
/** After a failed renewal: 200 ms doubling, up to the renew interval. */
const LEASE_RETRY_BASE_MS = 200;

export interface NodeLeaseOptions {
  /** The node's name: the Lease's name and holder. */
  nodeName: string;
  /** (40) */
  durationSeconds: number;
  /** How often the Lease is renewed: the node's heartbeat (10 s). */
  renewIntervalMs: number;
  /** The Node's uid once registered: the Lease is created owned by it. */
  nodeUid: () => string | undefined;
  /** While true nothing is written (a node cut off from the API server). */
  isSilent: () => boolean;
  clock: Clock;
  log: (line: string) => void;
}

/**
 * The node's heartbeat: its Lease in kube-node-lease, renewed every interval (with
 * jitter), which the node lifecycle controller watches. A failed renewal is retried
 * sooner, with back-off, never later than the next regular renewal would be.
 */
export class NodeLease {
  private timer?: ReturnType<typeof setTimeout>;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly writer: ResourceWriter,
    private readonly options: NodeLeaseOptions,
  ) {}

  /** Renews the Lease once, then keeps renewing it until `stop()`. */
  async start(): Promise<void> {
    await this.renew();
    this.schedule(this.options.renewIntervalMs);
  }

  /** Renews at once (back in touch after silence), then on the usual schedule. */
  renewNow(): void {
    clearTimeout(this.timer);
    void this.renew().finally(() => this.schedule(this.options.renewIntervalMs));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const { renewIntervalMs } = this.options;
    this.timer = setTimeout(
      async () => {
        const ok = await this.renew();
        this.schedule(
          ok
            ? renewIntervalMs
            : exponentialDelay(this.failures, {
                baseMs: LEASE_RETRY_BASE_MS,
                factor: 2,
                capMs: renewIntervalMs,
              }),
        );
      },
      ms * (1 + LEASE_RENEW_JITTER * Math.random()),
    );
  }

  /** Renews (or creates) the node's Lease: the heartbeat the node lifecycle controller watches. */
  private async renew(): Promise<boolean> {
    if (this.options.isSilent() || this.stopped) return true;
    const { nodeName, durationSeconds, clock, log } = this.options;
    const spec = {
      holderIdentity: nodeName,
      leaseDurationSeconds: durationSeconds,
      renewTime: microTimestamp(clock.now()),
    };
    try {
      try {
        await this.writer.patch('Lease', nodeName, NODE_LEASE_NAMESPACE, { spec });
      } catch (error) {
        if (!isCode(error, 'NOT_FOUND')) throw error;
        const nodeUid = this.options.nodeUid();
        const lease: LeaseObject = {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: {
            name: nodeName,
            namespace: NODE_LEASE_NAMESPACE,
            // Goes with its Node (garbage collector).
            ownerReferences: nodeUid
              ? [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUid }]
              : undefined,
          },
          spec,
        };
        if (!lease.metadata.ownerReferences) delete lease.metadata.ownerReferences;
        await this.writer.create(lease);
      }
      this.failures = 0;
      return true;
    } catch (error) {
      this.failures++;
      log(`node ${nodeName}: lease: ${messageOf(error)}`);
      return false;
    }
  }
}
