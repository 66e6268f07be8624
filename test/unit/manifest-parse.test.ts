import { describe, expect, it } from 'vitest';
import {
  MANIFEST_LIMITS,
  ManifestError,
  type ManifestLimits,
} from '../../server/resources/manifests/manifest-limits.ts';
import { jsonNesting, parseManifestText } from '../../server/resources/manifests/manifest-parse.ts';
import { TooMuchWork } from '../../server/resources/manifests/yaml-values.ts';

// The bounded manifest parser (server/resources/manifests/manifest-parse.ts) on its own: what it
// reads, and each limit, at and just past its value.

const SMALL: ManifestLimits = {
  maxBytes: 1 << 20,
  maxDepth: 5,
  maxDocuments: 3,
  maxObjects: 4,
  maxValues: 50,
};

const parse = (text: string, limits: ManifestLimits = MANIFEST_LIMITS) => parseManifestText(text, limits);

function refusal(text: string, limits: ManifestLimits = SMALL): string {
  try {
    parse(text, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(ManifestError);
    return (error as Error).message;
  }
  throw new Error('parsed without error');
}

describe('what it reads', () => {
  it('reads JSON objects, arrays and Lists, unwrapped', () => {
    expect(parse('{"kind":"A"}')).toEqual([{ kind: 'A' }]);
    expect(parse('[{"kind":"A"},[{"kind":"B"}]]')).toEqual([{ kind: 'A' }, { kind: 'B' }]);
    expect(parse('{"kind":"List","items":[{"kind":"A"},{"kind":"List","items":[{"kind":"B"}]}]}')).toEqual([
      { kind: 'A' },
      { kind: 'B' },
    ]);
  });

  it('reads YAML with several documents, dropping empty ones, in order', () => {
    const text =
      'kind: A\nmetadata: {name: a}\n---\n---\n# nothing\n---\nkind: List\nitems:\n- kind: B\n- kind: C\n';
    expect(parse(text)).toEqual([{ kind: 'A', metadata: { name: 'a' } }, { kind: 'B' }, { kind: 'C' }]);
  });

  it('reads text that starts like JSON but is YAML as YAML', () => {
    expect(parse('{"kind": "A"}\n---\n{kind: B}')).toEqual([{ kind: 'A' }, { kind: 'B' }]);
  });

  it('keeps scalars as YAML 1.2 types them, keys as strings', () => {
    expect(parse('a: 1\nb: "1"\nc: true\nd: ~\ne: 1.5\n8080: x\n')).toEqual([
      { a: 1, b: '1', c: true, d: null, e: 1.5, '8080': 'x' },
    ]);
  });

  it('keeps `__proto__` as an own key for validation to refuse, and no prototype changes', () => {
    for (const text of [
      '__proto__: {polluted: true}\nkind: A',
      '{"__proto__": {"polluted": true}, "kind": "A"}',
    ]) {
      const [obj] = parse(text) as Array<Record<string, unknown>>;
      expect(Object.keys(obj)).toEqual(['__proto__', 'kind']);
      expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
      expect((obj as { polluted?: boolean }).polluted).toBeUndefined();
      expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    }
  });

  it('gives each alias its own copy', () => {
    const [obj] = parse('a: &x {b: [1]}\nc: *x\n') as Array<{ a: { b: number[] }; c: { b: number[] } }>;
    expect(obj.c).toEqual({ b: [1] });
    expect(obj.c).not.toBe(obj.a);
    expect(obj.c.b).not.toBe(obj.a.b);
  });
});

describe('malformed YAML', () => {
  it.each([
    ['a: [1, 2\nb: 3', /^error parsing manifests \(line 2, column 1\): /],
    ['a: 1\nb: 2\na: 3', 'error parsing manifests (line 3, column 1): key "a" already set in map'],
    [
      '? [a, b]\n: 1',
      'error parsing manifests (line 1, column 3): map keys must be strings, numbers or booleans',
    ],
    [
      'a: *nowhere',
      'error parsing manifests (line 1, column 4): unknown anchor "nowhere" referenced by an alias',
    ],
    ['a: &x [*x]', 'error parsing manifests (line 1, column 8): alias "*x" is inside the node it refers to'],
    [
      'a: .inf',
      'error parsing manifests (line 1, column 4): numbers must be finite (.inf and .nan are not JSON)',
    ],
  ])('%j', (text, message) => {
    expect(refusal(text, MANIFEST_LIMITS)).toMatch(message);
  });
});

describe('limits', () => {
  const nested = (open: string, close: string, depth: number) => open.repeat(depth) + close.repeat(depth);

  it('nesting: up to maxDepth in JSON, YAML flow and YAML block style', () => {
    expect(parse(nested('[', ']', 5), SMALL)).toEqual([]);
    expect(parse(`a: ${nested('[', ']', 4)}`, SMALL)).toEqual([{ a: [[[[]]]] }]);
    const block = (depth: number) =>
      Array.from({ length: depth }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' x';
    expect(parse(block(5), SMALL)).toHaveLength(1);

    const tooDeep = 'exceeded max depth of 5 nested objects and lists';
    expect(refusal(nested('[', ']', 6))).toContain(tooDeep);
    expect(refusal(`{"a":${nested('[', ']', 5)}}`)).toContain(tooDeep);
    expect(refusal(`a: ${nested('[', ']', 5)}`)).toContain(tooDeep);
    expect(refusal(block(6))).toContain(tooDeep);
    expect(refusal(`${'- '.repeat(6)}x`)).toContain(tooDeep);
  });

  it('nesting: hostile depths stop early, at the limit', () => {
    const started = performance.now();
    for (const text of [
      '['.repeat(3 * 1024 * 1024),
      `${'- '.repeat(500_000)}x`,
      nested('{"a":', '}', 100_000),
    ])
      expect(refusal(text, MANIFEST_LIMITS)).toContain('exceeded max depth of 100 nested objects and lists');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('nesting: through aliases too', () => {
    // x is 5 deep where it is defined, one deeper where the alias puts it.
    expect(parse('a: &x [[[[1]]]]\n', SMALL)).toHaveLength(1);
    expect(refusal('a: &x [[[[1]]]]\nb: [*x]\n')).toBe(
      'error parsing manifests (line 2, column 5): exceeded max depth of 5 nested objects and lists',
    );
    expect(parse('a: &x [[1]]\nb: [*x]\n', SMALL)).toEqual([{ a: [[1]], b: [[[1]]] }]);
  });

  it('documents: maxDocuments, empty ones counted', () => {
    expect(parse('kind: A\n---\nkind: B\n---\nkind: C\n', SMALL)).toHaveLength(3);
    expect(refusal('kind: A\n---\nkind: B\n---\nkind: C\n---\nkind: D\n')).toBe(
      'error parsing manifests (line 6, column 1): more than 3 YAML documents',
    );
    expect(refusal('---\n'.repeat(4))).toContain('more than 3 YAML documents');
  });

  it('objects: maxObjects, after Lists are unwrapped', () => {
    const list = (n: number) =>
      JSON.stringify({ kind: 'List', items: Array.from({ length: n }, () => ({ kind: 'A' })) });
    expect(parse(list(4), SMALL)).toHaveLength(4);
    expect(refusal(list(5))).toBe('error parsing manifests: more than 4 objects in one apply');
  });

  it('values: an alias bomb stops at maxValues', () => {
    const lines = ['l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let level = 1; level <= 9; level++)
      lines.push(
        `l${level}: &l${level} [${Array(9)
          .fill(`*l${level - 1}`)
          .join(', ')}]`,
      );
    const started = performance.now();
    expect(refusal(lines.join('\n'), MANIFEST_LIMITS)).toMatch(
      /^error parsing manifests \(line \d+, column \d+\): the manifests expand to more than 1000000 values/,
    );
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(refusal('a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*a, *a, *a, *a, *a]\n')).toContain(
      'expand to more than 50 values',
    );
  });

  it('time: past its deadline a parse gives up with TooMuchWork, for its caller to move it elsewhere', () => {
    expect(() =>
      parseManifestText('kind: A\n---\nkind: B\n', MANIFEST_LIMITS, performance.now() - 1),
    ).toThrow(TooMuchWork);
  });
});

describe('jsonNesting', () => {
  it('counts brackets and braces outside strings, escapes included', () => {
    expect(jsonNesting('{"a":[1,{"b":2}]}', 100)).toBe(3);
    expect(jsonNesting('{"a":"[[[{{{"}', 100)).toBe(1);
    expect(jsonNesting('{"a":"\\"[[["}', 100)).toBe(1);
    expect(jsonNesting('"no"', 100)).toBe(0);
  });

  it('stops once past the bound', () => {
    expect(jsonNesting('['.repeat(1000), 10)).toBe(11);
  });
});
