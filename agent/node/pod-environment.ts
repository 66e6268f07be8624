import type { Container } from '../../schema/kinds/pod.ts';
import type { PodObject } from '../objects.ts';
import type { ContainerConfig, SandboxConfig } from './runtime/runtime.ts';

/**
 * What a node agent that runs real processes resolves from the API before it starts a
 * pod: the sandbox's DNS and host ports, the pod's volumes on the host, and each
 * container's environment, expanded command and mounts. The simulated runtime needs
 * none of it, so hollow nodes run without one.
 */
export interface PodEnvironment {
  /** Resolves when what it reads from the API is in its caches. */
  start(): Promise<void>;
  stop(): Promise<void>;
  sandboxConfig(pod: PodObject): Pick<SandboxConfig, 'dns' | 'hostPorts'>;
  /**
   * Sets up (or refreshes: ConfigMap and Secret contents that changed) the pod's
   * volumes. Idempotent. Throws ContainerStartError when a volume cannot be set up yet.
   */
  prepare(pod: PodObject): Promise<void>;
  /** Throws ContainerStartError (CreateContainerConfigError) when a referenced object or key is missing. */
  containerConfig(pod: PodObject, container: Container, podIP: string | undefined): Promise<ContainerConfig>;
  /** Removes what `prepare` made for a pod that is gone. */
  cleanup(uid: string): Promise<void>;
  /** Removes what `prepare` left for pods not in `bound` (deleted while the agent was away). */
  sweep(bound: Set<string>): Promise<void>;
  /** Calls `listener(namespace)` when something pods of that namespace may read changed. */
  onChange(listener: (namespace: string) => void): () => void;
}
