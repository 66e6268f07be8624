import type { Informer, KubeqlClient } from '../../../client/index.ts';
import type { InformerSource } from '../../informers.ts';
import type { HPAObject, ScaleTarget } from './types.ts';

/**
 * The HPA's target as the scale subresource shows it: read from the caches of the
 * scalable kinds, written through the API's `scale<Kind>` mutations.
 */

/** Writes a new replica count through the target's scale subresource. */
export type ScaleClient = (kind: string, namespace: string, name: string, replicas: number) => Promise<void>;

/** The kinds with a scale subresource, by the resource name Kubernetes' errors use. */
const SCALABLE: Record<string, string> = {
  Deployment: 'deployments.apps',
  ReplicaSet: 'replicasets.apps',
  StatefulSet: 'statefulsets.apps',
};

/** The `scale<Kind>` mutations of this cluster's API. */
export function apiScaleClient(client: Pick<KubeqlClient, 'request'>): ScaleClient {
  return async (kind, namespace, name, replicas) => {
    await client.request(
      `mutation($namespace: String, $name: String!, $replicas: Int!) { scale${kind}(namespace: $namespace, name: $name, replicas: $replicas) { metadata { resourceVersion } } }`,
      { namespace, name, replicas },
    );
  };
}

/** Reads an HPA's target from the caches of the scalable kinds. */
export class ScaleTargets {
  private readonly byKind: Record<string, Informer<ScaleTarget>>;

  constructor(informers: InformerSource) {
    this.byKind = Object.fromEntries(
      Object.keys(SCALABLE).map((kind) => [kind, informers.get<ScaleTarget>(kind)]),
    );
  }

  /** The HPA's target (its spec holds the scale); throws, worded as Kubernetes, when there is none. */
  read(hpa: HPAObject): ScaleTarget {
    const ref = hpa.spec.scaleTargetRef;
    const resource = SCALABLE[ref.kind];
    if (!resource) throw new Error(`no scale subresource for kind "${ref.kind}" (${ref.apiVersion ?? ''})`);
    const target = this.byKind[ref.kind].get(`${hpa.metadata.namespace}/${ref.name}`);
    if (!target) throw new Error(`${resource} "${ref.name}" not found`);
    return target;
  }
}
