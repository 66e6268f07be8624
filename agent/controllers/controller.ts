import {
  isCode,
  messageOf,
  type EventHandlers,
  type Informer,
  type KubeqlClient,
  type Resource,
  type ResourceWriter,
} from '../../client/index.ts';
import type { Clock } from '../../lib/clock.ts';
import type { EventRecorder } from '../events.ts';
import type { InformerSource } from '../informers.ts';
import { ReconcileLoop, type ReconcileLoopOptions, type ReconcileResult } from './reconcile-loop.ts';

/** Tunables a test can shorten; defaults are Kubernetes'. */
export interface ControllerOptions {
  /** A node whose Lease is older than this is NotReady (node-monitor-grace-period, 40 s). */
  nodeMonitorGracePeriodMs: number;
  /** Pods of a NotReady node are evicted after this (pod-eviction-timeout, 300 s). */
  podEvictionTimeoutMs: number;
  /** How often every HorizontalPodAutoscaler is evaluated (horizontal-pod-autoscaler-sync-period, 15 s). */
  hpaSyncPeriodMs: number;
  /** How long an HPA keeps the highest recent recommendation before scaling down (horizontal-pod-autoscaler-downscale-stabilization, 5 min). */
  hpaDownscaleStabilizationMs: number;
}

export const DEFAULT_CONTROLLER_OPTIONS: ControllerOptions = {
  nodeMonitorGracePeriodMs: 40_000,
  podEvictionTimeoutMs: 300_000,
  hpaSyncPeriodMs: 15_000,
  hpaDownscaleStabilizationMs: 300_000,
};

/**
 * What every controller is given. It reads through `informers` (shared caches, never
 * mutated) and writes through `writer`: the same public API any client uses, over the
 * network or in-process.
 */
export interface ControllerContext {
  client: KubeqlClient;
  writer: ResourceWriter;
  informers: InformerSource;
  events: EventRecorder;
  options: ControllerOptions;
  /** The only source of time for controllers: tests set it instead of sleeping. */
  clock: Clock;
  log(line: string): void;
}

/** A running controller. `start` registers its handlers and starts its reconcile loop. */
export interface Controller {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
}

export type ControllerFactory = (ctx: ControllerContext) => Controller;

/**
 * The one shape of every controller, as client-go's sample-controller: event handlers
 * registered on shared informers enqueue keys; one reconcile loop (a rate-limited work
 * queue and its workers) calls `reconcile(key)`. A subclass says which informers it
 * follows (`register`, through `watch`) and how one key converges (`reconcile`); start
 * and stop, the unsubscribes and the error log are here, once.
 */
export abstract class ReconcilingController implements Controller {
  protected readonly loop: ReconcileLoop;
  private readonly unsubscribes: Array<() => void> = [];

  constructor(
    readonly name: string,
    protected readonly ctx: ControllerContext,
    loopOptions: Omit<ReconcileLoopOptions, 'onError'> = {},
  ) {
    this.loop = new ReconcileLoop(name, (key) => this.reconcile(key), {
      ...loopOptions,
      // A conflict is a race with another writer, retried against a fresher cache: not worth a line.
      onError: (key, error) => {
        if (!isCode(error, 'CONFLICT')) ctx.log(`${name} ${key}: ${messageOf(error)}`);
      },
    });
  }

  /**
   * Brings the object under `key` to its desired state. Every implementation states its
   * own contract in its doc comment; what all share is ReconcileLoop's: never called for
   * one key twice at once, idempotent, called for a deleted object too, and a throw
   * retries the key with per-key back-off.
   */
  abstract reconcile(key: string): Promise<ReconcileResult | void>;

  /** Registers the event handlers (through `watch`); called once, by start, before the loop runs. */
  protected abstract register(): void;

  /** Adds handlers to an informer for as long as the controller runs. */
  protected watch<T extends Resource>(informer: Informer<T>, handlers: EventHandlers<T>): void {
    this.unsubscribes.push(informer.addEventHandler(handlers));
  }

  start(): void {
    this.register();
    this.loop.start();
  }

  async stop(): Promise<void> {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    await this.loop.stop();
  }
}
