import type { KubeqlClient } from '../../client/index.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Container } from '../../schema/kinds/pod.ts';
import type { PodObject } from '../objects.ts';
import { ClaimSources } from './claim-sources.ts';
import { ConfigSources } from './config-sources.ts';
import { ContainerConfigError } from './container-config-error.ts';
import { containerEnv } from './container-env.ts';
import { podDnsConfig } from './dns/pod-dns.ts';
import { expandArgs } from './env-expansion.ts';
import type { PodEnvironment } from './pod-environment.ts';
import type { ContainerConfig, SandboxConfig } from './runtime/runtime.ts';
import { ServiceAccountTokenManager } from './service-account-token.ts';
import { serviceEnvironment } from './service-env.ts';
import { VolumeManager } from './volumes.ts';

export interface ApiPodEnvironmentOptions {
  /** The agent's state directory (pod volumes under `<root>/pods`). */
  root: string;
  /** The cluster DNS server pods use (the node bridge's address). */
  nameserver: string;
  clusterDomain: string;
  /** The node's allocatable, for resourceFieldRef of containers without limits. */
  allocatable?: Record<string, string>;
  /** Where volume writes read the time (the system clock by default). */
  clock?: Clock;
  log: (line: string) => void;
}

function startError(error: unknown): never {
  throw error instanceof ContainerConfigError ? error.toStartError() : error;
}

/**
 * The pod environment of a node agent that runs real containers, from the API: the
 * ConfigMaps, Secrets and Services of every namespace cached by informers, volumes
 * on the host's disk, the kubelet's environment (service links, envFrom, env with
 * `$(VAR)` expansion) and the pod's resolv.conf (cluster DNS first).
 */
export class ApiPodEnvironment implements PodEnvironment {
  private readonly sources: ConfigSources;
  private readonly claims: ClaimSources;
  private readonly volumes: VolumeManager;
  private readonly tokens: ServiceAccountTokenManager;

  constructor(
    client: KubeqlClient,
    private readonly options: ApiPodEnvironmentOptions,
  ) {
    this.sources = new ConfigSources(client, {
      onError: (error) => options.log(`config sources: ${String(error)}`),
    });
    this.claims = new ClaimSources(client, {
      onError: (error) => options.log(`claim sources: ${String(error)}`),
    });
    this.tokens = new ServiceAccountTokenManager(client, { clock: options.clock, log: options.log });
    this.volumes = new VolumeManager({
      tokens: this.tokens,
      root: options.root,
      sources: this.sources,
      claims: this.claims,
      log: options.log,
      clock: options.clock,
    });
  }

  async start(): Promise<void> {
    this.sources.start();
    this.claims.start();
    this.claims.onVolumeDeleted((pv) => void this.volumes.releaseVolume(pv));
    await Promise.all([this.sources.waitForSync(), this.claims.waitForSync()]);
  }

  async stop(): Promise<void> {
    this.tokens.stop();
    await Promise.all([this.sources.stop(), this.claims.stop()]);
  }

  sandboxConfig(pod: PodObject): Pick<SandboxConfig, 'dns' | 'hostPorts'> {
    const hostPorts = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].flatMap((c) =>
      (c.ports ?? [])
        .filter((p) => p.hostPort)
        .map((p) => ({
          containerPort: p.containerPort,
          hostPort: p.hostPort!,
          protocol: p.protocol ?? 'TCP',
          hostIP: p.hostIP,
        })),
    );
    const dns = podDnsConfig(pod, this.options.nameserver, this.options.clusterDomain);
    return {
      dns: { servers: dns.Dns, searches: dns.DnsSearch, options: dns.DnsOptions },
      ...(hostPorts.length > 0 ? { hostPorts } : {}),
    };
  }

  async prepare(pod: PodObject): Promise<void> {
    // Also rewrites ConfigMap and Secret volumes whose objects changed.
    await this.volumes.setUp(pod).catch(startError);
  }

  async containerConfig(
    pod: PodObject,
    container: Container,
    podIP: string | undefined,
  ): Promise<ContainerConfig> {
    try {
      const namespace = pod.metadata.namespace ?? 'default';
      const env = containerEnv(pod, container, this.sources, {
        podIP,
        hostIP: pod.status?.hostIP,
        nodeName: pod.spec?.nodeName,
        allocatable: this.options.allocatable,
        serviceEnv: serviceEnvironment(
          namespace === 'default'
            ? this.sources.services('default')
            : [...this.sources.services(namespace), ...this.sources.services('default')],
          namespace,
          pod.spec?.enableServiceLinks ?? true,
        ),
      });
      return {
        env,
        command: expandArgs(container.command, env),
        args: expandArgs(container.args, env),
        mounts: await this.volumes.mountsFor(pod, container, env),
      };
    } catch (error) {
      return startError(error);
    }
  }

  async cleanup(uid: string): Promise<void> {
    this.tokens.forget(uid);
    await this.volumes.tearDown(uid);
  }

  async sweep(bound: Set<string>): Promise<void> {
    for (const uid of await this.volumes.podUids()) if (!bound.has(uid)) await this.cleanup(uid);
  }

  onChange(listener: (namespace: string) => void): () => void {
    const configs = this.sources.onChange((_kind, namespace) => listener(namespace));
    const tokens = this.tokens.onDue(listener);
    return () => {
      configs();
      tokens();
    };
  }
}
