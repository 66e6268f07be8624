import {
  createClient,
  resourceWriter,
  type KubeqlClient,
  type Resource,
  type ResourceWriter,
  type WatchEvent,
  type WatchOptions,
} from '../../client/index.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Deployment } from '../../schema/kinds/deployment.ts';
import type { Pod } from '../../schema/kinds/pod.ts';
import type { ReplicaSet } from '../../schema/kinds/replicaset.ts';
import { startHollowCluster, type HollowCluster, type HollowClusterOptions } from './hollow.ts';
import { waitFor } from './wait.ts';

// Shared by the end-to-end tests (test/e2e-*.test.ts): a hollow cluster driven only
// through its public GraphQL endpoint, over HTTP and WebSocket, as any user would.

type Condition = {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
};

export type PodObject = Pod & Resource;
export type ReplicaSetObject = ReplicaSet & Resource;
export type DeploymentObject = Deployment & Resource;
export type EventObject = Resource & {
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  involvedObject?: { kind?: string; name?: string; namespace?: string };
};

/** The hollow runtime's pod annotation: every container exits with this code once it runs. */
export const SIMULATE_EXIT_CODE = 'kubeql.io/simulate-exit-code';

export interface E2ECluster {
  hollow: HollowCluster;
  /** A client of the cluster's GraphQL endpoint over the network, with the admin token. */
  api: KubeqlClient;
  writer: ResourceWriter;
  /** Creates a namespace of its own for one test: `<prefix>-<n>`. */
  namespace(prefix: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startE2ECluster(options: HollowClusterOptions = {}): Promise<E2ECluster> {
  const hollow = await startHollowCluster(options);
  const api = createClient({ url: hollow.url, token: hollow.token });
  const writer = resourceWriter(api);
  let seq = 0;
  return {
    hollow,
    api,
    writer,
    async namespace(prefix) {
      const name = `${prefix}-${++seq}`;
      await writer.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      return name;
    },
    async stop() {
      await api.close();
      await hollow.stop();
    },
  };
}

/** Polls `probe` every 50 ms until it returns something truthy (waitFor with e2e defaults). */
export function until<T>(probe: () => T | Promise<T>, what: string, ms = 15_000) {
  return waitFor(probe, { ms, every: 50, what });
}

export function condition(obj: Resource | null | undefined, type: string) {
  const conditions = (obj as { status?: { conditions?: Condition[] } } | null)?.status?.conditions ?? [];
  return conditions.find((c) => c.type === type);
}

export const isPodReady = (pod: PodObject) => condition(pod, 'Ready')?.status === 'True';
/** controller.IsPodActive: not finished and not being deleted. */
export const isPodActive = (pod: PodObject) =>
  pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed' && !pod.metadata.deletionTimestamp;
/** podutil.IsPodAvailable: Ready, and for more than minReadySeconds. */
export function isPodAvailable(pod: PodObject, minReadySeconds: number, now = Date.now()): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = Date.parse(condition(pod, 'Ready')?.lastTransitionTime ?? '');
  return !Number.isNaN(since) && since + minReadySeconds * 1000 < now;
}

export const imagesOf = (pod: PodObject) => pod.spec?.containers.map((c) => c.image);
export const controllerOf = (obj: Resource) => obj.metadata.ownerReferences?.find((ref) => ref.controller);

export async function pods(api: KubeqlClient, namespace: string, labelSelector?: string) {
  return (await api.list<PodObject>('Pod', { namespace, labelSelector })).items;
}

export async function events(api: KubeqlClient, namespace: string, name?: string) {
  const all = (await api.list<EventObject>('Event', { namespace })).items;
  return name === undefined ? all : all.filter((e) => e.involvedObject?.name === name);
}

export interface DeploymentOptions {
  replicas?: number;
  image?: string;
  minReadySeconds?: number;
  maxSurge?: number | string;
  maxUnavailable?: number | string;
  progressDeadlineSeconds?: number;
  annotations?: Record<string, string>;
  podAnnotations?: Record<string, string>;
}

/** A Deployment of pods labelled app=<name>, one container `app`, running until stopped. */
export function deployment(namespace: string, name: string, o: DeploymentOptions = {}): DeploymentObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: {
      replicas: o.replicas ?? 3,
      selector: { matchLabels: { app: name } },
      ...(o.minReadySeconds !== undefined ? { minReadySeconds: o.minReadySeconds } : {}),
      ...(o.progressDeadlineSeconds !== undefined
        ? { progressDeadlineSeconds: o.progressDeadlineSeconds }
        : {}),
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: o.maxSurge ?? '25%', maxUnavailable: o.maxUnavailable ?? '25%' },
      },
      template: {
        metadata: {
          labels: { app: name },
          ...(o.podAnnotations ? { annotations: o.podAnnotations } : {}),
        },
        spec: { containers: [{ name: 'app', image: o.image ?? 'nginx:1' }] },
      },
    },
  } as DeploymentObject;
}

