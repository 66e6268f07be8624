import { isCode, messageOf, type DeleteOptions, type Resource } from '../../client/index.ts';
import type { PodSpec, PodTemplateSpec } from '../../schema/kinds/pod.ts';
import type { PodObject } from '../objects.ts';
import type { ControllerContext } from './controller.ts';
import { newControllerRef } from './controller-ref.ts';
import type { Expectations } from './expectations.ts';
import { slowStartBatch } from './slow-start.ts';

/**
 * How a workload controller makes its pods, as Kubernetes' controller utilities:
 * from its template (GetPodFromTemplate), written through PodControl with the owner's
 * expectations kept in step.
 */

/**
 * controller.GetPodFromTemplate: a pod of `template` in `owner`'s namespace,
 * controlled by `owner`, with the template's labels (plus `labels`), annotations,
 * finalizers and spec, copied; named `name`, or by the server after `<owner>-`.
 */
export function podFromTemplate(
  owner: Resource,
  template: PodTemplateSpec | undefined,
  options: { name?: string; labels?: Record<string, string> } = {},
): PodObject & { spec: PodSpec } {
  const { labels, annotations, finalizers } = template?.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...(options.name ? { name: options.name } : { generateName: `${owner.metadata.name}-` }),
      namespace: owner.metadata.namespace,
      labels: { ...labels, ...options.labels },
      ...(annotations ? { annotations: { ...annotations } } : {}),
      ...(finalizers?.length ? { finalizers: [...finalizers] } : {}),
      ownerReferences: [newControllerRef(owner)],
    },
    spec: structuredClone(template?.spec) ?? { containers: [] },
  };
}

/** The messages of the events recorded on the owner for its pod writes. */
export interface PodWriteMessages {
  created(pod: PodObject): string;
  createFailed(pod: PodObject, error: unknown): string;
  deleted(pod: PodObject): string;
  deleteFailed(pod: PodObject, error: unknown): string;
}

/** Kubernetes' RealPodControl wording (the ReplicaSet's and DaemonSet's events). */
const POD_CONTROL_MESSAGES: PodWriteMessages = {
  created: (pod) => `Created pod: ${pod.metadata.name}`,
  createFailed: (_pod, error) => `Error creating: ${messageOf(error)}`,
  deleted: (pod) => `Deleted pod: ${pod.metadata.name}`,
  deleteFailed: (_pod, error) => `Error deleting: ${messageOf(error)}`,
};

export interface PodWrites {
  create: PodObject[];
  delete: Array<{ pod: PodObject; options?: DeleteOptions }>;
}

/**
 * Makes a workload controller's pod writes for `owner` (queue key `key`), as the
 * ReplicaSet, StatefulSet and DaemonSet controllers of Kubernetes make them through
 * PodControl: the owner's expectations are raised by all of them first; creations go
 * in slow-start batches (a failing batch stops the rest), deletions at once; a write
 * that fails, or a creation never tried, lowers the expectations again since the
 * informer will never see it. A pod already gone counts as deleted; a namespace being
 * deleted refuses every creation, which needs neither an event nor a retry. Records
 * SuccessfulCreate / FailedCreate / SuccessfulDelete / FailedDelete on the owner, and
 * throws the first failure once every write was tried.
 */
export async function writePods(
  ctx: ControllerContext,
  owner: Resource,
  key: string,
  expectations: Expectations,
  writes: PodWrites,
  messages: PodWriteMessages = POD_CONTROL_MESSAGES,
): Promise<void> {
  if (writes.create.length === 0 && writes.delete.length === 0) return;
  expectations.expect(key, writes.create.length, writes.delete.length);
  const created = await slowStartBatch(writes.create, async (pod) => {
    let out: PodObject;
    try {
      out = await ctx.writer.create(pod);
    } catch (error) {
      if (isCode(error, 'FORBIDDEN') && /being terminated/.test(messageOf(error))) return;
      expectations.observedAdd(key);
      ctx.events.record(owner, 'Warning', 'FailedCreate', messages.createFailed(pod, error));
      throw error;
    }
    ctx.events.record(owner, 'Normal', 'SuccessfulCreate', messages.created(out));
  });
  for (let i = 0; i < created.skipped; i++) expectations.observedAdd(key);
  const deleted = await Promise.allSettled(
    writes.delete.map(async ({ pod, options }) => {
      try {
        await ctx.writer.delete('Pod', pod.metadata.name!, pod.metadata.namespace, options);
      } catch (error) {
        expectations.observedDelete(key);
        if (isCode(error, 'NOT_FOUND')) return;
        ctx.events.record(owner, 'Warning', 'FailedDelete', messages.deleteFailed(pod, error));
        throw error;
      }
      ctx.events.record(owner, 'Normal', 'SuccessfulDelete', messages.deleted(pod));
    }),
  );
  const failure = [
    ...created.errors,
    ...deleted.flatMap((result) => (result.status === 'rejected' ? [result.reason] : [])),
  ][0];
  if (failure !== undefined) throw failure;
}
