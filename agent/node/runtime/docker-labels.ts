/**
 * The labels the Docker runtime puts on every container it creates, the names
 * dockershim used: after an agent restart they are all it needs to find a pod's
 * sandbox and containers, their attempt numbers and which node they belong to (two
 * agents may share one engine).
 */
export const LABEL = {
  node: 'io.kubeql.node',
  type: 'io.kubeql.container-type',
  podUid: 'io.kubernetes.pod.uid',
  podNamespace: 'io.kubernetes.pod.namespace',
  podName: 'io.kubernetes.pod.name',
  container: 'io.kubernetes.container.name',
  attempt: 'io.kubernetes.container.restartCount',
} as const;

export type DockerContainerType = 'sandbox' | 'init' | 'container';

/** dockershim's names: `k8s_<container>_<pod>_<namespace>_<uid>_<attempt>`, the sandbox being `POD`. */
export function dockerContainerName(
  container: string,
  pod: { name: string; namespace: string; uid: string },
  attempt: number,
): string {
  return `k8s_${container}_${pod.name}_${pod.namespace}_${pod.uid}_${attempt}`;
}
