import type { Resource } from '../../client/index.ts';
import { DeploymentController } from '../../agent/controllers/deployment/controller.ts';
import { REVISION_ANNOTATION } from '../../agent/controllers/deployment/revision.ts';
import { POD_TEMPLATE_HASH_LABEL } from '../../agent/controllers/pod-template-hash.ts';
import type { DeploymentObject, ReplicaSetObject } from '../../agent/controllers/rollout-math.ts';
import { templateHash } from '../../agent/controllers/template-hash.ts';
import type { PodObject } from '../../agent/objects.ts';
import { ManualClock } from '../../lib/clock.ts';
import { fixtureContext, type RecordedWrite } from './controller-fixture.ts';

/**
 * Fixtures for unit tests of the Deployment controller's reconcile: a Deployment `web`
 * in `default` and ReplicaSets (and pods) of it as the controller makes them, at a
 * fixed time NOW, reconciled once against recorded writes.
 */

export const NS = 'default';
export const NOW = Date.parse('2026-01-01T12:00:00Z');
export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
export const DESIRED = 'deployment.kubernetes.io/desired-replicas';
export const MAX = 'deployment.kubernetes.io/max-replicas';

export const template = (image: string) => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image }] },
});

export interface DeploymentOptions {
  image?: string;
  replicas?: number;
  maxSurge?: number | string;
  maxUnavailable?: number | string;
  recreate?: boolean;
  paused?: boolean;
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  status?: DeploymentObject['status'];
}

export function deployment(options: DeploymentOptions = {}): DeploymentObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: NS, uid: 'uid-web', resourceVersion: '40', generation: 3 },
    spec: {
      replicas: options.replicas ?? 3,
      selector: { matchLabels: { app: 'web' } },
      template: template(options.image ?? 'nginx:2'),
      strategy: options.recreate
        ? { type: 'Recreate' }
        : {
            type: 'RollingUpdate',
            rollingUpdate: {
              maxSurge: options.maxSurge ?? '25%',
              maxUnavailable: options.maxUnavailable ?? '25%',
            },
          },
      revisionHistoryLimit: options.revisionHistoryLimit ?? 10,
      progressDeadlineSeconds: options.progressDeadlineSeconds ?? 600,
      ...(options.paused ? { paused: true } : {}),
    },
    ...(options.status ? { status: options.status } : {}),
  };
}

export interface RSOptions {
  image: string;
  replicas: number;
  /** status.replicas / readyReplicas / availableReplicas; default: replicas, all available. */
  actual?: number;
  available?: number;
  revision?: number;
  created?: number;
  annotations?: Record<string, string>;
  owned?: boolean;
}

/** A ReplicaSet as the controller makes them, for image `image`. */
export function replicaSet(options: RSOptions): ReplicaSetObject {
  const hash = templateHash(template(options.image));
  const labels = { app: 'web', [POD_TEMPLATE_HASH_LABEL]: hash };
  const actual = options.actual ?? options.replicas;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `web-${hash}`,
      namespace: NS,
      uid: `uid-rs-${options.image}`,
      resourceVersion: '9',
      generation: 1,
      creationTimestamp: iso(options.created ?? NOW - 3600_000),
      labels,
      annotations: {
        ...(options.revision !== undefined ? { [REVISION_ANNOTATION]: String(options.revision) } : {}),
        ...options.annotations,
      },
      ...(options.owned === false
        ? {}
        : {
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-web', controller: true },
            ],
          }),
    },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: labels },
      template: { ...template(options.image), metadata: { labels } },
    },
    status: {
      replicas: actual,
      readyReplicas: options.available ?? actual,
      availableReplicas: options.available ?? actual,
      observedGeneration: 1,
    },
  };
}

export function podOf(rs: ReplicaSetObject, name: string, phase = 'Running'): PodObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NS,
      uid: `uid-${name}`,
      labels: rs.spec!.template!.metadata!.labels,
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: rs.metadata.name!,
          uid: rs.metadata.uid!,
          controller: true,
        },
      ],
    },
    spec: { containers: [{ name: 'web', image: 'x' }] },
    status: { phase: phase as never },
  };
}

/** The fixture context over `objects`, on a clock set at `now`, and the controller that reconciles with it. */
export function setup(objects: Resource[], now = NOW) {
  const fixture = fixtureContext(objects, new ManualClock(now));
  return { ...fixture, controller: new DeploymentController(fixture.ctx) };
}

/** One reconcile of `default/web` over `objects` at `now`: what it wrote and recorded, and its result. */
export function run(objects: Resource[], now = NOW) {
  const { controller, ...fixture } = setup(objects, now);
  return { ...fixture, result: controller.reconcile('default/web') };
}

export const statusWrite = (writes: RecordedWrite[]) =>
  writes.filter((w) => w.verb === 'updateStatus' && w.kind === 'Deployment').at(-1)?.body as
    NonNullable<DeploymentObject['status']> | undefined;
export const condition = (status: DeploymentObject['status'] | undefined, type: string) =>
  status?.conditions?.find((c) => c.type === type);
