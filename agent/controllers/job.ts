import { isCode, keyOf, messageOf } from '../../client/index.ts';
import { enqueueSelf } from '../informers.ts';
import type { PodObject } from '../objects.ts';
import { isPodActive, isPodReady } from '../pod-state.ts';
import { timestamp } from '../timestamps.ts';
import { formatIndexes, parseIndexes } from './completed-indexes.ts';
import type { Controller, ControllerContext, ControllerFactory } from './controller.ts';
import { controllerRef, newControllerRef } from './controller-ref.ts';
import { finishedType, setCondition, trueCondition, type JobObject, type JobStatus } from './job-status.ts';
import { PendingWrites } from './pending-writes.ts';
import { ReconcileLoop, type ReconcileResult } from './reconcile-loop.ts';
import { slowStartBatch } from './slow-start.ts';
import { WrittenStatuses } from './written-status.ts';

/** Annotation and label of an Indexed Job's pods: the completion index the pod works on. */
export const JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';

export interface JobControllerOptions {
  /** Back-off before recreating pods after the first failure, doubling per failure since the last success (10 s). */
  backoffBaseMs?: number;
  /** The longest back-off (6 min). */
  backoffMaxMs?: number;
  /** The clock, ms since the epoch: a test's, to cross deadlines and back-offs without sleeping. */
  now?: () => number;
  workers?: number;
}

export interface JobController extends Controller {
  /** One pass over a Job (what the loop calls), exposed for unit tests. */
  reconcile(key: string): Promise<ReconcileResult | void>;
}

/** What the controller keeps about a Job between passes (as Kubernetes' job controller keeps its back-off records). */
interface JobMemory {
  uid: string;
  /** Whether `counted` was seeded from the cache (first pass over this Job in this process). */
  seeded: boolean;
  /** Pods whose end is already in status.succeeded / status.failed. */
  counted: Set<string>;
  /** Pods this controller deleted on purpose (suspension, excess, a finished job): their end is no failure. */
  removed: Set<string>;
  /** Pod failures since the last success, and when the last one was seen: the back-off. */
  failuresSinceSuccess: number;
  lastFailureAt: number;
}

/** How long to wait for the Pod informer's first list before looking at a Job. */
const SYNC_WAIT_MS = 100;

const phaseOf = (pod: PodObject) => pod.status?.phase;

/** When a pod ended, as Kubernetes reads it: its containers' finish, else its Ready=False transition, else deletion. */
function finishedAt(pod: PodObject, fallback: number): number {
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])];
  const finishes = statuses
    .map((s) => Date.parse(s.state?.terminated?.finishedAt ?? ''))
    .filter((t) => !Number.isNaN(t));
  if (finishes.length) return Math.max(...finishes);
  const notReady = pod.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'False');
  const time = Date.parse(notReady?.lastTransitionTime ?? pod.metadata.deletionTimestamp ?? '');
  return Number.isNaN(time) ? fallback : time;
}

