import type { Resource } from '../../schema/kind.ts';
import type { Container } from '../../schema/kinds/container.ts';
import type { LimitRange, LimitRangeItem } from '../../schema/kinds/limitrange.ts';
import type { PersistentVolumeClaim } from '../../schema/kinds/persistentvolumeclaim.ts';
import type { Pod } from '../../schema/kinds/pod.ts';
import { canonicalQuantity, formatMilli, isBinary, toMilli } from '../../schema/quantity-format.ts';
import { podResources } from '../../schema/quota-usage.ts';
import type { AdmissionContext } from './admission.ts';

/**
 * Kubernetes' LimitRanger admission plugin: the LimitRanges of a namespace give its
 * pods' containers default requests and limits (recorded in an annotation), and refuse
 * containers, pods and claims outside their min, max and limit/request ratio, with
 * Kubernetes' messages.
 */

type LimitRangeObject = LimitRange & Resource;
type Quantities = Record<string, string | number>;

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

/** The namespace's LimitRanges, in name order (Kubernetes applies each in turn). */
export function limitRangesOf(ctx: AdmissionContext, namespace: string): LimitRangeObject[] {
  return ([...ctx.objects('LimitRange', namespace)] as LimitRangeObject[]).sort((a, b) =>
    a.metadata.name!.localeCompare(b.metadata.name!),
  );
}

/**
 * A Container item's defaults as Kubernetes stores them: the limit defaults to max, the
 * request to the default limit, else to min.
 */
function containerDefaults(item: LimitRangeItem): { requests: Quantities; limits: Quantities } {
  const limits: Quantities = { ...item.max, ...item.default };
  const requests: Quantities = { ...item.min, ...limits, ...item.defaultRequest };
  return { requests, limits };
}

function mergeDefaults(
  container: Container,
  defaults: { requests: Quantities; limits: Quantities },
  prefix: string,
  notes: string[],
): void {
  const resources = (container.resources ??= {});
  const fill = (side: 'requests' | 'limits') => {
    const set: string[] = [];
    for (const [name, q] of Object.entries(defaults[side])) {
      if (resources[side]?.[name] !== undefined) continue;
      resources[side] = { ...resources[side], [name]: canonicalQuantity(q) };
      set.push(name);
    }
    return set.sort();
  };
  const limits = fill('limits');
  const requests = fill('requests');
  if (requests.length) notes.push(`${requests.join(', ')} request for ${prefix} ${container.name}`);
  if (limits.length) notes.push(`${limits.join(', ')} limit for ${prefix} ${container.name}`);
}

/**
 * Fills the missing requests and limits of a new pod's containers from each LimitRange's
 * Container item, and says what it set in the `kubernetes.io/limit-ranger` annotation.
 * Returns whether anything changed.
 */