/**
 * Waits until the Deployment is rolled out as Kubernetes means it: its status observed
 * the latest generation, and every replica is updated and available with no old one left.
 */
export function rolledOut(api: KubeqlClient, namespace: string, name: string, ms = 20_000) {
  return until(
    async () => {
      const d = await api.get<DeploymentObject>('Deployment', name, namespace);
      const s = d?.status;
      const replicas = d?.spec?.replicas ?? 1;
      return (
        d &&
        (s?.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) &&
        s?.updatedReplicas === replicas &&
        s?.replicas === replicas &&
        s?.availableReplicas === replicas &&
        d
      );
    },
    `deployment ${namespace}/${name} to roll out`,
    ms,
  );
}

/** The ReplicaSets a Deployment controls. */
export async function replicaSetsOf(api: KubeqlClient, namespace: string, d: Resource) {
  const all = (await api.list<ReplicaSetObject>('ReplicaSet', { namespace })).items;
  return all.filter((rs) => controllerOf(rs)?.uid === d.metadata.uid);
}

export interface Recorded<T extends Resource> extends WatchEvent<T> {
  /** When the event arrived (performance.now()). */
  at: number;
  /** Its resourceVersion: the store's revision, one sequence across kinds. */
  revision: number;
}

export interface Recording<T extends Resource> {
  readonly events: Recorded<T>[];
  /** Resolves once `predicate` holds for the events so far. */
  until(predicate: (events: Recorded<T>[]) => unknown, what: string, ms?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Records every change of `kind` from the API's watch (from `resourceVersion`, or
 * starting with the current objects as ADDED), calling `onEvent` for each as it comes.
 */
export function record<T extends Resource>(
  api: KubeqlClient,
  kind: string,
  options: WatchOptions,
  onEvent?: (event: Recorded<T>) => void,
): Recording<T> {
  const watch = api.watch<T>(kind, options);
  const events: Recorded<T>[] = [];
  let failure: unknown;
  const done = (async () => {
    try {
      for await (const event of watch) {
        const recorded = {
          ...event,
          at: performance.now(),
          revision: Number(event.object.metadata.resourceVersion),
        };
        events.push(recorded);
        onEvent?.(recorded);
      }
    } catch (error) {
      failure = error;
    }
  })();
  return {
    events,
    async until(predicate, what, ms = 15_000) {
      await waitFor(
        () => {
          if (failure) throw failure;
          return predicate(events);
        },
        { ms, every: 20, what },
      );
    },
    async stop() {
      await watch.return();
      await done;
      if (failure) throw failure;
    },
  };
}

/** A clock a controller can be given: the real one until `set` freezes it at a time. */
export function manualClock(): Clock & { set(ms: number): void; release(): void } {
  let frozen: number | undefined;
  return {
    now: () => frozen ?? Date.now(),
    set(ms: number) {
      frozen = ms;
    },
    release() {
      frozen = undefined;
    },
  };
}
