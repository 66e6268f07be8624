import type { Described } from './common.ts';
import { pod } from './pod.ts';
import { deployment } from './deployment.ts';
import { podOwner } from './pod-owner.ts';
import { service } from './service.ts';
import { node } from './node.ts';
import { dataObject } from './data.ts';
import { namespace } from './namespace.ts';
import { generic } from './generic.ts';
import { endpoints } from './endpoints.ts';

export { RELATED, type Described } from './common.ts';

const DESCRIBERS: Record<string, (d: Described) => string> = {
  Endpoints: endpoints,
  Pod: pod,
  Deployment: deployment,
  ReplicaSet: podOwner('ReplicaSet'),
  StatefulSet: podOwner('StatefulSet'),
  DaemonSet: podOwner('DaemonSet'),
  Job: podOwner('Job'),
  Service: service,
  Node: node,
  ConfigMap: dataObject(false),
  Secret: dataObject(true),
  Namespace: namespace,
};

/** `kq describe`'s text for one object: its kind's describer, else kubectl's generic outline. */
export function describeObject(described: Described, namespaced: boolean): string {
  const describer = DESCRIBERS[described.object.kind];
  return describer ? describer(described) : generic(described, namespaced);
}
