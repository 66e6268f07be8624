import type { Informer, Resource } from '../../client/index.ts';
import type { PodDisruptionBudget, PodDisruptionBudgetSpec } from '../../schema/kinds/poddisruptionbudget.ts';
import { selectorMatches } from '../../schema/label-selector.ts';
import { setCondition } from '../conditions.ts';
import type { PodObject } from '../objects.ts';
import { isPodReady } from '../pod-state.ts';
import { timestamp } from '../timestamps.ts';
import { ReconcilingController, type ControllerContext, type ControllerFactory } from './controller.ts';
import { controllerRef } from './controller-ref.ts';
import { earliest } from './reconcile-loop.ts';
import { replicasOf, scaledValue } from './rollout-math.ts';
import { WrittenStatuses } from './written-status.ts';

type PDBObject = PodDisruptionBudget & Resource;
type PDBStatus = NonNullable<PodDisruptionBudget['status']>;

/**
 * How long an eviction's entry in `status.disruptedPods` keeps its pod out of the healthy
 * count when the pod is not deleted (Kubernetes' DeletionTimeout, 2 minutes).
 */
const DISRUPTION_TIMEOUT_MS = 2 * 60_000;

/** The kinds whose scale a budget given in percent or as maxUnavailable counts against. */
const SCALED_OWNERS = ['ReplicaSet', 'ReplicationController', 'StatefulSet', 'Deployment'] as const;

/**
 * Kubernetes' disruption controller: each PodDisruptionBudget's status says how many of
 * its pods are healthy (running, ready, not being deleted, not just evicted), how many
 * must stay so (`desiredHealthy`: minAvailable, or the expected count less maxUnavailable,
 * percentages of the pods' controllers' scale), and so how many may be evicted now
 * (`disruptionsAllowed`, which the eviction subresource spends). The eviction and this
 * controller both write the status with its resourceVersion as precondition, so neither
 * overwrites the other.
 */
export class DisruptionController extends ReconcilingController {
  private readonly budgets: Informer<PDBObject>;
  private readonly pods: Informer<PodObject>;
  private readonly owners: Map<string, Informer>;
  private readonly statuses = new WrittenStatuses<PDBStatus>();

  constructor(ctx: ControllerContext) {
    super('disruption', ctx);
    this.budgets = ctx.informers.get('PodDisruptionBudget') as Informer<PDBObject>;
    this.pods = ctx.informers.get('Pod') as Informer<PodObject>;
    this.owners = new Map(SCALED_OWNERS.map((kind) => [kind, ctx.informers.get(kind)]));
  }

  /**
   * Computes the budget `key` (namespace/name) from the pods and controllers in the
   * caches and writes its status when it changed. Idempotent; a budget gone needs
   * nothing. A failed or conflicting write throws and the key is retried (a conflict means
   * an eviction wrote first: the next run starts from its status). Asks to run again when
   * the oldest recorded eviction times out.
   */
  async reconcile(key: string) {
    const budget = this.budgets.get(key);
    if (!budget) return void this.statuses.forget(key);
    const current = this.statuses.current(budget) ?? {};
    const now = this.ctx.clock.now();
    const pods = this.selectedPods(budget);
    const { disruptedPods, nextExpiry } = liveDisruptions(current.disruptedPods, pods, now);
    const expected = this.expectedCount(budget, pods);
    const healthy = pods.filter((pod) => isHealthy(pod) && !(pod.metadata.name! in disruptedPods)).length;
    const desired = expected === undefined ? 0 : desiredHealthy(budget.spec ?? {}, expected);
    const allowed = expected === undefined ? 0 : Math.max(0, healthy - desired);
    const next: PDBStatus = {
      ...current,
      observedGeneration: budget.metadata.generation,
      disruptedPods,
      disruptionsAllowed: allowed,
      currentHealthy: healthy,
      desiredHealthy: desired,
      expectedPods: expected ?? pods.length,
      conditions: [
        ...setCondition(
          current.conditions,
          {
            type: 'DisruptionAllowed',
            status: allowed > 0 ? 'True' : 'False',
            reason: allowed > 0 ? 'SufficientPods' : 'InsufficientPods',
            message: '',
            lastTransitionTime: timestamp(now),
            observedGeneration: budget.metadata.generation,
          },
          'apps',
        ),
      ],
    };
    if (!Object.keys(disruptedPods).length) delete next.disruptedPods;
    await this.statuses.write(this.ctx.writer, budget, current, next);
    return nextExpiry === undefined ? undefined : { requeueAfterMs: nextExpiry - now };
  }

  private selectedPods(budget: PDBObject): PodObject[] {
    const selector = budget.spec?.selector;
    if (!selector) return [];
    return this.pods
      .list(budget.metadata.namespace)
      .filter((pod) => selectorMatches(selector, pod.metadata.labels ?? {}));
  }

