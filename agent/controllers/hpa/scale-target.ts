import type { Informer, KubeqlClient, Resource } from '../../../client/index.ts';
import type { CustomResourceDefinition } from '../../../schema/kinds/customresourcedefinition.ts';
import type { InformerSource } from '../../informers.ts';
import { customScalePaths, customScaleTarget, replicasPatch } from './custom-scale-target.ts';
import type { HPAObject, ScaleTarget } from './types.ts';

/**
 * The HPA's target as the scale subresource shows it: read from the caches of the
 * scalable kinds, written through the API's `scale<Kind>` mutations; a custom resource
 * with a scale subresource is read from its kind's cache at its definition's paths and
 * written at its specReplicasPath.
 */

/**
 * Writes a new replica count through the target's scale subresource: at
 * `specReplicasPath` for a custom resource, spec.replicas otherwise.
 */
export type ScaleClient = (
  kind: string,
  namespace: string,
  name: string,
  replicas: number,
  specReplicasPath?: string,
) => Promise<void>;

/** The kinds with a scale subresource, by the resource name Kubernetes' errors use. */
const SCALABLE: Record<string, string> = {
  Deployment: 'deployments.apps',
  ReplicaSet: 'replicasets.apps',
  StatefulSet: 'statefulsets.apps',
};

/**
 * The `scale<Kind>` mutations of this cluster's API; for a custom resource, a merge patch
 * of its specReplicasPath (`patch<Kind>`), which the server admits as it would the scale
 * subresource's write.
 */
export function apiScaleClient(client: Pick<KubeqlClient, 'request'>): ScaleClient {
  return async (kind, namespace, name, replicas, specReplicasPath) => {
    if (specReplicasPath) {
      await client.request(
        `mutation($namespace: String, $name: String!, $patch: JSON!) { patch${kind}(namespace: $namespace, name: $name, patch: $patch) { metadata { resourceVersion } } }`,
        { namespace, name, patch: replicasPatch(specReplicasPath, replicas) },
      );
      return;
    }
    await client.request(
      `mutation($namespace: String, $name: String!, $replicas: Int!) { scale${kind}(namespace: $namespace, name: $name, replicas: $replicas) { metadata { resourceVersion } } }`,
      { namespace, name, replicas },
    );
  };
}

/** Reads an HPA's target from the caches of the scalable kinds and of the custom resources. */
export class ScaleTargets {
  private readonly byKind: Record<string, Informer<ScaleTarget>>;
  private crds?: Informer<Resource & CustomResourceDefinition>;

  constructor(private readonly informers: InformerSource) {
    this.byKind = Object.fromEntries(
      Object.keys(SCALABLE).map((kind) => [kind, informers.get<ScaleTarget>(kind)]),
    );
  }

  /** The HPA's target (its spec holds the scale); throws, worded as Kubernetes, when there is none. */
  read(hpa: HPAObject): ScaleTarget {
    const ref = hpa.spec.scaleTargetRef;
    const key = `${hpa.metadata.namespace}/${ref.name}`;
    const resource = SCALABLE[ref.kind];
    if (!resource) {
      const paths = this.specReplicasPaths(hpa);
      if (!paths) throw new Error(`no scale subresource for kind "${ref.kind}" (${ref.apiVersion ?? ''})`);
      // A custom kind's cache starts at its first target: until it has synced, the target is not found.
      const obj = this.informers.get(ref.kind).get(key);
      if (!obj) throw new Error(`${paths.resource} "${ref.name}" not found`);
      return customScaleTarget(obj, paths);
    }
    const target = this.byKind[ref.kind].get(key);
    if (!target) throw new Error(`${resource} "${ref.name}" not found`);
    return target;
  }

  /** Where a custom target's desired replicas are written, or undefined for a built-in kind. */
  specReplicasPath(hpa: HPAObject): string | undefined {
    if (SCALABLE[hpa.spec.scaleTargetRef.kind]) return undefined;
    return this.specReplicasPaths(hpa)?.specReplicasPath;
  }

  private specReplicasPaths(hpa: HPAObject) {
    const ref = hpa.spec.scaleTargetRef;
    // Asked for only once an HPA targets a kind that is not built in: the definitions' cache.
    this.crds ??= this.informers.get<Resource & CustomResourceDefinition>('CustomResourceDefinition');
    return customScalePaths(this.crds, ref.kind, ref.apiVersion);
  }
}
