import type { Resource } from '../../../schema/kind.ts';
import type { PodTemplateSpec } from '../../../schema/kinds/pod.ts';
import type { PodView } from './check.ts';

/**
 * The pod a workload stands for: Kubernetes evaluates the pod template of every kind that
 * embeds one, to warn when it is written, since the pods made from it will be refused.
 */

const TEMPLATE_PATHS: Record<string, readonly string[]> = {
  Deployment: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

export function hasPodTemplate(kind: string): boolean {
  return kind in TEMPLATE_PATHS;
}

/** The workload's pod template as a pod to check, or undefined when it has none (yet). */
export function templatePod(obj: Resource): PodView | undefined {
  let node: unknown = obj;
  for (const key of TEMPLATE_PATHS[obj.kind] ?? [])
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  const template = node as PodTemplateSpec | undefined;
  if (!template?.spec) return undefined;
  return { metadata: template.metadata ?? {}, spec: template.spec };
}
