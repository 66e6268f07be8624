import { fieldError, type FieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import { kindByName } from '../../schema/kinds/index.ts';
import type { PodSpec } from '../../schema/kinds/pod.ts';
import { ApiError, invalid } from '../errors.ts';
import type { ResourceService } from './service.ts';
import { updateWithRetry } from './update-retry.ts';

/** The annotation `kubectl --record` writes and `rollout history` shows. */
export const CHANGE_CAUSE = 'kubernetes.io/change-cause';

/** Where each kind that runs containers keeps its pod spec. */
const POD_SPEC_PATHS: Record<string, readonly string[]> = {
  Pod: ['spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** The kinds `setImage` accepts. */
export const IMAGE_KINDS = Object.keys(POD_SPEC_PATHS);

export interface ImageUpdate {
  /** A container or init container name; `*` means every one. */
  container: string;
  image: string;
}

/**
 * `kubectl set image`: sets the image of containers and init containers by name in the
 * object's pod spec (its template's, for workloads), as one compare-and-swap write, and
 * records `changeCause` in the object's `kubernetes.io/change-cause` annotation (which
 * the Deployment controller copies to the ReplicaSet of the revision). A name that
 * matches no container fails with INVALID and the path of the containers searched.
 */
export async function setImage(
  resources: ResourceService,
  kind: string,
  namespace: string,
  name: string,
  images: ImageUpdate[],
  changeCause?: string,
): Promise<Resource> {
  const def = kindByName(kind);
  const path = POD_SPEC_PATHS[kind];
  if (!def || !path) {
    throw new ApiError(
      'BAD_REQUEST',
      `cannot set images of kind "${kind}": not one of ${IMAGE_KINDS.join(', ')}`,
    );
  }
  if (images.length === 0) throw new ApiError('BAD_REQUEST', 'at least one image update is required');
  const { object } = await updateWithRetry(resources, def, namespace, name, (obj) => {
    const podSpec = path.reduce<unknown>(
      (at, key) => (typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined),
      obj,
    ) as PodSpec | undefined;
    const errors: FieldError[] = [];
    for (const { container, image } of images) {
      const found =
        replaceImage(podSpec?.initContainers, container, image) +
        replaceImage(podSpec?.containers, container, image);
      if (found === 0) {
        errors.push(
          fieldError(
            `${path.join('.')}.containers`,
            'Invalid',
            `unable to find container named "${container}"`,
          ),
        );
      }
    }
    if (errors.length) throw invalid(def.kind, name, errors);
    if (changeCause !== undefined) {
      obj.metadata.annotations = { ...obj.metadata.annotations, [CHANGE_CAUSE]: changeCause };
    }
  });
  return object;
}

/** Sets the image of the containers named `name` (all for `*`); how many there were. */
function replaceImage(
  containers: Array<{ name: string; image?: string }> | undefined,
  name: string,
  image: string,
) {
  let found = 0;
  for (const container of containers ?? []) {
    if (container.name === name || name === '*') {
      container.image = image;
      found++;
    }
  }
  return found;
}
