import type { Resource } from '../../client/index.ts';
import type { StatefulSet } from '../../schema/kinds/statefulset.ts';

/** How a StatefulSet names its members and their claims, shared by the set's controller and its claims. */

export type StatefulSetObject = Resource & { spec?: StatefulSet['spec']; status?: StatefulSet['status'] };

/** The ordinal of a pod named `<set>-<ordinal>`; undefined for a pod not named as a member of the set. */
export function ordinalOf(setName: string, podName: string | undefined): number | undefined {
  if (!podName?.startsWith(`${setName}-`)) return undefined;
  const rest = podName.slice(setName.length + 1);
  return /^(0|[1-9]\d{0,8})$/.test(rest) ? Number(rest) : undefined;
}

/** The claim a member pod gets from one of the set's volumeClaimTemplates: `<template>-<set>-<ordinal>`. */
export function claimName(set: StatefulSetObject, template: string, ordinal: number): string {
  return `${template}-${set.metadata.name}-${ordinal}`;
}
