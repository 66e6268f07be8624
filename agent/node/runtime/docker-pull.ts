import type Docker from 'dockerode';
import { engineMessage } from './runtime-error.ts';
import { ContainerStartError } from './runtime.ts';

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

async function isPresent(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch {
    return false;
  }
}

async function pull(docker: Docker, image: string): Promise<void> {
  const stream = await docker.pull(image);
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, events: Array<{ error?: string }>) => {
      const failed = events?.find((event) => event.error);
      if (error || failed) reject(error ?? new Error(failed!.error));
      else resolve();
    });
  });
}

/**
 * Makes the image available as its pull policy says, the kubelet's errors otherwise:
 * ErrImageNeverPull when it is absent under Never, ErrImagePull when pulling fails
 * (the agent turns repeated failures into ImagePullBackOff).
 *
 * One deliberate difference: under Always, a failed pull of an image the node already
 * has runs that image (logged) instead of failing. Clusters built from local images
 * with no registry (ours, kind's) would otherwise fail every `:latest` image.
 */
export async function ensureImage(
  docker: Docker,
  image: string,
  policy: PullPolicy,
  log?: (line: string) => void,
): Promise<void> {
  if (!image) throw new ContainerStartError('InvalidImageName', 'the container has no image');
  const present = await isPresent(docker, image);
  if (policy === 'Never') {
    if (present) return;
    throw new ContainerStartError(
      'ErrImageNeverPull',
      `Container image "${image}" is not present with pull policy of Never`,
    );
  }
  if (present && policy === 'IfNotPresent') return;
  try {
    await pull(docker, image);
  } catch (error) {
    if (present) {
      log?.(`image ${image}: pull failed, using the image present on the node: ${engineMessage(error)}`);
      return;
    }
    throw new ContainerStartError('ErrImagePull', `failed to pull image "${image}": ${engineMessage(error)}`);
  }
}
