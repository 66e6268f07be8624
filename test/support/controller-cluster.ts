import { afterAll, beforeAll } from 'vitest';
import {
  createClient,
  resourceWriter,
  type KubeqlClient,
  type Resource,
  type ResourceWriter,
} from '../../client/index.ts';
import type { ControllerFactory, ControllerOptions } from '../../agent/controllers/controller.ts';
import { startControllers, type ControllerManager } from '../../agent/controllers/manager.ts';
import { fakeKubelet } from './fake-kubelet.ts';
import { startCluster, type TestCluster } from './harness.ts';
import { eventually as eventuallyWithin, waitFor, type WaitOptions } from './wait.ts';

export interface ControllerCluster {
  readonly cluster: TestCluster;
  readonly client: KubeqlClient;
  readonly writer: ResourceWriter;
  readonly manager: ControllerManager;
}

/**
 * For a describe block of controller tests against a server: before its tests, starts
 * an API server, a client and `controllers` (quiet, and synced); after them, stops all
 * three. With `kubelet`, a fake kubelet (see fakeKubelet) plays the kubelet in that
 * namespace from when the controllers have synced. The returned fields are there once the
 * tests run. Hooks a block registers after this call run after the start and before the
 * stop (vitest runs afterAll hooks as a stack).
 */
export function controllerCluster(
  controllers: ControllerFactory[],
  options: Partial<ControllerOptions> & { kubelet?: { namespace: string; delayMs?: number } } = {},
): ControllerCluster {
  const { kubelet: kubeletOptions, ...controllerOptions } = options;
  let started: ControllerCluster | undefined;
  let kubelet: { stop(): Promise<void> } | undefined;
  const get = () => {
    if (!started) throw new Error('the controller cluster is not started (used outside a test?)');
    return started;
  };
  beforeAll(async () => {
    const cluster = await startCluster();
    const client = createClient({ url: cluster.url, token: cluster.token });
    const manager = startControllers(client, controllers, { log: () => {}, ...controllerOptions });
    started = { cluster, client, writer: resourceWriter(client), manager };
    await manager.synced;
    if (kubeletOptions) kubelet = fakeKubelet(client, kubeletOptions.namespace, kubeletOptions);
  });
  afterAll(async () => {
    await kubelet?.stop();
    await started?.manager.stop();
    await started?.client.close();
    await started?.cluster.stop();
  });
  return {
    get cluster() {
      return get().cluster;
    },
    get client() {
      return get().client;
    },
    get writer() {
      return get().writer;
    },
    get manager() {
      return get().manager;
    },
  };
}

/** Reads until `ok` holds of what was read, and returns that (controllers get 10 s). */
export const eventually = <T>(
  read: () => Promise<T> | T,
  ok: (value: T) => boolean,
  ms = 10_000,
  what?: string,
) => eventuallyWithin(read, ok, { ms, what });

/** Polls `probe` until it returns a truthy value, and returns that (controllers get 10 s). */
export const until = <T>(probe: () => Promise<T> | T, options: WaitOptions = {}) =>
  waitFor(probe, { ms: 10_000, ...options });

/**
 * Creates a pod labelled `app: web` with a container port named `http` (8080), binds it to
 * `node` and reports it Running at `ip`, not Ready yet: an endpoint-to-be of a Service
 * selecting `app: web`, for the endpoints and endpointslice controllers' tests.
 */
export async function runningWebPod(
  writer: ResourceWriter,
  name: string,
  ip: string,
  node: string,
): Promise<Resource> {
  await writer.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'web' } },
    spec: { containers: [{ name: 'c', image: 'busybox', ports: [{ name: 'http', containerPort: 8080 }] }] },
  });
  const bound = await writer.bind('default', name, node);
  return writer.updateStatus(bound, {
    ...(bound.status as object),
    phase: 'Running',
    podIP: ip,
    conditions: [{ type: 'Ready', status: 'False' }],
  });
}
