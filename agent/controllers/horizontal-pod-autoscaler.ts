import { keyOf, messageOf, type Informer } from '../../client/index.ts';
import type { LabelSelector } from '../../schema/kinds/meta.ts';
import { selectorMatches } from '../../schema/label-selector.ts';
import type { PodObject } from '../objects.ts';
import { timestamp } from '../timestamps.ts';
import { ReconcilingController, type ControllerContext, type ControllerFactory } from './controller.ts';
import { replicasForMetrics, type MetricsProposal } from './hpa/metric-replicas.ts';
import {
  apiResourceMetrics,
  selectorText,
  type PodUsageSample,
  type ResourceMetricsClient,
} from './hpa/metrics.ts';
import {
  DEFAULT_REPLICA_CALCULATOR_OPTIONS,
  ReplicaCalculator,
  type ReplicaCalculatorOptions,
} from './hpa/replica-calculator.ts';
import { apiScaleClient, ScaleTargets, type ScaleClient } from './hpa/scale-target.ts';
import { normalizeDesiredReplicas, ScalingHistory } from './hpa/scaling.ts';
import { HPAStatusDraft } from './hpa/status.ts';
import type { HPAObject, HPAStatus, MetricStatus, ScaleTarget } from './hpa/types.ts';
import type { ReconcileResult } from './reconcile-loop.ts';

export type { HPAObject } from './hpa/types.ts';

/** What a test (or a caller with its own clients) can hand the controller; the defaults talk to the API. */
export interface HPAControllerOptions extends Partial<ReplicaCalculatorOptions> {
  metrics?: ResourceMetricsClient;
  scale?: ScaleClient;
  /** The recommendations and scale events the stabilization window and rate policies read. */
  history?: ScalingHistory;
}

/** What one evaluation settled on for the target, before any write. */
type Decision =
  /** A step failed (reported in conditions and events): write `status` and stop. */
  | { kind: 'blocked'; status: HPAStatus }
  /** Leave the target's replicas as they are. */
  | { kind: 'hold'; currentMetrics?: MetricStatus[] }
  /** Scale the target to `replicas`, for `reason` (the event's wording). */
  | { kind: 'rescale'; replicas: number; reason: string; currentMetrics?: MetricStatus[] };

/** A selector that selects something: Kubernetes refuses to autoscale on an empty one. */
function isUsableSelector(selector: LabelSelector | undefined): selector is LabelSelector {
  return (
    !!selector && (Object.keys(selector.matchLabels ?? {}).length > 0 || !!selector.matchExpressions?.length)
  );
}

/**
 * Kubernetes' horizontal pod autoscaler (autoscaling/v2, resource metrics): every sync
 * period (and whenever an HPA's spec changes) it reads the usage of each HPA's target
 * pods from the resource metrics API and scales the target through its scale
 * subresource.
 */
export class HorizontalPodAutoscalerController extends ReconcilingController {
  private readonly hpas: Informer<HPAObject>;
  private readonly pods: Informer<PodObject>;
  private readonly targets: ScaleTargets;
  private readonly metrics: ResourceMetricsClient;
  private readonly scale: ScaleClient;
  private readonly history: ScalingHistory;
  private readonly calculator: ReplicaCalculator;

  constructor(ctx: ControllerContext, options: HPAControllerOptions = {}) {
    super('horizontal-pod-autoscaler', ctx);
    this.hpas = ctx.informers.get<HPAObject>('HorizontalPodAutoscaler');
    this.pods = ctx.informers.get<PodObject>('Pod');
    this.targets = new ScaleTargets(ctx.informers);
    this.metrics = options.metrics ?? apiResourceMetrics(ctx.client);
    this.scale = options.scale ?? apiScaleClient(ctx.client);
    this.history = options.history ?? new ScalingHistory();
    const { tolerance, cpuInitializationPeriodMs, delayOfInitialReadinessStatusMs } = {
      ...DEFAULT_REPLICA_CALCULATOR_OPTIONS,
      ...options,
    };
    this.calculator = new ReplicaCalculator(ctx.clock, {
      tolerance,
      cpuInitializationPeriodMs,
      delayOfInitialReadinessStatusMs,
    });
  }

