import { ContainerStartError } from './runtime/runtime.ts';

/**
 * Why a container cannot be created from its pod's configuration: a ConfigMap, Secret or
 * key it needs is missing, a fieldRef cannot be resolved, a volume cannot be set up.
 * Nothing is wrong with the node, so this is an expected error, not a bug: the kubelet
 * reports it and tries again on the next pod sync (or when the object appears).
 *
 * - Environment and mounts (no `volume`): the container waits with `reason`
 *   CreateContainerConfigError and `message` (`configmap "x" not found`); Warning event
 *   `Failed`, `Error: <message>`.
 * - Volume set-up (`volume` set): the pod's containers keep waiting as ContainerCreating;
 *   only the Warning event `FailedMount` says why:
 *   `MountVolume.SetUp failed for volume "<volume>" : <message>`.
 */
export class ContainerConfigError extends Error {
  /** The container's waiting reason. */
  readonly reason: 'CreateContainerConfigError' | 'ContainerCreating';
  /** The pod volume that could not be set up, if that is the cause. */
  readonly volume?: string;

  constructor(message: string, volume?: string) {
    super(message);
    this.name = 'ContainerConfigError';
    this.volume = volume;
    this.reason = volume === undefined ? 'CreateContainerConfigError' : 'ContainerCreating';
  }

  /** The reason of the kubelet's Warning event. */
  get eventReason(): 'Failed' | 'FailedMount' {
    return this.volume === undefined ? 'Failed' : 'FailedMount';
  }

  /** The message of the kubelet's Warning event. */
  get eventMessage(): string {
    return this.volume === undefined
      ? `Error: ${this.message}`
      : `MountVolume.SetUp failed for volume "${this.volume}" : ${this.message}`;
  }

  /** As the runtime's start failure: the waiting reason and message, and the event to record. */
  toStartError(): ContainerStartError {
    return new ContainerStartError(this.reason, this.message, {
      reason: this.eventReason,
      message: this.eventMessage,
    });
  }
}
