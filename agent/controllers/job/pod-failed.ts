import type { PodObject } from '../../objects.ts';
import type { JobSpec } from './job-status.ts';

/**
 * Whether a Job's pod failed, as Kubernetes' isPodFailed reads it: it ended with phase
 * Failed, or it is `gone` before it succeeded (deleted, never to report an end). A pod
 * being deleted before it ended counts as failed at once, unless the Job replaces only
 * failed pods (podReplacementPolicy Failed, which a podFailurePolicy implies): the
 * policy then waits for the phase the pod ends with, and the conditions that explain it.
 */
export function isPodFailed(pod: PodObject, spec: JobSpec, gone: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Failed') return true;
  if (phase === 'Succeeded') return false;
  if (gone) return true;
  if (!pod.metadata.deletionTimestamp) return false;
  return !spec.podFailurePolicy && spec.podReplacementPolicy !== 'Failed';
}
