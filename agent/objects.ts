import type { Resource } from '../client/index.ts';
import type { LeaseSpec } from '../schema/kinds/lease.ts';
import type { NodeSpec, NodeStatus } from '../schema/kinds/node.ts';
import type { PodSpec, PodStatus } from '../schema/kinds/pod.ts';

/** Objects as the client SDK delivers them, typed by their kind's schema. */
export type PodObject = Resource & { spec?: PodSpec; status?: PodStatus };
export type NodeObject = Resource & { spec?: NodeSpec; status?: NodeStatus };
export type LeaseObject = Resource & { spec?: LeaseSpec };

export type Condition = NonNullable<PodStatus['conditions']>[number];
