import type { PodObject } from '../../objects.ts';
import type { PolicyPod, Protocol } from './policy-evaluator.ts';

/** A pod as policies see it; undefined while it has no address of its own on the pod network. */
export function policyPodOf(pod: PodObject): PolicyPod | undefined {
  const ip = pod.status?.podIP;
  const phase = pod.status?.phase;
  if (!ip || pod.spec?.hostNetwork || phase === 'Succeeded' || phase === 'Failed') return undefined;
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return {
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name ?? '',
    labels: pod.metadata.labels,
    ip,
    ports: containers.flatMap((c) =>
      (c.ports ?? []).map((p) => ({
        name: p.name ?? undefined,
        port: p.containerPort,
        protocol: (p.protocol ?? 'TCP') as Protocol,
      })),
    ),
  };
}

/**
 * The node's DNS server, standing in for the cluster's DNS pods: policies written for
 * Kubernetes allow DNS by selecting `k8s-app: kube-dns` in kube-system (or by port 53,
 * or by an ipBlock), and they work here unchanged.
 */
export function clusterDnsPod(address: string): PolicyPod {
  return {
    namespace: 'kube-system',
    name: 'cluster-dns',
    labels: { 'k8s-app': 'kube-dns' },
    ip: address,
    ports: [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
    ],
  };
}
