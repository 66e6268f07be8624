import crypto from 'node:crypto';
import type Docker from 'dockerode';
import { LABEL } from './docker-labels.ts';

/** The pod network of one node: a bridge of its own whose subnet is the node's podCIDR. */
export interface PodNetwork {
  /** The engine's network name, `kubeql-<node>`. */
  name: string;
  /** The podCIDR, a /24 of 10.244.0.0/16. */
  subnet: string;
  /** The bridge's address on the host: the pods' default route, DNS server and proxy portal. */
  gateway: string;
  /** The host interface, `kq-<8 hex>` (at most 15 characters, as Linux wants). */
  bridge: string;
}

const CLUSTER_POD_RANGE = { first: 10, second: 244 };

function subnetOf(index: number): { subnet: string; gateway: string } {
  const third = index % 256;
  return {
    subnet: `${CLUSTER_POD_RANGE.first}.${CLUSTER_POD_RANGE.second}.${third}.0/24`,
    gateway: `${CLUSTER_POD_RANGE.first}.${CLUSTER_POD_RANGE.second}.${third}.1`,
  };
}

function hashOf(name: string): string {
  return crypto.createHash('sha256').update(name).digest('hex').slice(0, 8);
}

/**
 * Finds the node's network, or creates it on a /24 no other engine network uses
 * (starting from a slot derived from the node name, so a node keeps its range). Two
 * nodes on one engine get separate bridges; kube-proxy's rules and the DNS server bind
 * per bridge, so they never collide.
 */
export async function ensurePodNetwork(docker: Docker, nodeName: string): Promise<PodNetwork> {
  const name = `kubeql-${nodeName}`;
  const bridge = `kq-${hashOf(nodeName)}`;
  const existing = await docker
    .getNetwork(name)
    .inspect()
    .catch(() => undefined);
  if (existing) {
    const config = existing.IPAM?.Config?.[0];
    if (config?.Subnet && config.Gateway) {
      return { name, subnet: config.Subnet, gateway: config.Gateway, bridge };
    }
    await docker.getNetwork(name).remove();
  }
  const networks = await docker.listNetworks();
  const used = new Set(networks.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet)));
  const start = parseInt(hashOf(nodeName), 16) % 250;
  for (let i = 0; i < 256; i++) {
    const { subnet, gateway } = subnetOf(start + i);
    if (used.has(subnet)) continue;
    try {
      await docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        IPAM: { Driver: 'default', Config: [{ Subnet: subnet, Gateway: gateway }] },
        Options: { 'com.docker.network.bridge.name': bridge },
        Labels: { [LABEL.node]: nodeName },
      });
      return { name, subnet, gateway, bridge };
    } catch (error) {
      // Another node took the range (or the name) at the same moment: look again.
      const again = await docker
        .getNetwork(name)
        .inspect()
        .catch(() => undefined);
      if (again) return ensurePodNetwork(docker, nodeName);
      if (!/overlap|in use/i.test(String(error))) throw error;
    }
  }
  throw new Error(`no free /24 left in 10.244.0.0/16 for node ${nodeName}'s pod network`);
}

/** The containers attached to the node's network (running ones: the engine detaches stopped ones). */
async function attached(docker: Docker, name: string): Promise<number | undefined> {
  try {
    const inspected = await docker.getNetwork(name).inspect();
    return Object.keys(inspected.Containers ?? {}).length;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

/**
 * Removes the node's network once no container uses it; pods left running for the next
 * agent keep it. Says what it did: `removed`, `absent`, or how many containers kept it.
 */
export async function removePodNetwork(
  docker: Docker,
  nodeName: string,
): Promise<'removed' | 'absent' | { keptFor: number }> {
  const name = `kubeql-${nodeName}`;
  const count = await attached(docker, name);
  if (count === undefined) return 'absent';
  if (count > 0) return { keptFor: count };
  try {
    await docker.getNetwork(name).remove();
    return 'removed';
  } catch (error) {
    // A container joined since the look (the engine refuses with "active endpoints"), or it is gone.
    const now = await attached(docker, name);
    if (now === undefined) return 'absent';
    if (now > 0) return { keptFor: now };
    throw error;
  }
}

/**
 * Whether any network on the engine lies in the cluster's pod range (a node's, or one a
 * test made as a node would): while one does, the machine's pod-to-pod rules stay.
 */
export async function podRangeInUse(docker: Docker): Promise<boolean> {
  const prefix = `${CLUSTER_POD_RANGE.first}.${CLUSTER_POD_RANGE.second}.`;
  const networks = await docker.listNetworks();
  return networks.some((n) => (n.IPAM?.Config ?? []).some((c) => c.Subnet?.startsWith(prefix)));
}
