/**
 * ClusterIP and NodePort allocation. As in Kubernetes' bitmap allocators, a free value
 * is found by scanning forward from a random offset: choices spread over the range (a
 * deleted Service's address is rarely handed straight to a new one), yet the search
 * always ends, on a free value whenever one is left, which blind random retries cannot
 * promise on a crowded range. The low end of each range is a static band searched only
 * when the rest is full, so values people pick by hand (10.96.0.10 for DNS, a fixed
 * NodePort) seldom meet a dynamically allocated one.
 */

export const SERVICE_CIDR = '10.96.0.0/12';
const SERVICE_BASE = (10 << 24) | (96 << 16);
const SERVICE_SIZE = 2 ** 20;
/** Kubernetes' static band for a /12: min(max(16, size / 16), 256) addresses. */
const SERVICE_STATIC_BAND = 256;

export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;
/** Kubernetes' static band for NodePorts: min(max(16, size / 32), 128) ports. */
const NODE_PORT_STATIC_BAND = 86;

/** The address as a 32-bit number, or undefined unless it is a dotted quad without leading zeros. */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

function formatIPv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** Whether a Service may have `ip`: inside the service CIDR, but not its network or broadcast address. */
export function inServiceRange(ip: string): boolean {
  const value = parseIPv4(ip);
  if (value === undefined) return false;
  const offset = value - SERVICE_BASE;
  return offset > 0 && offset < SERVICE_SIZE - 1;
}

/** A free ClusterIP; throws when the range is full (Kubernetes answers that with an internal error). */
export function allocateClusterIP(taken: Set<string>): string {
  // 10.96.0.1 (offset 1) is never handed out: the `kubernetes` Service in `default` owns it.
  const isFree = (offset: number) => offset !== 1 && !taken.has(formatIPv4(SERVICE_BASE + offset));
  const offset = pickFree(1, SERVICE_SIZE - 1, SERVICE_STATIC_BAND, isFree);
  if (offset === undefined) throw new Error('failed to allocate a serviceIP: range is full');
  return formatIPv4(SERVICE_BASE + offset);
}

/** A free NodePort; throws when the range is full. */
export function allocateNodePort(taken: Set<number>): number {
  const port = pickFree(NODE_PORT_MIN, NODE_PORT_MAX + 1, NODE_PORT_STATIC_BAND, (p) => !taken.has(p));
  if (port === undefined) throw new Error('failed to allocate a nodePort: range is full');
  return port;
}

/** A free value in [from, to), looking above the static band [from, from + band) first. */
function pickFree(
  from: number,
  to: number,
  band: number,
  isFree: (value: number) => boolean,
): number | undefined {
  return scan(from + band, to, isFree) ?? scan(from, from + band, isFree);
}

function scan(from: number, to: number, isFree: (value: number) => boolean): number | undefined {
  const span = to - from;
  const start = Math.floor(Math.random() * span);
  for (let i = 0; i < span; i++) {
    const value = from + ((start + i) % span);
    if (isFree(value)) return value;
  }
  return undefined;
}
