import type { Resource } from '../../schema/kind.ts';
import { kindByName } from '../../schema/kinds/index.ts';
import type { Container, PodSpec, PodStatus } from '../../schema/kinds/pod.ts';
import { ApiError, notFound } from '../errors.ts';
import type { ResourceService } from '../resources/service.ts';
import { noAgent } from './node-tunnels.ts';

type ContainerStatus = NonNullable<PodStatus['containerStatuses']>[number];
type PodObject = Pick<Resource, 'metadata'> & { spec?: PodSpec; status?: PodStatus };

/** The container a logs or exec request is about, and the node whose agent serves it. */
export interface PodTarget {
  namespace: string;
  podName: string;
  podUid: string;
  nodeName: string;
  container: string;
  init: boolean;
  phase?: string;
  status?: ContainerStatus;
}

const badRequest = (message: string) => new ApiError('BAD_REQUEST', message);

/**
 * Finds the pod and the container a request names, checked the way the API server
 * checks `pods/log` and `pods/exec` (same messages): the container may be left out
 * when the pod has only one, must otherwise be one of its containers or init
 * containers, and the pod must be bound to a node whose agent is connected.
 */
export function podTarget(
  resources: ResourceService,
  namespace: string,
  name: string,
  container: string | null | undefined,
): PodTarget {
  const pod = resources.get(kindByName('Pod')!, namespace, name) as PodObject | undefined;
  if (!pod) throw notFound('pods', name);
  const containers: Container[] = pod.spec?.containers ?? [];
  const initContainers: Container[] = pod.spec?.initContainers ?? [];
  if (!container && containers.length !== 1) {
    const names = [...initContainers, ...containers].map((c) => c.name).join(' ');
    throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${names}]`);
  }
  const chosen = container || containers[0].name;
  const init = !containers.some((c) => c.name === chosen);
  if (init && !initContainers.some((c) => c.name === chosen)) {
    throw badRequest(`container ${chosen} is not valid for pod ${name}`);
  }
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  // Before any check of the container's state: a node out of reach may have changed it.
  if (!resources.tunnels.connected(nodeName)) throw noAgent(nodeName);
  const statuses: ContainerStatus[] =
    (init ? pod.status?.initContainerStatuses : pod.status?.containerStatuses) ?? [];
  return {
    namespace,
    podName: name,
    podUid: pod.metadata.uid!,
    nodeName,
    container: chosen,
    init,
    phase: pod.status?.phase,
    status: statuses.find((s) => s.name === chosen),
  };
}

/**
 * Whether the container has output to show, from its reported status, with the
 * kubelet's messages: the instance before this one with `previous`, else the running
 * or last terminated one; a container that never started has none yet.
 */
export function checkLogsAvailable(target: PodTarget, previous: boolean): void {
  const { container, podName, status } = target;
  if (previous) {
    if (!status?.lastState?.terminated) {
      throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
    }
    return;
  }
  if (status?.state?.running || status?.state?.terminated || status?.lastState?.terminated) return;
  const reason = status?.state?.waiting?.reason ?? 'ContainerCreating';
  const why =
    reason === 'ErrImagePull'
      ? "image can't be pulled"
      : reason === 'ImagePullBackOff'
        ? 'trying and failing to pull image'
        : reason;
  throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ${why}`);
}

/** Whether a command can be run in the container: the pod has not finished and the container runs. */
export function checkExecAllowed(target: PodTarget): void {
  if (target.phase === 'Succeeded' || target.phase === 'Failed') {
    throw badRequest(`cannot exec into a container in a completed pod; current phase is ${target.phase}`);
  }
  if (!target.status?.state?.running) {
    throw badRequest(`container "${target.container}" in pod "${target.podName}" is not running`);
  }
}
