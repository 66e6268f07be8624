/**
 * The fuzz suite's one source of randomness. Every case is generated from (run seed,
 * family, index) alone, so a failing case can be generated again from the seed and its
 * index printed beside it, without replaying the cases before it.
 */

/** A small, fast 32-bit PRNG (mulberry32): good enough spread for fuzzing, and reproducible. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The generator of one case: independent of every other case of the run. */
  static forCase(seed: number, family: string, index: number): Random {
    return new Random(hash(`${seed >>> 0}/${family}/${index}`));
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks by weight: `[[3, 'a'], [1, 'b']]` gives 'a' three times as often as 'b'. */
  weighted<T>(choices: ReadonlyArray<readonly [number, T]>): T {
    const total = choices.reduce((sum, [weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [weight, value] of choices) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return choices[choices.length - 1][1];
  }

  /**
   * One of `sizes` (smallest first), the larger ones less often: the big inputs are where
   * the server breaks, and also what makes a run slow, so every run has a few of them.
   */
  sized(sizes: readonly number[]): number {
    return sizes[Math.floor(this.next() * this.next() * sizes.length)];
  }

  /** A size skewed towards small: most cases stay cheap, a few reach `max`. */
  size(max: number): number {
    return Math.floor(Math.pow(this.next(), 3) * max);
  }

  /** A short identifier-like string. */
  word(min = 1, max = 8): string {
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    let out = '';
    for (let i = this.int(min, max); i > 0; i--) out += letters[this.int(0, 25)];
    return out;
  }
}

/** FNV-1a, 32 bits: turns a case's coordinates into its seed. */
export function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The run's seed: KQ_FUZZ_SEED to replay one, otherwise a fresh one (printed by the suite). */
export function runSeed(): number {
  const given = process.env.KQ_FUZZ_SEED;
  if (given !== undefined && given !== '') return Number(given) >>> 0;
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}

/** Strings that have broken parsers, encoders and key lookups before. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '\t\n\r',
  '\u0000',
  'a\u0000b',
  '\u200b\u200e\u202e',
  'Ṫ̈́̈ḛ̤͖s̗t̘',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  '\ud800',
  '\udfff\ud800',
  '\uffff\ufffe',
  'ﷺ',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '%s%n%x',
  '${jndi:ldap://x}',
  "'; DROP TABLE objects; --",
  '<script>alert(1)</script>',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  '..',
  '.',
  '-',
  'a/b',
  'UPPER',
  'a'.repeat(63),
  'a'.repeat(64),
  'a'.repeat(253),
  'a'.repeat(254),
  '0',
  '-1',
  '1e309',
  'NaN',
  'null',
  'true',
  '"',
  '\\',
  '"""',
];

export const HOSTILE_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  '__defineSetter__',
  '__lookupGetter__',
  'then',
  'length',
  '',
  ' ',
  '\u0000',
  '$',
  '.',
  'a.b',
  'a/b',
  '👾',
];

/** Numbers at the edges of every representation between JSON, JavaScript, SQLite and Go. */
export const EXTREME_NUMBERS: readonly number[] = [
  0,
  -0,
  -1,
  1,
  0.5,
  -0.5,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  -(2 ** 31) - 1,
  2 ** 32,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  2 ** 63,
  1e21,
  1e308,
  -1e308,
  5e-324,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
];

/** Number spellings JSON.stringify cannot produce: written into the text as they are. */
export const EXTREME_NUMBER_TEXTS: readonly string[] = [
  '1e400',
  '-1e400',
  '123456789012345678901234567890',
  '0.000000000000000000000000000000000000000001',
  '-0.0',
  '1E+2',
  '9007199254740993',
];

/** A random string: mostly hostile samples, sometimes random code points, sometimes long. */
export function randomString(rng: Random, maxLength = 64): string {
  return rng.weighted<() => string>([
    [4, () => rng.pick(HOSTILE_STRINGS)],
    [3, () => rng.word(1, 12)],
    [
      2,
      () => {
        let out = '';
        for (let i = rng.int(1, Math.min(maxLength, 40)); i > 0; i--) {
          out += String.fromCodePoint(
            rng.weighted([
              [4, rng.int(0x20, 0x7e)],
              [1, rng.int(0, 0x1f)],
              [2, rng.int(0x80, 0xd7ff)],
              [1, rng.int(0xd800, 0xdfff)],
              [1, rng.int(0x10000, 0x10ffff)],
            ]),
          );
        }
        return out;
      },
    ],
    [1, () => rng.pick(['x', 'é', '\u0000', '👾', '"', '\\']).repeat(rng.size(maxLength) + 1)],
  ])();
}
