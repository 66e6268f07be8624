import type { PodTemplateSpec } from '../../schema/kinds/pod.ts';
import { canonicalJson } from './template-hash.ts';

/**
 * The label a Deployment adds to its ReplicaSets' selector, template and pods, so that
 * the pods of two revisions never match each other's ReplicaSet.
 */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** The template without the pod-template-hash label. */
function withoutHash(template: PodTemplateSpec | undefined): PodTemplateSpec | undefined {
  const labels = template?.metadata?.labels;
  if (!labels || !(POD_TEMPLATE_HASH_LABEL in labels)) return template;
  const { [POD_TEMPLATE_HASH_LABEL]: _hash, ...rest } = labels;
  return { ...template, metadata: { ...template.metadata, labels: rest } };
}

/**
 * deploymentutil.EqualIgnoreHash: whether two templates are semantically equal once
 * the pod-template-hash label is left out (how a Deployment finds its new ReplicaSet);
 * nil and empty compare alike, as Kubernetes' semantic equality has them.
 */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return canonicalJson(withoutHash(a)) === canonicalJson(withoutHash(b));
}
