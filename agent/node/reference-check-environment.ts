import type { Container } from '../../schema/kinds/pod.ts';
import type { PodObject } from '../objects.ts';
import type { ConfigSources } from './config-sources.ts';
import { ContainerConfigError } from './container-config-error.ts';
import { containerEnv } from './container-env.ts';
import { expandArgs } from './env-expansion.ts';
import type { PodEnvironment } from './pod-environment.ts';
import type { ContainerConfig } from './runtime/runtime.ts';
import { volumeError } from './volumes.ts';
import { apiVolumePayload } from './volume-payloads.ts';

/**
 * The environment of a node whose runtime runs no real processes (a hollow node): it
 * writes no files and builds no sandbox, but checks what a real node checks before it
 * starts a pod's containers — the ConfigMaps, Secrets and keys the pod's volumes and
 * each container's environment name — with the same functions and the kubelet's words.
 * So a pod whose ConfigMap is missing waits with CreateContainerConfigError (or
 * FailedMount for a volume) on a hollow node as on a Docker one, and starts once the
 * object appears. Claims are the scheduler's to check: a pod whose claim is missing or
 * unbound is not bound to any node.
 *
 * `sources` may be shared by every hollow node of a process; its lifecycle is the
 * caller's when it is built over shared informers.
 */
export class ReferenceCheckEnvironment implements PodEnvironment {
  constructor(private readonly sources: ConfigSources) {}

  async start(): Promise<void> {
    this.sources.start();
    await this.sources.waitForSync();
  }

  async stop(): Promise<void> {
    await this.sources.stop();
  }

  sandboxConfig(): Record<string, never> {
    return {};
  }

  async prepare(pod: PodObject): Promise<void> {
    await this.sources.ready(pod);
    for (const volume of pod.spec?.volumes ?? []) {
      try {
        apiVolumePayload(volume, pod, this.sources, undefined);
      } catch (error) {
        throw volumeError(volume.name, error).toStartError();
      }
    }
  }

  async containerConfig(
    pod: PodObject,
    container: Container,
    podIP: string | undefined,
  ): Promise<ContainerConfig> {
    try {
      const env = containerEnv(pod, container, this.sources, {
        podIP,
        hostIP: pod.status?.hostIP,
        nodeName: pod.spec?.nodeName,
      });
      return {
        env,
        command: expandArgs(container.command, env),
        args: expandArgs(container.args, env),
        mounts: [],
      };
    } catch (error) {
      throw error instanceof ContainerConfigError ? error.toStartError() : error;
    }
  }

  async cleanup(): Promise<void> {}

  async sweep(): Promise<void> {}

  onChange(listener: (namespace: string) => void): () => void {
    return this.sources.onChange((_kind, namespace) => listener(namespace));
  }
}
