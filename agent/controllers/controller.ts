import type { KubeqlClient, ResourceWriter } from '../../client/index.ts';
import type { EventRecorder } from '../events.ts';
import type { InformerSource } from '../informers.ts';

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
  log(line: string): void;
}

/** A running controller. `start` registers its handlers and starts its reconcile loop. */
export interface Controller {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
}

export type ControllerFactory = (ctx: ControllerContext) => Controller;
