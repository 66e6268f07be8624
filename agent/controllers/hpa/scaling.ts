import type { HPAScalingRules, HorizontalPodAutoscalerSpec } from '../../../schema/kinds/hpa.ts';

/**
 * How far and how fast an autoscaler may move from its current replica count, as
 * Kubernetes' HPA normalizes a recommendation (horizontal.go): stabilization over the
 * recent recommendations, then either the legacy limits (no `behavior`: at most
 * max(2×current, 4) up at once) or the scaling policies of `behavior`, then minReplicas
 * and maxReplicas. The history of recommendations and scale events is the controller's
 * memory, kept per HPA as Kubernetes keeps it (in memory: a restart forgets it).
 */

export interface LimitCondition {
  type: 'AbleToScale' | 'ScalingLimited';
  status: 'True' | 'False';
  reason: string;
  message: string;
}

interface Recommendation {
  replicas: number;
  at: number;
}

interface ScaleEvent {
  change: number;
  at: number;
}

type Behavior = NonNullable<HorizontalPodAutoscalerSpec['behavior']>;

/** The recommendations and scale events of every HPA (by key). */
export class ScalingHistory {
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly scaleUps = new Map<string, ScaleEvent[]>();
  private readonly scaleDowns = new Map<string, ScaleEvent[]>();

  /** recordInitialRecommendation: a new HPA starts from the current count, so it does not scale down at once. */
  recordInitial(key: string, replicas: number, now: number): void {
    if (!this.recommendations.has(key)) this.recommendations.set(key, [{ replicas, at: now }]);
  }

  /**
   * Adds a recommendation, reusing the slot of one older than `obsoleteBefore` (so the
   * list stays as long as the window holds), and returns the list as it was before.
   */
  recommend(key: string, replicas: number, now: number, obsoleteBefore: number): Recommendation[] {
    const list = this.recommendations.get(key) ?? [];
    const before = [...list];
    const old = list.findIndex((r) => r.at < obsoleteBefore);
    if (old >= 0) list[old] = { replicas, at: now };
    else list.push({ replicas, at: now });
    this.recommendations.set(key, list);
    return before;
  }

  /** storeScaleEvent: remembers a change, dropping those older than the longest policy period. */
  recordScale(key: string, from: number, to: number, now: number, behavior: Behavior | undefined): void {
    if (!behavior) return;
    const up = to > from;
    const events = up ? this.scaleUps : this.scaleDowns;
    const rules = up ? behavior.scaleUp : behavior.scaleDown;
    const longest = Math.max(0, ...(rules?.policies ?? []).map((p) => p.periodSeconds)) * 1000;
    const kept = (events.get(key) ?? []).filter((e) => e.at > now - longest);
    kept.push({ change: Math.abs(to - from), at: now });
    events.set(key, kept);
  }

  /** Replicas added (up) or removed (down) within the last `periodMs`. */
  changedWithin(key: string, up: boolean, periodMs: number, now: number): number {
    const events = (up ? this.scaleUps : this.scaleDowns).get(key) ?? [];
    return events.filter((e) => e.at > now - periodMs).reduce((sum, e) => sum + e.change, 0);
  }

  forget(key: string): void {
    this.recommendations.delete(key);
    this.scaleUps.delete(key);
    this.scaleDowns.delete(key);
  }
}

export interface NormalizeArgs {
  key: string;
  currentReplicas: number;
  desiredReplicas: number;
  minReplicas: number;
  maxReplicas: number;
  behavior: Behavior | undefined;
  /** The controller's scale-down stabilization window (5 min): the legacy one, and behavior's default. */
  downscaleStabilizationMs: number;
  now: number;
}

export interface Normalized {
  replicas: number;
  conditions: LimitCondition[];
}

// AbleToScale=True after stabilization, as the HPA controller words it.
const READY_FOR_NEW_SCALE: LimitCondition = {
  type: 'AbleToScale',
  status: 'True',
  reason: 'ReadyForNewScale',
  message: 'recommended size matches current size',
};
const SCALE_UP_STABILIZED: LimitCondition = {
  type: 'AbleToScale',
  status: 'True',
  reason: 'ScaleUpStabilized',
  message: 'recent recommendations were lower than current one, applying the lowest recent recommendation',
};
const SCALE_DOWN_STABILIZED: LimitCondition = {
  type: 'AbleToScale',
  status: 'True',
  reason: 'ScaleDownStabilized',
  message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
};

const DESIRED_WITHIN_RANGE = {
  reason: 'DesiredWithinRange',
  message: 'the desired count is within the acceptable range',
};

