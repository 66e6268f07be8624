import type { Resource } from '../kind.ts';
import type { LabelSelector } from '../kinds/meta.ts';
import type { PodTemplateSpec } from '../kinds/pod.ts';
import { age } from './age.ts';
import { creationTimestamp } from './objects.ts';

/** How kubectl's printers write the cells of a table: what every kind's columns share. */

/**
 * The columns `kubectl get` prints for each kind (its internalversion printers):
 * the same headers, in the same order, `-o wide` adding the rest.
 */
export interface Columns<T extends Resource = Resource> {
  headers: string[];
  wide?: string[];
  row(obj: T, now: number): string[];
  wideRow?(obj: T, now: number): string[];
}

export const NONE = '<none>';
export const str = (value: unknown) =>
  value === undefined || value === null || value === '' ? NONE : String(value);
export const count = (value: unknown) => String(value ?? 0);
export const created = (obj: Resource, now: number) => age(creationTimestamp(obj), now);
/** CREATED AT: the creation time itself, RFC 3339 in UTC. */
export const createdAt = (obj: Resource) => creationTimestamp(obj) ?? '';
export const name = (obj: Resource) => obj.metadata.name ?? '';

export const labelsText = (labels: Record<string, string> | undefined) =>
  labels && Object.keys(labels).length
    ? Object.entries(labels)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}=${v}`)
        .join(',')
    : NONE;

/** A label selector as kubectl prints one: matchLabels then matchExpressions. */
export function selectorText(selector: LabelSelector | undefined): string {
  if (!selector) return NONE;
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${e.operator.toLowerCase()} (${(e.values ?? []).join(',')})`);
  }
  return parts.length ? parts.join(',') : NONE;
}

const templateContainers = (template: PodTemplateSpec | undefined) => template?.spec?.containers ?? [];
export const containerNames = (template: PodTemplateSpec | undefined) =>
  str(
    templateContainers(template)
      .map((c) => c.name)
      .join(','),
  );
export const containerImages = (template: PodTemplateSpec | undefined) =>
  str(
    templateContainers(template)
      .map((c) => c.image)
      .join(','),
  );
