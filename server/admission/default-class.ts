import type { Resource } from '../../schema/kind.ts';

/**
 * The default of a kind of class (a StorageClass, an IngressClass): the one annotated
 * `true` under one of `annotations`; of several, the newest (then the first by name), as
 * Kubernetes' DefaultStorageClass and DefaultIngressClass admission plugins pick.
 */
export function defaultClass(classes: Iterable<Resource>, annotations: string[]): string | undefined {
  let chosen: Resource | undefined;
  for (const c of classes) {
    if (!annotations.some((key) => c.metadata.annotations?.[key] === 'true')) continue;
    const newer = (c.metadata.creationTimestamp ?? '') > (chosen?.metadata.creationTimestamp ?? '');
    const tie = c.metadata.creationTimestamp === chosen?.metadata.creationTimestamp;
    if (!chosen || newer || (tie && c.metadata.name! < chosen.metadata.name!)) chosen = c;
  }
  return chosen?.metadata.name;
}