/** The legacy path (no behavior): the highest recommendation within the window, then the rate and range limits. */
function normalizeLegacy(history: ScalingHistory, args: NormalizeArgs): Normalized {
  const cutoff = args.now - args.downscaleStabilizationMs;
  const previous = history.recommend(args.key, args.desiredReplicas, args.now, cutoff);
  let stabilized = args.desiredReplicas;
  for (const r of previous) if (r.at >= cutoff) stabilized = Math.max(stabilized, r.replicas);
  const conditions = [stabilized !== args.desiredReplicas ? SCALE_DOWN_STABILIZED : READY_FOR_NEW_SCALE];
  // convertDesiredReplicasWithRules
  const scaleUpLimit = Math.max(2 * args.currentReplicas, 4);
  let maximum = args.maxReplicas;
  let limit = {
    reason: 'TooManyReplicas',
    message: 'the desired replica count is more than the maximum replica count',
  };
  if (args.maxReplicas > scaleUpLimit) {
    maximum = scaleUpLimit;
    limit = {
      reason: 'ScaleUpLimit',
      message: 'the desired replica count is increasing faster than the maximum scale rate',
    };
  }
  let replicas = stabilized;
  let within = DESIRED_WITHIN_RANGE;
  if (stabilized < args.minReplicas) {
    replicas = args.minReplicas;
    within = {
      reason: 'TooFewReplicas',
      message: 'the desired replica count is less than the minimum replica count',
    };
  } else if (stabilized > maximum) {
    replicas = maximum;
    within = limit;
  }
  conditions.push({ type: 'ScalingLimited', status: replicas === stabilized ? 'False' : 'True', ...within });
  return { replicas, conditions };
}

/** calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors. */
function rateLimit(
  history: ScalingHistory,
  args: NormalizeArgs,
  rules: HPAScalingRules,
  up: boolean,
): number {
  const policy = rules.selectPolicy ?? 'Max';
  if (policy === 'Disabled') return args.currentReplicas;
  // Scaling up, Max picks the largest proposal; scaling down, the largest change is the smallest count.
  const pickLargest = up === (policy === 'Max');
  let result = pickLargest ? -Infinity : Infinity;
  for (const p of rules.policies ?? []) {
    const periodMs = p.periodSeconds * 1000;
    const start =
      args.currentReplicas -
      history.changedWithin(args.key, true, periodMs, args.now) +
      history.changedWithin(args.key, false, periodMs, args.now);
    const proposed = up
      ? p.type === 'Pods'
        ? start + p.value
        : Math.ceil(start * (1 + p.value / 100))
      : p.type === 'Pods'
        ? start - p.value
        : Math.trunc(start * (1 - p.value / 100));
    result = pickLargest ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/** The behavior path: stabilization in the direction of the change, then the policies' rate and the range. */
function normalizeWithBehavior(history: ScalingHistory, args: NormalizeArgs, behavior: Behavior): Normalized {
  const upWindow = (behavior.scaleUp?.stabilizationWindowSeconds ?? 0) * 1000;
  const downWindow =
    behavior.scaleDown?.stabilizationWindowSeconds !== undefined
      ? behavior.scaleDown.stabilizationWindowSeconds * 1000
      : args.downscaleStabilizationMs;
  const up = args.desiredReplicas >= args.currentReplicas;
  const window = up ? upWindow : downWindow;
  const cutoff = args.now - window;
  const previous = history.recommend(
    args.key,
    args.desiredReplicas,
    args.now,
    args.now - Math.max(upWindow, downWindow),
  );
  let stabilized = args.desiredReplicas;
  for (const r of previous) {
    if (r.at > cutoff) stabilized = up ? Math.min(stabilized, r.replicas) : Math.max(stabilized, r.replicas);
  }
  const conditions = [
    stabilized === args.desiredReplicas
      ? READY_FOR_NEW_SCALE
      : up
        ? SCALE_UP_STABILIZED
        : SCALE_DOWN_STABILIZED,
  ];
  // convertDesiredReplicasWithBehaviorRate
  let replicas = stabilized;
  let within = DESIRED_WITHIN_RANGE;
  if (stabilized > args.currentReplicas) {
    const limit = Math.max(rateLimit(history, args, behavior.scaleUp ?? {}, true), args.currentReplicas);
    const [maximum, reason, message] =
      args.maxReplicas > limit
        ? [
            limit,
            'ScaleUpLimit',
            'the desired replica count is increasing faster than the maximum scale rate',
          ]
        : [
            args.maxReplicas,
            'TooManyReplicas',
            'the desired replica count is more than the maximum replica count',
          ];
    if (stabilized > maximum) {
      replicas = maximum;
      within = { reason, message };
    }
  } else if (stabilized < args.currentReplicas) {
    const limit = Math.min(rateLimit(history, args, behavior.scaleDown ?? {}, false), args.currentReplicas);
    const [minimum, reason, message] =
      args.minReplicas < limit
        ? [
            limit,
            'ScaleDownLimit',
            'the desired replica count is decreasing faster than the maximum scale rate',
          ]
        : [
            args.minReplicas,
            'TooFewReplicas',
            'the desired replica count is less than the minimum replica count',
          ];
    if (stabilized < minimum) {
      replicas = minimum;
      within = { reason, message };
    }
  }
  conditions.push({ type: 'ScalingLimited', status: replicas === stabilized ? 'False' : 'True', ...within });
  return { replicas, conditions };
}

/** normalizeDesiredReplicas / normalizeDesiredReplicasWithBehaviors: the count to scale to, and the conditions that say why. */
export function normalizeDesiredReplicas(history: ScalingHistory, args: NormalizeArgs): Normalized {
  return args.behavior ? normalizeWithBehavior(history, args, args.behavior) : normalizeLegacy(history, args);
}
