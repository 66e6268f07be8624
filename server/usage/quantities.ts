/**
 * Usage written the way metrics-server and kubectl write it. metrics-server serves CPU
 * as a quantity scaled from nanocores and memory as one from bytes, both in canonical
 * form (the largest suffix that keeps the number whole: "250m", "12345n", "1516924Ki");
 * `kubectl top` prints CPU in millicores rounded up and memory in whole MiB rounded
 * down, and a node's share of its allocatable as a floored percentage.
 */

const DECIMAL_SUFFIXES: Array<[suffix: string, nanos: bigint]> = [
  ['E', 10n ** 27n],
  ['P', 10n ** 24n],
  ['T', 10n ** 21n],
  ['G', 10n ** 18n],
  ['M', 10n ** 15n],
  ['k', 10n ** 12n],
  ['', 10n ** 9n],
  ['m', 10n ** 6n],
  ['u', 10n ** 3n],
  ['n', 1n],
];

const BINARY_SUFFIXES: Array<[suffix: string, bytes: bigint]> = [
  ['Ei', 2n ** 60n],
  ['Pi', 2n ** 50n],
  ['Ti', 2n ** 40n],
  ['Gi', 2n ** 30n],
  ['Mi', 2n ** 20n],
  ['Ki', 2n ** 10n],
];

/** CPU nanocores as a canonical decimal quantity: 250000000 → "250m", 12345 → "12345n", 0 → "0". */
export function cpuQuantity(nanocores: number): string {
  const n = BigInt(Math.max(0, Math.round(nanocores)));
  if (n === 0n) return '0';
  for (const [suffix, unit] of DECIMAL_SUFFIXES) if (n % unit === 0n) return `${n / unit}${suffix}`;
  return `${n}n`;
}

/** Bytes as a canonical binary quantity: 1048576 → "1Mi", 1553330176 → "1516924Ki", 1000 → "1000". */
export function memoryQuantity(bytes: number): string {
  const n = BigInt(Math.max(0, Math.round(bytes)));
  if (n === 0n) return '0';
  for (const [suffix, unit] of BINARY_SUFFIXES) if (n % unit === 0n) return `${n / unit}${suffix}`;
  return `${n}`;
}

/** Quantity.MilliValue of a CPU usage: millicores, rounded up. */
export function millicores(nanocores: number): number {
  return Math.ceil(Math.max(0, Math.round(nanocores)) / 1e6);
}

/** `kubectl top`'s CPU(cores) column: "250m". */
export function topCpu(nanocores: number): string {
  return `${millicores(nanocores)}m`;
}

/** `kubectl top`'s MEMORY(bytes) column: "12Mi". */
export function topMemory(bytes: number): string {
  return `${Math.floor(Math.max(0, bytes) / 2 ** 20)}Mi`;
}

/** Usage as a floored percentage of what the node offers, undefined when that is unknown or zero. */
export function percentOf(used: number, allocatable: number | undefined): number | undefined {
  if (allocatable === undefined || !(allocatable > 0)) return undefined;
  return Math.floor((used * 100) / allocatable);
}

/** A window as a Duration is written: 10000 → "10s", 205 → "0.205s". */
export function windowText(ms: number): string {
  return `${Number((Math.max(0, ms) / 1000).toFixed(3))}s`;
}
