import { parseQuantity } from '../../schema/quantity.ts';
import { mapEntry } from '../../schema/string-map.ts';
import type { Container } from '../../schema/kinds/pod.ts';
import type { PodObject } from '../objects.ts';
import { ContainerConfigError } from './container-config-error.ts';

/** The addresses a pod's fieldRefs may expose; the kubelet takes them from the sandbox and the node. */
export interface PodAddresses {
  podIP?: string;
  /** Defaults to [podIP]. */
  podIPs?: string[];
  hostIP?: string;
  /** Defaults to [hostIP]. */
  hostIPs?: string[];
}

export interface FieldSelector {
  apiVersion?: string;
  fieldPath: string;
}

export interface ResourceSelector {
  containerName?: string;
  resource: string;
  divisor?: string | number;
}

/**
 * The value of an env var's fieldRef, as the kubelet computes it: the pod's metadata,
 * node and service account, and its and the node's addresses. Throws
 * ContainerConfigError for a path it does not know.
 */
export function podFieldValue(pod: PodObject, ref: FieldSelector, addresses: PodAddresses = {}): string {
  checkVersion(ref);
  const podIPs = addresses.podIPs ?? (addresses.podIP ? [addresses.podIP] : []);
  const hostIPs = addresses.hostIPs ?? (addresses.hostIP ? [addresses.hostIP] : []);
  switch (ref.fieldPath) {
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
      return podIPs[0] ?? '';
    case 'status.podIPs':
      return podIPs.join(',');
    case 'status.hostIP':
      return hostIPs[0] ?? '';
    case 'status.hostIPs':
      return hostIPs.join(',');
  }
  return metadataFieldValue(pod, ref);
}

/**
 * The value of a fieldRef to the pod's metadata (what downward API files may hold).
 * `metadata.labels` and `metadata.annotations` without a key give every entry as
 * `key="value"` lines, sorted. Throws ContainerConfigError for any other path.
 */
export function metadataFieldValue(pod: PodObject, ref: FieldSelector): string {
  checkVersion(ref);
  const { fieldPath } = ref;
  const subscripted = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/s.exec(fieldPath);
  if (subscripted) {
    const [, path, key] = subscripted;
    const map = path === 'metadata.labels' ? pod.metadata.labels : pod.metadata.annotations;
    return mapEntry(map, key) ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations);
  }
  throw new ContainerConfigError(`unsupported fieldPath: ${fieldPath}`);
}

function checkVersion(ref: FieldSelector): void {
  if (ref.apiVersion && ref.apiVersion !== 'v1') {
    throw new ContainerConfigError(`unsupported pod version: ${ref.apiVersion}`);
  }
}

/**
 * The value of a resourceFieldRef: the container's limit or request in units of the
 * divisor (default 1), rounded up, as the kubelet does. A missing cpu, memory or
 * ephemeral-storage limit is the node's allocatable amount (a container without a limit
 * may use the whole node); a missing request is 0.
 */
export function resourceFieldValue(
  pod: PodObject,
  container: Container | undefined,
  ref: ResourceSelector,
  allocatable: Record<string, string | number> = {},
): string {
  if (ref.containerName) {
    const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
    container = all.find((c) => c.name === ref.containerName);
    if (!container) throw new ContainerConfigError(`container ${ref.containerName} not found`);
  }
  const match = /^(limits|requests)\.(cpu|memory|ephemeral-storage)$/.exec(ref.resource);
  if (!match || !container)
    throw new ContainerConfigError(`unsupported container resource : ${ref.resource}`);
  const [, list, resource] = match;
  const given = container.resources?.[list as 'limits' | 'requests']?.[resource];
  const amount = parseQuantity(given ?? (list === 'limits' ? (allocatable[resource] ?? 0) : 0)) ?? 0;
  const divisor = parseQuantity(ref.divisor ?? 1) || 1;
  // cpu in millicores, the rest in bytes, each rounded up first (Quantity.MilliValue / Value).
  const scale = resource === 'cpu' ? 1000 : 1;
  return String(Math.ceil(roundUp(amount * scale) / roundUp(divisor * scale)));
}

/** Rounds up, ignoring the float noise of decimal quantities (0.1 cores × 1000 = 100.00000000000001). */
function roundUp(value: number): number {
  return Math.ceil(Number(value.toPrecision(15)));
}

/** Labels or annotations as the downward API writes them: sorted `key="value"` lines (Go's %q). */
export function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((key) => `${key}=${goQuote(map![key])}`)
    .join('\n');
}

const ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

/** Go's strconv.Quote for the characters label and annotation values hold. */
function goQuote(value: string): string {
  let body = '';
  for (const c of value) {
    const code = c.charCodeAt(0);
    body += ESCAPES[c] ?? (code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : c);
  }
  return `"${body}"`;
}
