import type { Container, LifecycleHandler, PodSpec, Probe } from '../../schema/kinds/pod.ts';

export type ResourceList = Record<string, string | number> | undefined;
/** The handler fields that probes and lifecycle hooks share. */
export type Handler = Pick<Probe, 'exec' | 'httpGet' | 'tcpSocket' | 'grpc'> &
  Pick<LifecycleHandler, 'sleep'>;

export { VOLUME_SOURCES } from '../../schema/kinds/volume.ts';

export function allContainers(spec: PodSpec): Container[] {
  return [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
}
