/** An IPv4 range: its first address as a 32-bit number and its prefix length. */
export interface Cidr {
  base: number;
  prefix: number;
}

/** A dotted IPv4 address as a number, or undefined for anything else (IPv6 included). */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

export function formatIPv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

const size = (prefix: number) => 2 ** (32 - prefix);

/** "10.0.0.0/8" (or a bare address, as a /32); host bits are cleared, as Kubernetes' validation expects none. */
export function parseCidr(text: string): Cidr | undefined {
  const [address, length, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const ip = parseIPv4(address);
  const prefix = length === undefined ? 32 : /^\d{1,2}$/.test(length) ? Number(length) : NaN;
  if (ip === undefined || !(prefix >= 0 && prefix <= 32)) return undefined;
  return { base: ip - (ip % size(prefix)), prefix };
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIPv4(cidr.base)}/${cidr.prefix}`;
}

export function cidrContains(cidr: Cidr, ip: number): boolean {
  return ip >= cidr.base && ip < cidr.base + size(cidr.prefix);
}

function covers(outer: Cidr, inner: Cidr): boolean {
  return outer.prefix <= inner.prefix && cidrContains(outer, inner.base);
}

/**
 * `cidr` without the `except` ranges, as the fewest CIDRs that cover exactly the rest:
 * iptables cannot say "in A but not in B or C" in one rule, so an ipBlock with `except`
 * is written as the ranges that remain.
 */
export function subtractCidrs(cidr: Cidr, except: Cidr[]): Cidr[] {
  if (except.some((e) => covers(e, cidr))) return [];
  if (!except.some((e) => covers(cidr, e))) return [cidr];
  const half = { prefix: cidr.prefix + 1 };
  const low = { ...half, base: cidr.base };
  const high = { ...half, base: cidr.base + size(half.prefix) };
  return [...subtractCidrs(low, except), ...subtractCidrs(high, except)];
}
