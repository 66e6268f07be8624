import type { Container, LifecycleHandler, PodSpec, Probe } from '../../schema/kinds/pod.ts';

export type ResourceList = Record<string, string | number> | undefined;
/** The handler fields that probes and lifecycle hooks share. */
export type Handler = Pick<Probe, 'exec' | 'httpGet' | 'tcpSocket' | 'grpc'> &
  Pick<LifecycleHandler, 'sleep'>;

export const VOLUME_SOURCES = [
  'emptyDir',
  'configMap',
  'secret',
  'hostPath',
  'persistentVolumeClaim',
  'downwardAPI',
  'projected',
] as const;

export function allContainers(spec: PodSpec): Container[] {
  return [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
}
