/**
 * Kubernetes resource quantities ("100m", "1.5", "128Mi", "1e3"). Parsing returns
 * the value in base units (cores, bytes) or undefined when the text is not a quantity.
 */
const SUFFIX: Record<string, number> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([numkMGTPE]|[KMGTPE]i)|[eE]([+-]?\d+))?$/;

export function parseQuantity(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const match = QUANTITY.exec(value);
  if (!match) return undefined;
  const [, digits, suffix, exponent] = match;
  const base = Number(digits);
  if (exponent !== undefined) return base * 10 ** Number(exponent);
  return base * SUFFIX[suffix ?? ''];
}
