import type { KindObjects } from '../../schema/columns/objects.ts';
import type { Described } from './common.ts';
import { pod } from './pod.ts';
import { deployment } from './deployment.ts';
import { podOwner } from './pod-owner.ts';
import { service } from './service.ts';
import { node } from './node.ts';
import { configMap, secret } from './data.ts';
import { namespace } from './namespace.ts';
import { generic } from './generic.ts';
import { endpoints } from './endpoints.ts';

export { RELATED, type Described } from './common.ts';

type DescribedKind =
  | 'Endpoints'
  | 'Pod'
  | 'Deployment'
  | 'ReplicaSet'
  | 'StatefulSet'
  | 'DaemonSet'
  | 'Job'
  | 'Service'
  | 'Node'
  | 'ConfigMap'
  | 'Secret'
  | 'Namespace';

const DESCRIBERS: { [K in DescribedKind]: (d: Described<KindObjects[K]>) => string } = {
  Endpoints: endpoints,
  Pod: pod,
  Deployment: deployment,
  ReplicaSet: podOwner('ReplicaSet'),
  StatefulSet: podOwner('StatefulSet'),
  DaemonSet: podOwner('DaemonSet'),
  Job: podOwner('Job'),
  Service: service,
  Node: node,
  ConfigMap: configMap,
  Secret: secret,
  Namespace: namespace,
};

const hasDescriber = (kind: string): kind is DescribedKind => Object.hasOwn(DESCRIBERS, kind);

/** `kq describe`'s text for one object: its kind's describer, else kubectl's generic outline. */
export function describeObject(described: Described, namespaced: boolean): string {
  const { kind } = described.object;
  if (!hasDescriber(kind)) return generic(described, namespaced);
  // The describers are keyed by kind, so the object is of the kind its describer takes.
  const describer = DESCRIBERS[kind] as (d: Described) => string;
  return describer(described);
}
