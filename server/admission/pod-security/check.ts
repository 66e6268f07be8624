import type { ObjectMeta } from '../../../schema/kinds/meta.ts';
import type { Container, PodSpec } from '../../../schema/kinds/pod.ts';

/**
 * One check of the Pod Security Standards, as Kubernetes' pod-security-admission names and
 * words it: a pod (or a workload's pod template) either passes, or violates it for a
 * `reason` ("host namespaces") with a `detail` ("hostNetwork=true, hostPID=true").
 */

export interface Violation {
  reason: string;
  detail: string;
}

/** What a check reads: the pod's (or the template's) metadata and spec. */
export interface PodView {
  metadata: Pick<ObjectMeta, 'annotations'>;
  spec: PodSpec;
}

export interface Check {
  /** Kubernetes' check ID: checks are evaluated, and violations listed, in the order of their IDs. */
  id: string;
  level: 'baseline' | 'restricted';
  /** Baseline checks this restricted one replaces at the restricted level. */
  overrides?: readonly string[];
  check(pod: PodView): Violation | undefined;
}

/** Init containers, containers, then ephemeral containers: the order Kubernetes lists them in. */
export function containersOf(spec: PodSpec): Container[] {
  return [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
    ...((spec.ephemeralContainers ?? []) as Container[]),
  ] as Container[];
}

export function pluralize(singular: string, plural: string, count: number): string {
  return count === 1 ? singular : plural;
}

/** `"a", "b"`. */
export function joinQuote(items: readonly string[]): string {
  return items.length ? `"${items.join('", "')}"` : '';
}

/** `container "a"`, `containers "a", "b"`. */
export function containersNamed(names: readonly string[]): string {
  return `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
}

/** Sorted and without repeats, as Kubernetes prints the values of a set. */
export function sortedSet(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** A user namespace (hostUsers: false) relaxes the checks that guard the host's root. */
export function inUserNamespace(spec: PodSpec): boolean {
  return spec.hostUsers === false;
}

/** Windows pods cannot set the Linux-only fields some restricted checks require. */
export function isWindows(spec: PodSpec): boolean {
  return spec.os?.name === 'windows';
}
