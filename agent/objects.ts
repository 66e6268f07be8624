import type { Resource } from '../client/index.ts';
import type { LeaseSpec } from '../schema/kinds/lease.ts';
import type { NodeSpec, NodeStatus } from '../schema/kinds/node.ts';
import type { PodSpec, PodStatus } from '../schema/kinds/pod.ts';

/** Objects as the client SDK delivers them, typed by their kind's schema. */
export type PodObject = Resource & { spec?: PodSpec; status?: PodStatus };
export type NodeObject = Resource & { spec?: NodeSpec; status?: NodeStatus };
export type LeaseObject = Resource & { spec?: LeaseSpec };

export type Condition = NonNullable<PodStatus['conditions']>[number];

/** RFC 3339 with second precision, as Kubernetes writes most timestamps. */
export function timestamp(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** RFC 3339 with microseconds, as Lease times are written (MicroTime). */
export function microTimestamp(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

/** The uid of the pod's controller (ownerReference with controller: true), if any. */
export function controllerUid(obj: Resource): string | undefined {
  return obj.metadata.ownerReferences?.find((ref) => ref.controller)?.uid;
}

export function isTerminal(pod: PodObject): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