  /**
   * Evaluates the HPA `namespace/name` once, as Kubernetes' reconcileAutoscaler:
   *
   * 1. Reads the target's scale (`readScale`); without it: AbleToScale False FailedGetScale.
   * 2. Decides (`decide`): a target at 0 replicas is left alone (ScalingActive False
   *    ScalingDisabled); one outside [minReplicas, maxReplicas] is brought back inside;
   *    otherwise the metrics propose a count and the largest wins, stabilized and limited
   *    (`recommend`, hpa/scaling.ts); if all metrics fail, or some fail and the rest
   *    would scale down, nothing changes (ScalingActive False, with the reason).
   * 3. Writes the new count through the scale subresource (`rescale`), with a
   *    SuccessfulRescale event ("New size: 4; reason: cpu resource utilization
   *    (percentage of request) above target").
   * 4. Writes the status last (currentReplicas, desiredReplicas, currentMetrics,
   *    lastScaleTime when it scaled, conditions), and only when it changed.
   *
   * Contract: not reentrant (never called for one key twice at once, as the loop
   * guarantees: the HPA's history is read and written in between awaits). Idempotent
   * in its writes: it scales only to a count different from the current one and writes
   * only a changed status; each call adds one recommendation to the HPA's in-memory
   * history, which is what the stabilization window reads (as in Kubernetes, where
   * every sync does the same). The time is `ctx.clock`'s, read once per call. An HPA
   * gone drops its history. Failures to read the scale or the metrics, or to scale,
   * are reported in status and events, not thrown; a failed status write throws (the
   * key is retried with back-off). Returns a requeue after the sync period: HPAs are
   * evaluated periodically, since usage changes without any event.
   */
  async reconcile(key: string): Promise<ReconcileResult | void> {
    const hpa = this.hpas.get(key);
    if (!hpa) {
      this.history.forget(key);
      return;
    }
    const draft = new HPAStatusDraft(hpa, this.ctx.clock.now());
    const next = draft.changed(await this.evaluate(key, hpa, draft));
    if (next) await this.ctx.writer.updateStatus(hpa, next, hpa.metadata.resourceVersion);
    return { requeueAfterMs: this.ctx.options.hpaSyncPeriodMs };
  }

  protected register(): void {
    this.watch(this.hpas, {
      onAdd: (hpa) => this.loop.enqueue(keyOf(hpa)),
      // Its own status writes do not change the generation: only spec changes call for an early sync.
      onUpdate: (old, hpa) => {
        if (old.metadata.generation !== hpa.metadata.generation) this.loop.enqueue(keyOf(hpa));
      },
      onDelete: (hpa) => {
        this.history.forget(keyOf(hpa));
        this.loop.enqueue(keyOf(hpa));
      },
    });
  }

  /** Steps 1 to 3: reads the scale, decides, rescales; returns the status fields to write (conditions aside). */
  private async evaluate(key: string, hpa: HPAObject, draft: HPAStatusDraft): Promise<HPAStatus> {
    const target = this.readScale(hpa, draft);
    if (!target) return { ...hpa.status };
    const currentReplicas = target.spec?.replicas ?? 1;
    this.history.recordInitial(key, currentReplicas, draft.now);

    const decision = await this.decide(key, hpa, target, currentReplicas, draft);
    if (decision.kind === 'blocked') return decision.status;
    let desiredReplicas = currentReplicas;
    let lastScaleTime = hpa.status?.lastScaleTime;
    if (decision.kind === 'rescale') {
      if (!(await this.rescale(key, hpa, currentReplicas, decision, draft))) {
        return { ...hpa.status, currentReplicas, currentMetrics: decision.currentMetrics };
      }
      desiredReplicas = decision.replicas;
      lastScaleTime = timestamp(draft.now);
    }
    return {
      ...(hpa.status?.observedGeneration !== undefined
        ? { observedGeneration: hpa.status.observedGeneration }
        : {}),
      ...(lastScaleTime ? { lastScaleTime } : {}),
      currentReplicas,
      desiredReplicas,
      ...(decision.currentMetrics ? { currentMetrics: decision.currentMetrics } : {}),
    };
  }

  /** Step 1: the target (its spec holds the scale), or undefined with AbleToScale False FailedGetScale. */
  private readScale(hpa: HPAObject, draft: HPAStatusDraft): ScaleTarget | undefined {
    let target: ScaleTarget;
    try {
      target = this.targets.read(hpa);
    } catch (error) {
      this.ctx.events.record(hpa, 'Warning', 'FailedGetScale', messageOf(error));
      draft.condition(
        'AbleToScale',
        'False',
        'FailedGetScale',
        `the HPA controller was unable to get the target's current scale: ${messageOf(error)}`,
      );
      return undefined;
    }
    draft.condition(
      'AbleToScale',
      'True',
      'SucceededGetScale',
      "the HPA controller was able to get the target's current scale",
    );
    return target;
  }

  /** Step 2: the count the target should have, or that it is to be left alone, or why nothing can be decided. */
  private async decide(
    key: string,
    hpa: HPAObject,
    target: ScaleTarget,
    currentReplicas: number,
    draft: HPAStatusDraft,
  ): Promise<Decision> {
    const minReplicas = hpa.spec.minReplicas ?? 1;
    if (currentReplicas === 0 && minReplicas !== 0) {
      draft.condition(
        'ScalingActive',
        'False',
        'ScalingDisabled',
        'scaling is disabled since the replica count of the target is zero',
      );
      return { kind: 'hold' };
    }
    if (currentReplicas > hpa.spec.maxReplicas) {
      return {
        kind: 'rescale',
        replicas: hpa.spec.maxReplicas,
        reason: 'Current number of replicas above Spec.MaxReplicas',
      };
    }
    if (currentReplicas < minReplicas) {
      return {
        kind: 'rescale',
        replicas: minReplicas,
        reason: 'Current number of replicas below Spec.MinReplicas',
      };
    }
    return this.recommend(key, hpa, target, currentReplicas, draft);
  }

