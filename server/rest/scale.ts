import { fieldError } from '../../schema/field-error.ts';
import type { Resource } from '../../schema/kind.ts';
import type { LabelSelector } from '../../schema/kinds/meta.ts';
import { fromLabelSelector } from '../../schema/label-selector.ts';
import { isPlainObject } from '../../schema/shape-check.ts';
import { invalid } from '../errors.ts';

/** The kinds with a `scale` subresource, as in Kubernetes' apps group. */
export const SCALABLE_KINDS: ReadonlySet<string> = new Set(['Deployment', 'ReplicaSet', 'StatefulSet']);

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
  const selector = selectorString(spec?.selector);
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: spec?.replicas ?? 0 },
    status: { replicas: status?.replicas ?? 0, ...(selector ? { selector } : {}) },
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
  return {
    ...obj,
    metadata: { ...obj.metadata, resourceVersion },
    spec: { ...(obj.spec as object), replicas },
  };
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
