import type { PodObject } from '../../objects.ts';

/** Annotation and label of an Indexed Job's pods: the completion index the pod works on. */
export const JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';

/** The completion index a pod works on (annotation, else label), if it has a valid one below `completions`. */
export function completionIndex(pod: PodObject, completions: number): number | undefined {
  const text =
    pod.metadata.annotations?.[JOB_COMPLETION_INDEX] ?? pod.metadata.labels?.[JOB_COMPLETION_INDEX];
  if (!text || !/^\d+$/.test(text)) return undefined;
  const index = Number(text);
  return index < completions ? index : undefined;
}
