import type { Informer, Resource } from '../../../client/index.ts';
import { valueAt } from '../../../schema/json-path.ts';
import type { CustomResourceDefinition } from '../../../schema/kinds/customresourcedefinition.ts';
import type { LabelSelector } from '../../../schema/kinds/meta.ts';
import { parseLabelSelector } from '../../../schema/label-selector.ts';
import type { ScaleTarget } from './types.ts';

/**
 * A custom resource as the HPA's target: its scale subresource is where its definition's
 * storage version says (`subresources.scale`), as the API server reads and writes it.
 */

type CRDObject = Resource & CustomResourceDefinition;

export interface CustomScalePaths {
  /** The resource as Kubernetes' errors name it: `shards.db.example.com`. */
  resource: string;
  specReplicasPath: string;
  labelSelectorPath?: string;
}

/** The scale paths of the served custom kind `kind` of `apiVersion`'s group, or undefined when it has none. */
export function customScalePaths(
  crds: Informer<CRDObject>,
  kind: string,
  apiVersion: string | undefined,
): CustomScalePaths | undefined {
  const group = apiVersion?.split('/')[0];
  for (const crd of crds.list()) {
    if (crd.spec.names.kind !== kind || (group !== undefined && crd.spec.group !== group)) continue;
    const versions = crd.spec.versions;
    const scale = (versions.find((version) => version.storage) ?? versions.find((version) => version.served))
      ?.subresources?.scale;
    if (!scale) return undefined;
    const { specReplicasPath, labelSelectorPath } = scale;
    return { resource: `${crd.spec.names.plural}.${crd.spec.group}`, specReplicasPath, labelSelectorPath };
  }
  return undefined;
}

/** A custom object's scale in the shape the HPA reads a built-in target's: spec.replicas and a structured selector. */
export function customScaleTarget(obj: Resource, paths: CustomScalePaths): ScaleTarget {
  const replicas = valueAt(obj, paths.specReplicasPath);
  const text = paths.labelSelectorPath ? valueAt(obj, paths.labelSelectorPath) : undefined;
  const selector = typeof text === 'string' && text ? structuredSelector(text) : undefined;
  return {
    ...obj,
    spec: {
      replicas: typeof replicas === 'number' ? replicas : 0,
      ...(selector ? { selector } : {}),
    },
  };
}

/** A merge patch setting `replicas` at a field path (`.spec.size` gives `{spec: {size: n}}`). */
export function replicasPatch(specReplicasPath: string, replicas: number): Record<string, unknown> {
  return specReplicasPath
    .split('.')
    .filter(Boolean)
    .reduceRight<unknown>((inner, key) => ({ [key]: inner }), replicas) as Record<string, unknown>;
}

/** A selector in the string syntax, as a LabelSelector; undefined when it does not parse (no usable selector). */
function structuredSelector(text: string): LabelSelector | undefined {
  let requirements;
  try {
    requirements = parseLabelSelector(text);
  } catch {
    return undefined;
  }
  const matchLabels: Record<string, string> = {};
  const matchExpressions: NonNullable<LabelSelector['matchExpressions']> = [];
  const operators = { in: 'In', notin: 'NotIn', exists: 'Exists', '!': 'DoesNotExist' } as const;
  for (const { key, op, values } of requirements) {
    if (op === 'in' && values.length === 1 && matchLabels[key] === undefined) matchLabels[key] = values[0];
    else matchExpressions.push({ key, operator: operators[op], ...(values.length ? { values } : {}) });
  }
  return {
    ...(Object.keys(matchLabels).length ? { matchLabels } : {}),
    ...(matchExpressions.length ? { matchExpressions } : {}),
  };
}
