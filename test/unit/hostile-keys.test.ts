import { describe, expect, it } from 'vitest';
import type { FieldError } from '../../schema/field-error.ts';
import { kindByName } from '../../schema/kinds/index.ts';
import { checkShape } from '../../schema/shape-check.ts';
import { ApiError } from '../../server/errors.ts';
import { checkMergePatch, mergePatch } from '../../server/resources/merge-patch.ts';

// Keys with a meaning in JavaScript, in the shape check (schema/shape-check.ts) and in
// merge patches (server/resources/merge-patch.ts), without a server.

/** Parsed like a request body: `__proto__` becomes an own key. */
const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

function shapeErrors(kind: string, manifest: unknown): Array<Pick<FieldError, 'path' | 'reason'>> {
  const errors: FieldError[] = [];
  checkShape(kindByName(kind)!.shape, manifest, '', errors);
  return errors.map(({ path, reason }) => ({ path, reason }));
}

function thrown(run: () => void): ApiError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error('did not throw');
}

describe('checkShape', () => {
  const cm = (metadata: string, data = '{}') =>
    json(`{"apiVersion":"v1","kind":"ConfigMap","metadata":${metadata},"data":${data}}`);

  it('knows only its own fields: names from Object.prototype are unknown', () => {
    expect(shapeErrors('ConfigMap', cm('{"name":"a","toString":"x","valueOf":1}'))).toEqual([
      { path: 'metadata.toString', reason: 'UnknownField' },
      { path: 'metadata.valueOf', reason: 'UnknownField' },
    ]);
  });

  it('forbids reserved keys in objects, maps and at the top', () => {
    expect(shapeErrors('ConfigMap', cm('{"name":"a","__proto__":{},"constructor":{}}'))).toEqual([
      { path: 'metadata.__proto__', reason: 'Forbidden' },
      { path: 'metadata.constructor', reason: 'Forbidden' },
    ]);
    expect(
      shapeErrors('ConfigMap', cm('{"name":"a","labels":{"__proto__":"x"}}', '{"__proto__":"y"}')),
    ).toEqual([
      { path: 'metadata.labels.__proto__', reason: 'Forbidden' },
      { path: 'data.__proto__', reason: 'Forbidden' },
    ]);
    expect(shapeErrors('ConfigMap', json('{"kind":"ConfigMap","__proto__":{"kind":"Secret"}}'))).toEqual([
      { path: '__proto__', reason: 'Forbidden' },
    ]);
  });

  it('takes constructor and prototype as ordinary keys of a string map, as Kubernetes does', () => {
    expect(
      shapeErrors(
        'ConfigMap',
        cm(
          '{"name":"a","labels":{"constructor":"x"},"annotations":{"prototype":"y"}}',
          '{"constructor":"c","prototype":"p"}',
        ),
      ),
    ).toEqual([]);
    // A map's values are strings: nothing nests under such a key.
    expect(shapeErrors('ConfigMap', cm('{"name":"a"}', '{"constructor":{"prototype":{}}}'))).toEqual([
      { path: 'data', reason: 'Invalid' },
    ]);
  });
});

describe('merge patches', () => {
  it('merges a `__proto__` key as an own key, never into the prototype', () => {
    const merged = mergePatch({ a: 1 }, json('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.keys(merged)).toEqual(['a', '__proto__']);
    expect((merged as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('merges `constructor` and `prototype` as own keys, leaving Object alone', () => {
    const merged = mergePatch(
      { data: { a: 'b' } },
      json('{"data":{"constructor":"c"},"constructor":{"prototype":{"polluted":true}}}'),
    ) as Record<string, Record<string, unknown>>;
    expect(merged.data).toEqual({ a: 'b', constructor: 'c' });
    expect(Object.hasOwn(merged, 'constructor')).toBe(true);
    expect(merged.constructor).toEqual({ prototype: { polluted: true } });
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect((Object.prototype as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('refuses __proto__ anywhere in the patch, with its paths, even to delete it', () => {
    const error = thrown(() =>
      checkMergePatch(
        'ConfigMap',
        'a',
        json(
          '{"__proto__":{},"data":{"__proto__":null,"constructor":null},"x":[{"__proto__":1,"prototype":1}]}',
        ),
        100,
      ),
    );
    expect(error.code).toBe('INVALID');
    expect((error.extensions.causes as Array<{ field: string }>).map((c) => c.field).sort()).toEqual([
      '__proto__',
      'data.__proto__',
      'x[0].__proto__',
    ]);
  });

  it('lets `constructor` and `prototype` through: they may be string map keys, and the shape check refuses them elsewhere', () => {
    expect(() =>
      checkMergePatch('ConfigMap', 'a', json('{"data":{"constructor":"c","prototype":null}}'), 100),
    ).not.toThrow();
  });

  it('refuses a patch nested deeper than the bound, without recursion', () => {
    let deep: unknown = 'x';
    for (let level = 0; level < 100_000; level++) deep = { a: deep };
    const error = thrown(() => checkMergePatch('ConfigMap', 'a', { data: deep }, 100));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toMatch(
      /^the patch exceeds max depth of 100 nested objects and lists \(at data(\.a)+\)$/,
    );
    expect(() => checkMergePatch('ConfigMap', 'a', { data: { a: { b: 'c' } } }, 3)).not.toThrow();
  });
});
