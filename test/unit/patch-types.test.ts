import { describe, expect, it } from 'vitest';
import { deploymentKind } from '../../schema/kinds/deployment.ts';
import { podKind } from '../../schema/kinds/pod.ts';
import type { Shape } from '../../schema/shape.ts';
import { ApiError } from '../../server/errors.ts';
import { applyPatch, checkPatch } from '../../server/resources/patch.ts';
import type { Untyped } from '../support/harness.ts';

// The three patch types of server/resources/patch.ts on plain objects: what the REST API's
// PATCH and the GraphQL patch mutations apply inside the store's commit.

const smp = (target: unknown, patch: unknown, shape: Shape = deploymentKind.shape): Untyped =>
  applyPatch('strategic', shape, target, patch);

const spec = (containers: unknown[], extra: Record<string, unknown> = {}): Untyped => ({
  spec: { template: { spec: { containers, ...extra } } },
});

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof ApiError ? error.code : 'not an ApiError';
  }
  return undefined;
}

describe('strategic merge patch', () => {
  const stored = spec(
    [
      { name: 'a', image: 'a:1', ports: [{ containerPort: 80 }, { containerPort: 81 }] },
      { name: 'b', image: 'b:1' },
    ],
    { volumes: [{ name: 'v', emptyDir: {} }] },
  );

  it('merges keyed lists by their merge key and replaces lists without one', () => {
    const out = smp(
      stored,
      spec([{ name: 'a', image: 'a:2', ports: [{ containerPort: 81, name: 'metrics' }], args: ['x'] }]),
    );
    expect(out.spec).toEqual(
      spec(
        [
          {
            name: 'a',
            image: 'a:2',
            ports: [{ containerPort: 80 }, { containerPort: 81, name: 'metrics' }],
            args: ['x'],
          },
          { name: 'b', image: 'b:1' },
        ],
        { volumes: [{ name: 'v', emptyDir: {} }] },
      ).spec,
    );
    // The target is left as it was.
    expect(stored.spec.template.spec.containers[0].image).toBe('a:1');
  });

  it('deletes an item by $patch: delete, and replaces a list by $patch: replace', () => {
    const deleted = smp(stored, spec([{ name: 'b', $patch: 'delete' }]));
    expect(deleted.spec).toMatchObject(spec([{ name: 'a' }]).spec);
    expect(deleted.spec.template.spec.containers).toHaveLength(1);

    const replaced = smp(stored, spec([{ $patch: 'replace' }, { name: 'c', image: 'c:1' }]));
    expect(replaced.spec.template.spec.containers).toEqual([{ name: 'c', image: 'c:1' }]);
  });

  it('orders by $setElementOrder, kubectl set image and apply style', () => {
    const out = smp(stored, {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }],
            containers: [{ name: 'a', image: 'a:3' }],
          },
        },
      },
    });
    expect(out.spec.template.spec.containers.map((c: Untyped) => c.name)).toEqual(['b', 'a']);
  });

  it('$retainKeys clears what it does not name (a Deployment strategy switched to Recreate)', () => {
    const rolling = { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } };
    const out = smp(rolling, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } });
    expect(out.spec).toEqual({ strategy: { type: 'Recreate' } });
    expect(codeOf(() => smp(rolling, { spec: { strategy: { $retainKeys: ['x'], type: 'Recreate' } } }))).toBe(
      'INVALID',
    );
  });

  it('merges a list of scalars as a set when the patch carries its directives, as kubectl does for finalizers', () => {
    const meta = { metadata: { finalizers: ['a', 'b'] } };
    expect(
      smp(meta, { metadata: { finalizers: ['c'], '$setElementOrder/finalizers': ['a', 'b', 'c'] } }).metadata,
    ).toEqual({
      finalizers: ['a', 'b', 'c'],
    });
    expect(smp(meta, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }).metadata).toEqual({
      finalizers: ['b'],
    });
    expect(smp(meta, { metadata: { finalizers: ['c'] } }).metadata).toEqual({ finalizers: ['c'] });
  });

  it('replaces a map by $patch: replace, removes a field by null, and refuses unknown directives', () => {
    const labelled = { metadata: { labels: { a: '1', b: '2' } } };
    expect(smp(labelled, { metadata: { labels: { $patch: 'replace', c: '3' } } }).metadata).toEqual({
      labels: { c: '3' },
    });
    expect(smp(labelled, { metadata: { labels: { a: null } } }).metadata).toEqual({ labels: { b: '2' } });
    expect(codeOf(() => smp(labelled, { metadata: { $patch: 'explode' } }))).toBe('BAD_REQUEST');
    expect(codeOf(() => smp(stored, spec([{ image: 'no-name' }])))).toBe('BAD_REQUEST');
  });

  it('keys pod volumes and env by name, from the shapes', () => {
    const pod = { spec: { containers: [{ name: 'a', env: [{ name: 'X', value: '1' }] }] } };
    const out = smp(
      pod,
      { spec: { containers: [{ name: 'a', env: [{ name: 'X', value: '2' }] }] } },
      podKind.shape,
    );
    expect(out.spec).toEqual({ containers: [{ name: 'a', env: [{ name: 'X', value: '2' }] }] });
  });
});

describe('JSON patch', () => {
  const json = (target: unknown, ops: unknown[]) => applyPatch('json', undefined, target, ops);

  it('unescapes ~1 and ~0 in pointers, appends with -, and keeps key order on replace', () => {
    const doc = { 'a/b': 1, 'c~d': 2, list: [1, 2] };
    const out = json(doc, [
      { op: 'replace', path: '/a~1b', value: 10 },
      { op: 'copy', from: '/c~0d', path: '/copied' },
      { op: 'add', path: '/list/-', value: 3 },
      { op: 'add', path: '/list/0', value: 0 },
      { op: 'test', path: '/list', value: [0, 1, 2, 3] },
    ]);
    expect(out).toEqual({ 'a/b': 10, 'c~d': 2, list: [0, 1, 2, 3], copied: 2 });
    expect(Object.keys(out as object)).toEqual(['a/b', 'c~d', 'list', 'copied']);
    expect(doc.list).toEqual([1, 2]);
  });

  it('fails as INVALID when an operation does not apply, and as BAD_REQUEST when malformed', () => {
    expect(codeOf(() => json({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]))).toBe('INVALID');
    expect(codeOf(() => json({ a: 1 }, [{ op: 'remove', path: '/b' }]))).toBe('INVALID');
    expect(codeOf(() => json({ a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a/b/c' }]))).toBe('INVALID');
    expect(codeOf(() => json({ a: [] }, [{ op: 'add', path: '/a/5', value: 1 }]))).toBe('INVALID');
    expect(codeOf(() => json({}, [{ op: 'add', path: '/__proto__', value: {} }]))).toBe('INVALID');
    expect(codeOf(() => checkPatch('json', 'Pod', 'p', { op: 'add' }))).toBe('BAD_REQUEST');
    expect(codeOf(() => checkPatch('merge', 'Pod', 'p', []))).toBe('BAD_REQUEST');
  });
});