  /**
   * The pods a budget expects: all the selected pods for an integer minAvailable; else the
   * sum of the scales of their controllers (a Deployment's for its ReplicaSets'), or
   * undefined — no disruption allowed — when a pod has none, as Kubernetes does.
   */
  private expectedCount(budget: PDBObject, pods: PodObject[]): number | undefined {
    const { minAvailable } = budget.spec ?? {};
    if (typeof minAvailable === 'number') return pods.length;
    const scales = new Map<string, number>();
    for (const pod of pods) {
      const scaled = this.scaledOwner(pod);
      if (!scaled) {
        this.ctx.events.record(
          budget,
          'Warning',
          'NoControllers',
          `found no controllers for pod "${pod.metadata.name}"`,
        );
        return undefined;
      }
      scales.set(scaled.metadata.uid!, replicasOf(scaled as { spec?: { replicas?: number } }));
    }
    return [...scales.values()].reduce((sum, n) => sum + n, 0);
  }

  private scaledOwner(pod: PodObject): Resource | undefined {
    const ref = controllerRef(pod);
    if (!ref || !(SCALED_OWNERS as readonly string[]).includes(ref.kind)) return undefined;
    const owner = this.owners.get(ref.kind)!.get(`${pod.metadata.namespace}/${ref.name}`);
    if (!owner || owner.metadata.uid !== ref.uid) return undefined;
    if (ref.kind !== 'ReplicaSet') return owner;
    const deployment = controllerRef(owner);
    if (deployment?.kind !== 'Deployment') return owner;
    const found = this.owners.get('Deployment')!.get(`${pod.metadata.namespace}/${deployment.name}`);
    return found?.metadata.uid === deployment.uid ? found : owner;
  }

  protected register(): void {
    const enqueue = (budget: Resource) =>
      this.loop.enqueue(`${budget.metadata.namespace}/${budget.metadata.name}`);
    this.watch(this.budgets, {
      onAdd: enqueue,
      onUpdate: (_old, budget) => enqueue(budget),
      onDelete: enqueue,
    });
    const enqueueCovering = (pod: Resource) => {
      for (const budget of this.budgets.list(pod.metadata.namespace)) {
        const selector = budget.spec?.selector;
        if (selector && selectorMatches(selector, pod.metadata.labels ?? {})) enqueue(budget);
      }
    };
    this.watch(this.pods, {
      onAdd: enqueueCovering,
      onUpdate: (old, pod) => {
        enqueueCovering(old);
        if (old.metadata.labels !== pod.metadata.labels) enqueueCovering(pod);
      },
      onDelete: enqueueCovering,
    });
    for (const informer of this.owners.values()) {
      // A scale change moves the expected count of every budget over the namespace's pods it controls.
      const enqueueNamespace = (owner: Resource) =>
        this.budgets.list(owner.metadata.namespace).forEach(enqueue);
      this.watch(informer, { onUpdate: (_old, owner) => enqueueNamespace(owner) });
    }
  }
}

/** Running, ready and not being deleted: what a budget counts as healthy. */
function isHealthy(pod: PodObject): boolean {
  return pod.status?.phase === 'Running' && !pod.metadata.deletionTimestamp && isPodReady(pod);
}

/**
 * The evictions still in flight: a recorded pod that is gone or being deleted is done; one
 * still there after DISRUPTION_TIMEOUT_MS was not deleted and counts again.
 */
function liveDisruptions(
  recorded: Record<string, string> | undefined,
  pods: PodObject[],
  now: number,
): { disruptedPods: Record<string, string>; nextExpiry?: number } {
  const byName = new Map(pods.map((pod) => [pod.metadata.name!, pod]));
  const disruptedPods: Record<string, string> = {};
  let nextExpiry: number | undefined;
  for (const [name, when] of Object.entries(recorded ?? {})) {
    const pod = byName.get(name);
    const expiry = Date.parse(when) + DISRUPTION_TIMEOUT_MS;
    if (!pod || pod.metadata.deletionTimestamp || !(expiry > now)) continue;
    disruptedPods[name] = when;
    nextExpiry = earliest(nextExpiry, expiry);
  }
  return { disruptedPods, nextExpiry };
}

function desiredHealthy(spec: PodDisruptionBudgetSpec, expected: number): number {
  if (spec.minAvailable !== undefined) return scaledValue(spec.minAvailable, expected, true);
  if (spec.maxUnavailable !== undefined)
    return Math.max(0, expected - scaledValue(spec.maxUnavailable, expected, true));
  // Neither given: Kubernetes' default is minAvailable 1.
  return Math.min(1, expected);
}

export const disruptionController: ControllerFactory = (ctx) => new DisruptionController(ctx);
