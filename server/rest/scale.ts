import { fieldError } from '../../schema/field-error.ts';
import type { KindDefinition, Resource } from '../../schema/kind.ts';
import type { LabelSelector } from '../../schema/kinds/meta.ts';
import { fromLabelSelector } from '../../schema/label-selector.ts';
import { isPlainObject } from '../../schema/shape-check.ts';
import { customScale, customScalePaths, withCustomReplicas } from '../crd/custom-scale.ts';
import { customVersionAt } from '../crd/served-schemas.ts';
import { invalid } from '../errors.ts';

/** The kinds with a `scale` subresource, as in Kubernetes' apps group. */
export const SCALABLE_KINDS: ReadonlySet<string> = new Set(['Deployment', 'ReplicaSet', 'StatefulSet']);

/**
 * Whether a kind at the version a path names has a scale subresource: a scalable built-in
 * kind at its stored version, or a custom resource's version that declares one.
 */
export function hasScale(served: KindDefinition, converted: boolean): boolean {
  const custom = customVersionAt(served.apiVersion, served.kind);
  if (custom) return custom.scale !== undefined;
  return SCALABLE_KINDS.has(served.kind) && !converted;
}

/** autoscaling/v1 Scale, what `kubectl scale` and the HPA read and write. */
export interface Scale {
  apiVersion: 'autoscaling/v1';
  kind: 'Scale';
  metadata: Resource['metadata'];
  spec: { replicas?: number };
  status: { replicas: number; selector?: string };
}

interface Scalable {
  spec?: { replicas?: number; selector?: LabelSelector };
  status?: { replicas?: number };
}

/** An object's Scale: its desired and observed replicas, and its selector as a string. */
export function toScale(obj: Resource): Scale {
  const { spec, status } = obj as Resource & Scalable;
  const { name, namespace, uid, resourceVersion, creationTimestamp } = obj.metadata;
  // A custom resource's scale is where its definition says, its selector a string already.
  const paths = customScalePaths(obj.kind);
  const custom = paths && customScale(obj, paths);
  const selector = custom ? custom.selector : selectorString(spec?.selector);
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: custom ? custom.replicas : (spec?.replicas ?? 0) },
    status: {
      replicas: custom ? custom.statusReplicas : (status?.replicas ?? 0),
      ...(selector ? { selector } : {}),
    },
  };
}

/**
 * The object with the replicas a Scale asks for; the Scale's resourceVersion, if it has
 * one, is the object's (a precondition for the write). An invalid Scale is INVALID.
 */
export function withScale(obj: Resource, scale: unknown): Resource {
  const { spec, metadata } = isPlainObject(scale) ? (scale as Partial<Scale>) : {};
  const replicas = spec?.replicas;
  if (!Number.isSafeInteger(replicas) || (replicas as number) < 0) {
    throw invalid('Scale.autoscaling', obj.metadata.name ?? '', [
      fieldError(
        'spec.replicas',
        'Invalid',
        `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
      ),
    ]);
  }
  const resourceVersion = metadata?.resourceVersion || obj.metadata.resourceVersion;
  const paths = customScalePaths(obj.kind);
  const scaled = paths
    ? withCustomReplicas(obj, paths, replicas as number)
    : { ...obj, spec: { ...(obj.spec as object), replicas } };
  return { ...scaled, metadata: { ...obj.metadata, resourceVersion } };
}

/** A LabelSelector in the string syntax (`app=web,tier in (a,b)`), sorted by key as Kubernetes prints it. */
function selectorString(selector: LabelSelector | undefined): string {
  return fromLabelSelector(selector)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ key, op, values }) => {
      if (op === 'exists') return key;
      if (op === '!') return `!${key}`;
      if (op === 'in' && values.length === 1) return `${key}=${values[0]}`;
      return `${key} ${op} (${[...values].sort().join(',')})`;
    })
    .join(',');
}
