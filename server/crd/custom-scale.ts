import type { Resource } from '../../schema/kind.ts';
import { valueAt, withValueAt } from '../../schema/json-path.ts';
import { servedCustomResource, type ScalePaths } from './served-schemas.ts';

/** What a custom object's scale subresource shows, read at its definition's paths. */
export interface CustomScale {
  replicas: number;
  statusReplicas: number;
  selector?: string;
}

/** The scale paths of a custom kind with a scale subresource, or undefined. */
export function customScalePaths(kind: string): ScalePaths | undefined {
  return servedCustomResource(kind)?.scale;
}

/** A custom object's scale, as Kubernetes reads it: a missing count is 0, a selector that is not a string is none. */
export function customScale(obj: Resource, paths: ScalePaths): CustomScale {
  const count = (path: string) => {
    const value = valueAt(obj, path);
    return typeof value === 'number' ? value : 0;
  };
  const selector = paths.labelSelectorPath ? valueAt(obj, paths.labelSelectorPath) : undefined;
  return {
    replicas: count(paths.specReplicasPath),
    statusReplicas: count(paths.statusReplicasPath),
    ...(typeof selector === 'string' && selector ? { selector } : {}),
  };
}

/** A copy of a custom object with `replicas` at its specReplicasPath. */
export function withCustomReplicas(obj: Resource, paths: ScalePaths, replicas: number): Resource {
  return withValueAt(obj, paths.specReplicasPath, replicas);
}
