import type { PodObject } from '../../objects.ts';
import type { JobSpec } from './job-status.ts';

type PodFailurePolicy = NonNullable<JobSpec['podFailurePolicy']>;
type OnExitCodes = NonNullable<PodFailurePolicy['rules'][number]['onExitCodes']>;
type ContainerStatus = NonNullable<NonNullable<PodObject['status']>['containerStatuses']>[number];

/** What a failed pod does to its Job under a podFailurePolicy (Kubernetes' matchPodFailurePolicy). */
export interface PodFailureVerdict {
  /** The action of the first rule that matched, if any matched. */
  action?: 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';
  /** Whether the failure counts toward backoffLimit (and backoffLimitPerIndex): all but Ignore. */
  counts: boolean;
  /** With FailJob: the message of the Job's FailureTarget and Failed conditions. */
  message?: string;
}

const COUNTED: PodFailureVerdict = { counts: true };

/**
 * Matches a failed pod against the policy's rules, in order; the first that matches
 * decides. `onExitCodes` looks at terminated containers (then init containers) with a
 * non-zero exit code, of `containerName` or any; `onPodConditions` at the pod's
 * conditions of a listed type and status. Without a policy, or when no rule matches,
 * the failure counts.
 */
export function matchPodFailurePolicy(
  policy: PodFailurePolicy | undefined,
  pod: PodObject,
): PodFailureVerdict {
  const rules = policy?.rules ?? [];
  for (const [index, rule] of rules.entries()) {
    let cause: string | undefined;
    if (rule.onExitCodes) {
      const container = matchingContainer(pod, rule.onExitCodes);
      if (container)
        cause = `Container ${container.name} for pod ${podKey(pod)} failed with exit code ${container.state!.terminated!.exitCode}`;
    } else if (rule.onPodConditions?.length) {
      const condition = pod.status?.conditions?.find((c) =>
        rule.onPodConditions!.some((p) => p.type === c.type && (p.status ?? 'True') === c.status),
      );
      if (condition) cause = `Pod ${podKey(pod)} has condition ${condition.type}`;
    }
    if (cause === undefined) continue;
    if (rule.action === 'FailJob')
      return { action: 'FailJob', counts: true, message: `${cause} matching FailJob rule at index ${index}` };
    return { action: rule.action, counts: rule.action !== 'Ignore' };
  }
  return COUNTED;
}

function matchingContainer(pod: PodObject, requirement: OnExitCodes): ContainerStatus | undefined {
  const matches = (s: ContainerStatus) => {
    const code = s.state?.terminated?.exitCode;
    if (code === undefined || code === 0) return false;
    if (requirement.containerName !== undefined && requirement.containerName !== s.name) return false;
    return requirement.values.includes(code) === (requirement.operator === 'In');
  };
  return pod.status?.containerStatuses?.find(matches) ?? pod.status?.initContainerStatuses?.find(matches);
}

function podKey(pod: PodObject): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}
