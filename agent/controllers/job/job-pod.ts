import type { PodObject } from '../../objects.ts';
import { newControllerRef } from '../controller-ref.ts';
import { JOB_COMPLETION_INDEX } from './completion-index.ts';
import type { JobObject } from './job-status.ts';

/**
 * The pod a Job runs, from spec.template: generateName `<job>-`, the template's labels
 * and annotations, a controller reference to the Job. For a completion index (Indexed
 * Jobs): generateName `<job>-<index>-`, the index as annotation and label, hostname
 * `<job>-<index>` unless the template sets one, and the env JOB_COMPLETION_INDEX (from
 * the annotation) in every container that has none. `extraAnnotations` are added (an
 * index's failure counts).
 */
export function podFor(
  job: JobObject,
  index: number | undefined,
  extraAnnotations: Record<string, string> = {},
): PodObject {
  const name = job.metadata.name!;
  const template = job.spec!.template;
  const labels = { ...template.metadata?.labels };
  const annotations = { ...template.metadata?.annotations, ...extraAnnotations };
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
