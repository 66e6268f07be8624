import { parseQuantity } from './quantity.ts';

/**
 * Quantities as Kubernetes prints them (resource.Quantity's canonical String): "1" for
 * "1000m", "500m", "1k" for "1000", "128Mi" for binary amounts. Amounts are handled in
 * thousandths, the finest unit quota and LimitRange compare in.
 */

const DECIMAL = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
const BINARY = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** A quantity in thousandths of its base unit, rounded up as Kubernetes' MilliValue does. */
export function toMilli(quantity: string | number | undefined): number {
  if (quantity === undefined) return 0;
  const value = parseQuantity(quantity) ?? 0;
  return Math.ceil(Math.round(value * 1000 * 1e6) / 1e6);
}

/** Whether a quantity was written with a binary suffix (Ki, Mi, ...): sums of it print that way too. */
export function isBinary(quantity: string | number | undefined): boolean {
  return typeof quantity === 'string' && /[KMGTPE]i$/.test(quantity);
}

/** An amount in thousandths printed canonically, in binary suffixes when `binary` and they fit. */
export function formatMilli(milli: number, binary = false): string {
  if (milli % 1000 !== 0) return `${milli}m`;
  const whole = milli / 1000;
  if (whole === 0) return '0';
  const [base, suffixes] = binary && whole % 1024 === 0 ? [1024, BINARY] : [1000, DECIMAL];
  let amount = whole;
  let step = 0;
  while (step < suffixes.length - 1 && amount % base === 0) {
    amount /= base;
    step++;
  }
  return `${amount}${suffixes[step]}`;
}

/** A quantity as written, printed canonically ("1000m" → "1", "1024Mi" → "1Gi"). */
export function canonicalQuantity(quantity: string | number): string {
  return formatMilli(toMilli(quantity), isBinary(quantity));
}
