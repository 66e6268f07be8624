import type Docker from 'dockerode';
import { LABEL } from './docker-labels.ts';

/**
 * Removes every container and pod network that nodes (selected by name) left on the
 * engine, whatever state they are in: a node taken out of service for good, and what
 * tests and benchmarks leave behind. Idempotent; errors about things already gone are
 * ignored.
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
  const networks = await docker.listNetworks({ filters: { label: [LABEL.node] } });
  await Promise.all(
    networks
      .filter((n) => isNode(n.Labels?.[LABEL.node] ?? ''))
      .map((n) =>
        docker
          .getNetwork(n.Id)
          .remove()
          .catch(() => {}),
      ),
  );
}