  /**
   * A target within range: what its metrics ask for, then stabilized and limited
   * (normalizeDesiredReplicas, which records the recommendation in the history).
   */
  private async recommend(
    key: string,
    hpa: HPAObject,
    target: ScaleTarget,
    currentReplicas: number,
    draft: HPAStatusDraft,
  ): Promise<Decision> {
    const selector = target.spec?.selector;
    if (!isUsableSelector(selector)) {
      this.ctx.events.record(hpa, 'Warning', 'SelectorRequired', 'selector is required');
      draft.condition(
        'ScalingActive',
        'False',
        'InvalidSelector',
        "the HPA target's scale is missing a selector",
      );
      return { kind: 'blocked', status: { ...hpa.status, currentReplicas } };
    }
    const proposal = await this.proposeFromMetrics(hpa, currentReplicas, selector);
    const currentMetrics = proposal.statuses;
    if (proposal.failure) {
      const { error, invalid } = proposal.failure;
      draft.condition(
        'ScalingActive',
        'False',
        error.reason,
        `the HPA was unable to compute the replica count: ${error.detail}`,
      );
      const count = hpa.spec.metrics?.length ?? 0;
      const message = `invalid metrics (${invalid} invalid out of ${count}), first error is: ${error.message}`;
      this.ctx.events.record(hpa, 'Warning', 'FailedComputeMetricsReplicas', message);
      return { kind: 'blocked', status: { ...hpa.status, currentReplicas, currentMetrics } };
    }
    draft.condition(
      'ScalingActive',
      'True',
      'ValidMetricFound',
      `the HPA was able to successfully calculate a replica count from ${proposal.metricName}`,
    );

    let reason = '';
    if (proposal.replicas > currentReplicas) reason = `${proposal.metricName} above target`;
    if (proposal.replicas < currentReplicas) reason = 'All metrics below target';
    const normalized = normalizeDesiredReplicas(this.history, {
      key,
      currentReplicas,
      desiredReplicas: proposal.replicas,
      minReplicas: hpa.spec.minReplicas ?? 1,
      maxReplicas: hpa.spec.maxReplicas,
      behavior: hpa.spec.behavior,
      downscaleStabilizationMs: this.ctx.options.hpaDownscaleStabilizationMs,
      now: draft.now,
    });
    for (const c of normalized.conditions) draft.condition(c.type, c.status, c.reason, c.message);
    return normalized.replicas === currentReplicas
      ? { kind: 'hold', currentMetrics }
      : { kind: 'rescale', replicas: normalized.replicas, reason, currentMetrics };
  }

  /**
   * Every metric's proposal over the pods the target's selector matches, their usage
   * fetched once; a metric that cannot be computed gets a warning event.
   */
  private async proposeFromMetrics(
    hpa: HPAObject,
    currentReplicas: number,
    selector: LabelSelector,
  ): Promise<MetricsProposal> {
    const namespace = hpa.metadata.namespace!;
    let fetched: Promise<PodUsageSample[]> | undefined;
    const proposal = await replicasForMetrics(hpa.spec.metrics ?? [], {
      namespace,
      currentReplicas,
      pods: this.pods.list(namespace).filter((pod) => selectorMatches(selector, pod.metadata.labels)),
      samples: () => (fetched ??= this.metrics(namespace, selectorText(selector))),
      calculator: this.calculator,
    });
    for (const error of proposal.errors) this.ctx.events.record(hpa, 'Warning', error.reason, error.detail);
    return proposal;
  }

  /**
   * Step 3: writes the decided count through the scale subresource. True when it did
   * (SuccessfulRescale, the change remembered for the rate policies); false, with
   * FailedRescale and AbleToScale False FailedUpdateScale, when it could not.
   */
  private async rescale(
    key: string,
    hpa: HPAObject,
    currentReplicas: number,
    { replicas, reason }: { replicas: number; reason: string },
    draft: HPAStatusDraft,
  ): Promise<boolean> {
    const ref = hpa.spec.scaleTargetRef;
    try {
      const path = this.targets.specReplicasPath(hpa);
      await this.scale(ref.kind, hpa.metadata.namespace!, ref.name, replicas, path);
    } catch (error) {
      this.ctx.events.record(
        hpa,
        'Warning',
        'FailedRescale',
        `New size: ${replicas}; reason: ${reason}; error: ${messageOf(error)}`,
      );
      draft.condition(
        'AbleToScale',
        'False',
        'FailedUpdateScale',
        `the HPA controller was unable to update the target scale: ${messageOf(error)}`,
      );
      return false;
    }
    draft.condition(
      'AbleToScale',
      'True',
      'SucceededRescale',
      `the HPA controller was able to update the target scale to ${replicas}`,
    );
    this.ctx.events.record(hpa, 'Normal', 'SuccessfulRescale', `New size: ${replicas}; reason: ${reason}`);
    this.history.recordScale(key, currentReplicas, replicas, draft.now, hpa.spec.behavior);
    return true;
  }
}

export const horizontalPodAutoscalerController: ControllerFactory = (ctx) =>
  new HorizontalPodAutoscalerController(ctx);