function completionIndex(pod: PodObject, completions: number): number | undefined {
  const text =
    pod.metadata.annotations?.[JOB_COMPLETION_INDEX] ?? pod.metadata.labels?.[JOB_COMPLETION_INDEX];
  if (!text || !/^\d+$/.test(text)) return undefined;
  const index = Number(text);
  return index < completions ? index : undefined;
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const created = (pod: PodObject) => Date.parse(String(pod.metadata.creationTimestamp ?? '')) || 0;

/**
 * The order in which to delete active pods, the least useful first (Kubernetes'
 * ActivePods): unscheduled before scheduled, pending before running, not ready before
 * ready, more restarts first, newer before older.
 */
function deletionOrder(a: PodObject, b: PodObject): number {
  const restarts = (pod: PodObject) =>
    (pod.status?.containerStatuses ?? []).reduce((sum, s) => sum + (s.restartCount ?? 0), 0);
  return (
    Number(!!a.spec?.nodeName) - Number(!!b.spec?.nodeName) ||
    (PHASE_RANK[phaseOf(a) ?? 'Pending'] ?? 0) - (PHASE_RANK[phaseOf(b) ?? 'Pending'] ?? 0) ||
    Number(isPodReady(a)) - Number(isPodReady(b)) ||
    restarts(b) - restarts(a) ||
    created(b) - created(a)
  );
}

/**
 * The Job controller, as Kubernetes' (job-controller), with its tunables: a factory of
 * ControllerFactory. `jobController` is this with the defaults.
 */
export function jobControllerWith(
  options: JobControllerOptions = {},
): (ctx: ControllerContext) => JobController {
  const backoffBaseMs = options.backoffBaseMs ?? 10_000;
  const backoffMaxMs = options.backoffMaxMs ?? 6 * 60_000;
  const clock = options.now ?? Date.now;

  return (ctx) => {
    const jobs = ctx.informers.get<JobObject>('Job');
    const pods = ctx.informers.get<PodObject>('Pod');
    const pending = new PendingWrites(undefined, clock);
    const written = new WrittenStatuses<JobStatus>();
    const memory = new Map<string, JobMemory>();
    /** The last states of a Job's deleted pods, from the informer, until a pass has counted them. */
    const tombstones = new Map<string, Map<string, PodObject>>();

    const memoryOf = (key: string, uid: string): JobMemory => {
      let mem = memory.get(key);
      if (!mem || mem.uid !== uid) {
        mem = {
          uid,
          seeded: false,
          counted: new Set(),
          removed: new Set(),
          failuresSinceSuccess: 0,
          lastFailureAt: 0,
        };
        memory.set(key, mem);
      }
      return mem;
    };

    /** Creates one pod per entry (its completion index, or undefined), in slow-start batches. */
    const createPods = async (
      key: string,
      job: JobObject,
      indexes: Array<number | undefined>,
    ): Promise<{ created: number; error?: unknown }> => {
      const { errors, skipped } = await slowStartBatch(indexes, async (index) => {
        let pod: PodObject;
        try {
          pod = await ctx.writer.create(podFor(job, index));
        } catch (error) {
          ctx.events.record(job, 'Warning', 'FailedCreate', `Error creating: ${messageOf(error)}`);
          throw error;
        }
        pending.created(key, keyOf(pod));
        ctx.events.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
      });
      return { created: indexes.length - skipped - errors.length, error: errors[0] };
    };

    /** Deletes pods on purpose (their end is not a failure); a pod already gone is fine. */
    const deletePods = async (key: string, job: JobObject, mem: JobMemory, list: PodObject[]) => {
      let error: unknown;
      await Promise.all(
        list.map(async (pod) => {
          try {
            await ctx.writer.delete('Pod', pod.metadata.name!, pod.metadata.namespace);
          } catch (e) {
            if (!isCode(e, 'NOT_FOUND')) {
              error = e;
              ctx.events.record(job, 'Warning', 'FailedDelete', `Error deleting: ${messageOf(e)}`);
              return;
            }
          }
          mem.removed.add(pod.metadata.uid ?? '');
          pending.deleted(key, keyOf(pod));
          ctx.events.record(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        }),
      );
      if (error !== undefined) throw error;
    };

    const backoffRemaining = (mem: { failuresSinceSuccess: number; lastFailureAt: number }, now: number) => {
      if (mem.failuresSinceSuccess <= 0) return 0;
      const delay = Math.min(backoffBaseMs * 2 ** (mem.failuresSinceSuccess - 1), backoffMaxMs);
      return Math.max(0, mem.lastFailureAt + delay - now);
    };

    /** A finished Job: no pod may still run, and with ttlSecondsAfterFinished it goes that long after. */
    const finishedJob = async (
      key: string,
      job: JobObject,
      status: JobStatus,
      owned: PodObject[],
      now: number,
    ): Promise<ReconcileResult | void> => {
      const mem = memoryOf(key, job.metadata.uid ?? '');
      // Counting is over.
      tombstones.delete(key);
      mem.counted.clear();
      const leftovers = owned.filter((pod) => isPodActive(pod) && !pending.deleting(key, keyOf(pod)));
      await deletePods(key, job, mem, leftovers);
      const ttl = job.spec?.ttlSecondsAfterFinished;
      if (ttl === undefined) return;
      const condition = trueCondition(status, finishedType(status)!);
      const finished = Date.parse(status.completionTime ?? condition?.lastTransitionTime ?? '');
      if (Number.isNaN(finished)) return;
      const expiresAt = finished + ttl * 1000;
      if (now < expiresAt) return { requeueAfterMs: expiresAt - now };
      try {
        await ctx.writer.delete('Job', job.metadata.name!, job.metadata.namespace, {
          propagationPolicy: 'Background',
        });
        ctx.log(`job ${key}: deleted ${ttl}s after it finished (ttlSecondsAfterFinished)`);
      } catch (error) {
        if (!isCode(error, 'NOT_FOUND')) throw error;
      }
    };

    /**
     * Brings one Job (by key) to its desired state, as Kubernetes' syncJob:
     *
     * - Pods are the Job's when their controller reference has its uid; they are created
     *   from spec.template (generateName `<job>-`, the template's labels and annotations,
     *   a controller reference; Indexed: `<job>-<index>-`, the completion index as
     *   annotation and label, hostname `<job>-<index>`, env JOB_COMPLETION_INDEX).
     * - Up to `parallelism` pods are active (pending or running, not being deleted) while
     *   fewer than `completions` succeeded; without completions (a work queue), none are
     *   added once one succeeded, and the Job completes when none is active. Indexed: one
     *   pod per index not yet completed.
     * - status.succeeded / failed count pods by uid, once each, added to the stored
     *   counts (pods that disappear keep counting; the first pass of a process takes the
     *   larger of the stored and the cached count). A pod ended with phase Failed, or
     *   deleted by someone else before it succeeded, is a failure; pods this controller
     *   deletes itself are not (except when it fails the Job: those are added).
     * - After a failure, pods are recreated only once the back-off has passed:
     *   backoffBaseMs × 2^(failures since the last success − 1), at most backoffMaxMs
     *   (10 s, 6 min); the pass asks to be called again then (requeueAfterMs).
     * - failed > backoffLimit (or, with restartPolicy OnFailure, container restarts
     *   reaching it), or activeDeadlineSeconds since status.startTime: conditions
     *   FailureTarget and Failed (BackoffLimitExceeded / DeadlineExceeded), active pods
     *   deleted and counted as failed, a Warning event of that reason.
     * - Enough successes: conditions SuccessCriteriaMet and Complete, completionTime,
     *   event Completed; leftover active pods are deleted.
     * - suspend: active pods deleted, condition Suspended=True (event Suspended);
     *   resuming sets Suspended=False and restarts startTime (and so the deadline).
     * - A finished Job is deleted (Background) ttlSecondsAfterFinished after it finished.
     * - Nothing is created or deleted while earlier creations and deletions are not in
     *   the cache yet (PendingWrites): the pass is called again when they show.
     *
     * Idempotent; writes the status only when it changed, with the Job's resourceVersion
     * as precondition (a CONFLICT retries). Events: SuccessfulCreate, SuccessfulDelete,
     * FailedCreate, BackoffLimitExceeded, DeadlineExceeded, Completed, Suspended, Resumed.
     */
    async function reconcile(key: string): Promise<ReconcileResult | void> {
      const job = jobs.get(key);
      if (!job) {
        memory.delete(key);
        tombstones.delete(key);
        pending.forget(key);
        written.forget(key);
        return;
      }
      if (!pods.hasSynced()) return { requeueAfterMs: SYNC_WAIT_MS };
      if (job.metadata.deletionTimestamp || !job.spec) return;
      const now = clock();
      const uid = job.metadata.uid ?? '';
      const current: JobStatus = written.current(job) ?? {};
      const status: JobStatus = structuredClone(current);
      pending.settle(key, pods);
      const owned = pods.byOwner(uid).filter((pod) => controllerRef(pod)?.uid === uid);
      if (finishedType(status)) return finishedJob(key, job, status, owned, now);

      const spec = job.spec;
      const mem = memoryOf(key, uid);
      const indexed = spec.completionMode === 'Indexed' && spec.completions !== undefined;

      // What ended since the last pass, by uid: pods in the cache, and pods deleted since.
      const ownedUids = new Set(owned.map((pod) => pod.metadata.uid));
      const gone = [...(tombstones.get(key)?.values() ?? [])].filter(
        (pod) => controllerRef(pod)?.uid === uid && !ownedUids.has(pod.metadata.uid),
      );
      const newlySucceeded: PodObject[] = [];
      const newlyFailed: PodObject[] = [];
      for (const pod of [...owned, ...gone]) {
        const podUid = pod.metadata.uid ?? '';
        if (mem.counted.has(podUid)) continue;
        if (phaseOf(pod) === 'Succeeded') newlySucceeded.push(pod);
        else if (
          !mem.removed.has(podUid) &&
          (phaseOf(pod) === 'Failed' || pod.metadata.deletionTimestamp || !ownedUids.has(pod.metadata.uid))
        ) {
          newlyFailed.push(pod);
        }
      }
      let succeeded: number;
      let failed: number;
      const backoff = { failuresSinceSuccess: mem.failuresSinceSuccess, lastFailureAt: mem.lastFailureAt };
      if (!mem.seeded) {
        succeeded = Math.max(current.succeeded ?? 0, newlySucceeded.length);
        failed = Math.max(current.failed ?? 0, newlyFailed.length);
        const lastSuccess = Math.max(0, ...newlySucceeded.map((pod) => finishedAt(pod, 0)));
        const failures = newlyFailed.map((pod) => finishedAt(pod, now)).filter((t) => t > lastSuccess);
        backoff.failuresSinceSuccess = failures.length;
        backoff.lastFailureAt = Math.max(0, ...failures);
      } else {
        succeeded = (current.succeeded ?? 0) + newlySucceeded.length;
        failed = (current.failed ?? 0) + newlyFailed.length;
        if (newlySucceeded.length) backoff.failuresSinceSuccess = 0;
        if (newlyFailed.length) {
          backoff.failuresSinceSuccess += newlyFailed.length;
          backoff.lastFailureAt = now;
        }
      }
      let completed: Set<number> | undefined;
      if (indexed) {
        completed = parseIndexes(current.completedIndexes, spec.completions!);
        for (const pod of [...owned, ...gone]) {
          const index = phaseOf(pod) === 'Succeeded' ? completionIndex(pod, spec.completions!) : undefined;
          if (index !== undefined) completed.add(index);
        }
        succeeded = completed.size;
      }
      /** After the status is written: what this pass counted is counted. */
      const commit = (alsoCounted: PodObject[] = []) => {
        for (const pod of [...newlySucceeded, ...newlyFailed, ...alsoCounted]) {
          mem.counted.add(pod.metadata.uid ?? '');
        }
        mem.failuresSinceSuccess = backoff.failuresSinceSuccess;
        mem.lastFailureAt = backoff.lastFailureAt;
        mem.seeded = true;
        // A deleted pod never comes back: what is known of it can go.
        for (const pod of gone) {
          const podUid = pod.metadata.uid ?? '';
          tombstones.get(key)?.delete(podUid);
          mem.counted.delete(podUid);
          mem.removed.delete(podUid);
        }
        if (tombstones.get(key)?.size === 0) tombstones.delete(key);
      };

      const active = owned.filter((pod) => isPodActive(pod) && !pending.deleting(key, keyOf(pod)));
      const creating = pending.creating(key).length;
      status.succeeded = succeeded;
      status.failed = failed;
      if (completed) status.completedIndexes = formatIndexes(completed);

      // Suspension and resumption.
      const suspended = spec.suspend === true;
      let resumed = false;
      if (!suspended) {
        if (trueCondition(status, 'Suspended')) {
          setCondition(status, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
          status.startTime = timestamp(now);
          resumed = true;
        } else {
          status.startTime ??= timestamp(now);
        }
      }

      // Failure: too many failed pods, or past the deadline.
      const backoffLimit = spec.backoffLimit ?? 6;
      let failure: [reason: string, message: string] | undefined;
      if (failed > backoffLimit || pastBackoffLimitOnFailure(spec, active, backoffLimit)) {
        failure = ['BackoffLimitExceeded', 'Job has reached the specified backoff limit'];
      } else if (
        !suspended &&
        spec.activeDeadlineSeconds !== undefined &&
        status.startTime &&
        now - Date.parse(status.startTime) >= spec.activeDeadlineSeconds * 1000
      ) {
        failure = ['DeadlineExceeded', 'Job was active longer than specified deadline'];
      }
      if (failure) {
        const [reason, message] = failure;
        status.failed = failed + active.length;
        status.active = 0;
        status.ready = 0;
        setCondition(status, 'FailureTarget', 'True', reason, message, now);
        setCondition(status, 'Failed', 'True', reason, message, now);
        await written.write(ctx.writer, job, current, status);
        commit(active);
        ctx.events.record(job, 'Warning', reason, message);
        await deletePods(key, job, mem, active);
        return spec.ttlSecondsAfterFinished !== undefined ? { requeueAfterMs: 0 } : undefined;
      }

      // Completion.
      const complete =
        spec.completions !== undefined
          ? succeeded >= spec.completions
          : succeeded > 0 && active.length === 0 && creating === 0;
      if (complete) {
        status.active = 0;
        status.ready = 0;
        status.completionTime = timestamp(now);
        const message = 'Reached expected number of succeeded pods';
        setCondition(status, 'SuccessCriteriaMet', 'True', 'CompletionsReached', message, now);
        setCondition(status, 'Complete', 'True', 'CompletionsReached', message, now);
        await written.write(ctx.writer, job, current, status);
        commit();
        ctx.events.record(job, 'Normal', 'Completed', 'Job completed');
        await deletePods(key, job, mem, active);
        return spec.ttlSecondsAfterFinished !== undefined ? { requeueAfterMs: 0 } : undefined;
      }

      if (suspended) {
        await deletePods(key, job, mem, active);
        status.active = creating;
        status.ready = 0;
        const changed = setCondition(status, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now);
        await written.write(ctx.writer, job, current, status);
        commit();
        if (changed) ctx.events.record(job, 'Normal', 'Suspended', 'Job suspended');
        const wait = pending.expiresInMs(key);
        return wait !== undefined ? { requeueAfterMs: wait } : undefined;
      }

      // Bring the active pods to what is wanted.
      let requeueAfterMs: number | undefined;
      const toDelete: PodObject[] = [];
      const toCreate: Array<number | undefined> = [];
      const parallelism = spec.parallelism ?? 1;
      if (!pending.satisfied(key)) {
        requeueAfterMs = pending.expiresInMs(key);
      } else if (indexed) {
        const completions = spec.completions!;
        const byIndex = new Map<number, PodObject[]>();
        for (const pod of active) {
          const index = completionIndex(pod, completions);
          if (index === undefined || completed!.has(index)) toDelete.push(pod);
          else byIndex.set(index, [...(byIndex.get(index) ?? []), pod]);
        }
        // One pod per index: the most useful stays.
        for (const group of byIndex.values()) {
          toDelete.push(...group.sort(deletionOrder).slice(0, group.length - 1));
        }
        const want = Math.max(0, Math.min(parallelism, completions - completed!.size));
        const keep = [...byIndex.values()].map((group) => group[group.length - 1]).sort(deletionOrder);
        if (keep.length > want) toDelete.push(...keep.slice(0, keep.length - want));
        else if (keep.length < want) {
          const wait = backoffRemaining(backoff, now);
          if (wait > 0) requeueAfterMs = wait;
          else {
            for (let index = 0; index < completions && toCreate.length < want - keep.length; index++) {
              if (!completed!.has(index) && !byIndex.has(index)) toCreate.push(index);
            }
          }
        }
      } else {
        let want: number;
        if (spec.completions !== undefined) {
          want = Math.max(0, Math.min(parallelism, spec.completions - succeeded));
        } else {
          // A work queue: once one pod succeeded the others finish on their own.
          want = succeeded > 0 ? active.length : parallelism;
        }
        if (active.length > want) {
          toDelete.push(...[...active].sort(deletionOrder).slice(0, active.length - want));
        } else if (active.length < want) {
          const wait = backoffRemaining(backoff, now);
          if (wait > 0) requeueAfterMs = wait;
          else toCreate.push(...Array.from({ length: want - active.length }, () => undefined));
        }
      }

      let error: unknown;
      try {
        await deletePods(key, job, mem, toDelete);
      } catch (e) {
        error = e;
      }
      const result = await createPods(key, job, toCreate);
      error ??= result.error;

      const remaining = active.filter((pod) => !toDelete.includes(pod));
      status.active = remaining.length + creating + result.created;
      status.ready = remaining.filter(isPodReady).length;
      if (spec.activeDeadlineSeconds !== undefined && status.startTime) {
        const deadline = Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000 - now;
        requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, Math.max(0, deadline));
      }
      await written.write(ctx.writer, job, current, status);
      commit();
      if (resumed) ctx.events.record(job, 'Normal', 'Resumed', 'Job resumed');
      if (error !== undefined) throw error;
      return requeueAfterMs !== undefined ? { requeueAfterMs } : undefined;
    }

    const loop = new ReconcileLoop('job', reconcile, {
      workers: options.workers,
      onError: (key, error) => ctx.log(`job ${key}: ${messageOf(error)}`),
    });

    /** A pod event: settle the write it shows, keep a deleted pod's last state, look at its Job again. */
    const onPod = (pod: PodObject, event: 'present' | 'released' | 'deleted') => {
      const ref = controllerRef(pod);
      if (ref?.kind !== 'Job' || !pod.metadata.namespace) return;
      const owner = `${pod.metadata.namespace}/${ref.name}`;
      pending.observe(owner, keyOf(pod), event === 'present' ? pod : undefined);
      if (event === 'deleted' && pod.metadata.uid) {
        let deleted = tombstones.get(owner);
        if (!deleted) tombstones.set(owner, (deleted = new Map()));
        deleted.set(pod.metadata.uid, pod);
      }
      loop.enqueue(owner);
    };

    let unsubscribe: Array<() => void> = [];
    return {
      name: 'job',
      reconcile,
      start() {
        unsubscribe = [
          jobs.addEventHandler(enqueueSelf((job) => loop.enqueue(keyOf(job)))),
          pods.addEventHandler({
            onAdd: (pod) => onPod(pod, 'present'),
            onUpdate: (old, pod) => {
              if (controllerRef(old)?.uid !== controllerRef(pod)?.uid) onPod(old, 'released');
              onPod(pod, 'present');
            },
            onDelete: (pod) => onPod(pod, 'deleted'),
          }),
        ];
        loop.start();
      },
      async stop() {
        for (const off of unsubscribe.splice(0)) off();
        await loop.stop();
      },
    };
  };
}

/** The Job controller with Kubernetes' defaults (back-off 10 s doubling to 6 min, the real clock). */
export const jobController: ControllerFactory = jobControllerWith();

/** With restartPolicy OnFailure failures are container restarts: their sum reaching backoffLimit fails the Job. */
function pastBackoffLimitOnFailure(spec: NonNullable<JobObject['spec']>, active: PodObject[], limit: number) {
  if (spec.template.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const pod of active) {
    for (const s of [
      ...(pod.status?.initContainerStatuses ?? []),
      ...(pod.status?.containerStatuses ?? []),
    ]) {
      restarts += s.restartCount ?? 0;
    }
  }
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** The pod a Job runs, for a completion index when Indexed. */
function podFor(job: JobObject, index: number | undefined): PodObject {
  const name = job.metadata.name!;
  const template = job.spec!.template;
  const labels = { ...template.metadata?.labels };
  const annotations = { ...template.metadata?.annotations };
  const spec = structuredClone(template.spec ?? { containers: [] });
  let generateName = `${name}-`;
  if (index !== undefined) {
    labels[JOB_COMPLETION_INDEX] = annotations[JOB_COMPLETION_INDEX] = String(index);
    generateName = `${name}-${index}-`;
    spec.hostname ??= `${name}-${index}`;
    const env = {
      name: 'JOB_COMPLETION_INDEX',
      valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JOB_COMPLETION_INDEX}']` } },
    };
    for (const container of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      if (!container.env?.some((e) => e.name === env.name)) container.env = [...(container.env ?? []), env];
    }
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName,
      namespace: job.metadata.namespace,
      labels,
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ownerReferences: [newControllerRef(job)],
    },
    spec,
  } as PodObject;
}
