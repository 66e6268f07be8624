import type { Resource } from '../../client/types.ts';
import type {
  Condition,
  EndpointsObject,
  EventObject,
  PodObject,
  ReplicaSetObject,
} from '../../schema/columns/objects.ts';
import type { DescribeWriter } from './writer.ts';

// What the describers share: the object with its related objects, and the parts of
// kubectl's layout that recur across kinds.

/** An object and what describe shows beside it: its events and the related objects the API's graph edges give. */
export interface Described<T extends Resource = Resource> {
  object: T;
  events: EventObject[];
  replicaSets?: ReplicaSetObject[];
  pods?: PodObject[];
  endpoints?: EndpointsObject;
}

/** The graph edges each kind's describe asks for beside `manifest` and `events`. */
export const RELATED: Record<string, string> = {
  Deployment: 'replicaSets { manifest }',
  ReplicaSet: 'pods { manifest }',
  StatefulSet: 'pods { manifest }',
  DaemonSet: 'pods { manifest }',
  Job: 'pods { manifest }',
  Service: 'endpoints { manifest }',
  Node: 'pods { manifest }',
};

export const NONE = '<none>';

export function header(w: DescribeWriter, obj: Resource, namespaced: boolean) {
  w.line(0, 'Name:', obj.metadata.name);
  if (namespaced) w.line(0, 'Namespace:', obj.metadata.namespace);
}

export function controlledBy(obj: Resource): string | undefined {
  const ref = (obj.metadata.ownerReferences ?? []).find((r) => r.controller);
  return ref ? `${ref.kind}/${ref.name}` : undefined;
}

export function conditionsTable(w: DescribeWriter, conditions: Condition[] | undefined, withReason: boolean) {
  if (!conditions?.length) return;
  w.line(0, 'Conditions:');
  if (withReason) {
    w.line(1, 'Type', 'Status', 'Reason');
    w.line(1, '----', '------', '------');
    for (const c of conditions) w.line(1, c.type, c.status, c.reason ?? '');
  } else {
    w.line(1, 'Type', 'Status');
    for (const c of conditions) w.line(1, `${c.type} `, `${c.status} `);
  }
}

export function podsStatus(pods: PodObject[] | undefined): string {
  const by = (phase: string) => (pods ?? []).filter((p) => (p.status?.phase ?? 'Pending') === phase).length;
  return `${by('Running')} Running / ${by('Pending')} Waiting / ${by('Succeeded')} Succeeded / ${by('Failed')} Failed`;
}
