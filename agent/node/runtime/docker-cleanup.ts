import type Docker from 'dockerode';
import { messageOf } from '../../../client/index.ts';
import { removeNodePolicies } from '../network-policy/policy-table.ts';
import { releasePodToPod, removeNodePortals } from '../proxy/iptables.ts';
import { LABEL } from './docker-labels.ts';
import { podRangeInUse, removePodNetwork } from './docker-network.ts';

/**
 * What a clean stop of a Docker node undoes after its agent, proxy and DNS server have
 * stopped: its pod network, unless containers still use it (a clean stop leaves the
 * pods running, as the kubelet does, for the next agent of that name to adopt), then the
 * machine's pod-to-pod rules once no pod network is left on it. Never throws: a stop
 * must finish even when the engine or iptables no longer answer.
 */
export async function releaseNodeNetwork(
  docker: Docker,
  nodeName: string,
  log: (line: string) => void,
): Promise<void> {
  try {
    const outcome = await removePodNetwork(docker, nodeName);
    if (typeof outcome === 'object') {
      log(
        `node ${nodeName}: keeping network kubeql-${nodeName}: ${outcome.keptFor} running container(s) ` +
          'use it (left to the next agent of this node)',
      );
    }
  } catch (error) {
    log(`node ${nodeName}: could not remove network kubeql-${nodeName}: ${messageOf(error)}`);
  }
  try {
    await releasePodToPod(() => podRangeInUse(docker));
  } catch (error) {
    log(`node ${nodeName}: could not remove the pod-to-pod iptables rules: ${messageOf(error)}`);
  }
}

/**
 * Removes every container, pod network, service proxy chain and NetworkPolicy chain
 * that nodes (selected by name) left on the machine, whatever state they are in, then
 * the pod-to-pod rules if no pod network is left: a node taken out of service for good, and what tests and
 * benchmarks leave behind. Idempotent; errors about things already gone are ignored.
 */
export async function removeNodeResources(docker: Docker, isNode: (name: string) => boolean): Promise<void> {
  const containers = await docker.listContainers({ all: true, filters: { label: [LABEL.node] } });
  await Promise.all(
    containers
      .filter((c) => isNode(c.Labels[LABEL.node] ?? ''))
      .map((c) =>
        docker
          .getContainer(c.Id)
          .remove({ force: true, v: true })
          .catch(() => {}),
      ),
  );
  const networks = (await docker.listNetworks({ filters: { label: [LABEL.node] } })).filter((n) =>
    isNode(n.Labels?.[LABEL.node] ?? ''),
  );
  await Promise.all(
    networks.map((n) =>
      docker
        .getNetwork(n.Id)
        .remove()
        .catch(() => {}),
    ),
  );
  // iptables errors are ignored too: without iptables (or root) no agent could have added rules.
  const names = new Set(
    [
      ...containers.map((c) => c.Labels[LABEL.node] ?? ''),
      ...networks.map((n) => n.Labels?.[LABEL.node] ?? ''),
    ].filter(isNode),
  );
  for (const name of names) {
    await removeNodePortals(name).catch(() => {});
    await removeNodePolicies(name).catch(() => {});
  }
  await releasePodToPod(() => podRangeInUse(docker)).catch(() => {});
}