export function applyLimitRangeDefaults(pod: Resource & Pod, ranges: LimitRangeObject[]): boolean {
  let changed = false;
  for (const range of ranges) {
    const items = (range.spec?.limits ?? []).filter((item) => item.type === 'Container');
    if (!items.length || !pod.spec) continue;
    const defaults = { requests: {}, limits: {} };
    for (const item of items) {
      const d = containerDefaults(item);
      Object.assign(defaults.requests, d.requests);
      Object.assign(defaults.limits, d.limits);
    }
    const notes: string[] = [];
    for (const c of pod.spec.containers ?? []) mergeDefaults(c as Container, defaults, 'container', notes);
    for (const c of pod.spec.initContainers ?? [])
      mergeDefaults(c as Container, defaults, 'init container', notes);
    if (!notes.length) continue;
    changed = true;
    pod.metadata.annotations = {
      ...pod.metadata.annotations,
      [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}`,
    };
  }
  return changed;
}

/** Requests and limits of one container, pod or claim as amounts, with how to print them. */
interface Observed {
  requests: Record<string, number>;
  limits: Record<string, number>;
  shown(side: 'requests' | 'limits', name: string): string;
}

function observedOf(requests: Quantities, limits: Quantities): Observed {
  const amounts = (q: Quantities) => Object.fromEntries(Object.entries(q).map(([n, v]) => [n, toMilli(v)]));
  const raw = { requests, limits };
  return {
    requests: amounts(requests),
    limits: amounts(limits),
    shown: (side, name) => canonicalQuantity(raw[side][name]),
  };
}

function podObserved(pod: Resource & Pod): Observed {
  const requests = podResources(pod, 'requests');
  const limits = podResources(pod, 'limits');
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])] as Container[];
  const binary = (side: 'requests' | 'limits', name: string) =>
    containers.some((c) => isBinary(c.resources?.[side]?.[name]));
  return {
    requests,
    limits,
    shown: (side, name) => formatMilli((side === 'requests' ? requests : limits)[name], binary(side, name)),
  };
}

/** The checks of one item against what an object observes, as Kubernetes words them. */
function checkItem(
  item: LimitRangeItem,
  what: string,
  observed: Observed,
  errors: string[],
  maxChecksRequestOnly = false,
): void {
  const sorted = (q: Quantities | undefined) =>
    Object.entries(q ?? {}).sort(([a], [b]) => a.localeCompare(b));
  for (const [name, q] of sorted(item.min)) {
    const enforced = toMilli(q);
    const shown = canonicalQuantity(q);
    const request = observed.requests[name];
    const limit = observed.limits[name];
    if (request === undefined)
      errors.push(`minimum ${name} usage per ${what} is ${shown}.  No request is specified`);
    else if (request < enforced)
      errors.push(
        `minimum ${name} usage per ${what} is ${shown}, but request is ${observed.shown('requests', name)}`,
      );
    else if (limit !== undefined && limit < enforced)
      errors.push(
        `minimum ${name} usage per ${what} is ${shown}, but limit is ${observed.shown('limits', name)}`,
      );
  }
  for (const [name, q] of sorted(item.max)) {
    const enforced = toMilli(q);
    const shown = canonicalQuantity(q);
    const request = observed.requests[name];
    const limit = observed.limits[name];
    if (maxChecksRequestOnly) {
      if (request === undefined)
        errors.push(`maximum ${name} usage per ${what} is ${shown}.  No request is specified`);
      else if (request > enforced)
        errors.push(
          `maximum ${name} usage per ${what} is ${shown}, but request is ${observed.shown('requests', name)}`,
        );
      continue;
    }
    if (limit === undefined)
      errors.push(`maximum ${name} usage per ${what} is ${shown}.  No limit is specified`);
    else if (limit > enforced)
      errors.push(
        `maximum ${name} usage per ${what} is ${shown}, but limit is ${observed.shown('limits', name)}`,
      );
    else if (request !== undefined && request > enforced)
      errors.push(
        `maximum ${name} usage per ${what} is ${shown}, but request is ${observed.shown('requests', name)}`,
      );
  }
  for (const [name, q] of sorted(item.maxLimitRequestRatio)) {
    const shown = canonicalQuantity(q);
    const request = observed.requests[name];
    const limit = observed.limits[name];
    const prefix = `${name} max limit to request ratio per ${what} is ${shown}`;
    if (!request) errors.push(`${prefix}, but no request is specified or request is 0`);
    else if (!limit) errors.push(`${prefix}, but no limit is specified or limit is 0`);
    else if ((limit / request) * 1000 > toMilli(q))
      errors.push(`${prefix}, but provided ratio is ${(limit / request).toFixed(6)}`);
  }
}

/** Kubernetes' aggregate of errors: one alone, several in brackets. */
const aggregate = (errors: string[]) => (errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);

function podViolation(pod: Resource & Pod, range: LimitRangeObject): string[] {
  const errors: string[] = [];
  for (const item of range.spec?.limits ?? []) {
    if (item.type === 'Container') {
      const containers = [
        ...(pod.spec?.containers ?? []),
        ...(pod.spec?.initContainers ?? []),
      ] as Container[];
      for (const c of containers)
        checkItem(
          item,
          'Container',
          observedOf(c.resources?.requests ?? {}, c.resources?.limits ?? {}),
          errors,
        );
    } else if (item.type === 'Pod') checkItem(item, 'Pod', podObserved(pod), errors);
  }
  return errors;
}

function claimViolation(claim: Resource & PersistentVolumeClaim, range: LimitRangeObject): string[] {
  const errors: string[] = [];
  for (const item of range.spec?.limits ?? []) {
    if (item.type !== 'PersistentVolumeClaim') continue;
    // A claim's limits are not the user's ask: min and max both bound its request.
    const observed = observedOf(claim.spec?.resources?.requests ?? {}, {});
    checkItem(
      { type: item.type, min: item.min, max: item.max },
      'PersistentVolumeClaim',
      observed,
      errors,
      true,
    );
  }
  return errors;
}

/** Why the LimitRanges refuse a pod or claim (the first range that does), or undefined. */
export function limitRangeViolation(obj: Resource, ranges: LimitRangeObject[]): string | undefined {
  for (const range of ranges) {
    const errors =
      obj.kind === 'Pod'
        ? podViolation(obj as Resource & Pod, range)
        : claimViolation(obj as Resource & PersistentVolumeClaim, range);
    if (errors.length) return aggregate(errors);
  }
  return undefined;
}
