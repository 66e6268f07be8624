import { describe, expect, it } from 'vitest';
import { parseQuantity } from '../../schema/quantity.ts';
import type { Resource } from '../../schema/kind.ts';
import { mergePatch } from '../../server/resources/merge-patch.ts';
import {
  fromLabelSelector,
  matches,
  parseLabelSelector,
  SelectorSyntaxError,
  selectorMatches,
  type Requirement,
} from '../../schema/label-selector.ts';
import { EventLog, type StoreEvent } from '../../server/store/event-log.ts';

describe('label selectors: parse', () => {
  it.each<[string, Requirement[]]>([
    ['app=web', [{ key: 'app', op: 'in', values: ['web'] }]],
    ['app==web', [{ key: 'app', op: 'in', values: ['web'] }]],
    ['app!=web', [{ key: 'app', op: 'notin', values: ['web'] }]],
    ['env in (prod, staging)', [{ key: 'env', op: 'in', values: ['prod', 'staging'] }]],
    ['env notin (qa)', [{ key: 'env', op: 'notin', values: ['qa'] }]],
    ['legacy', [{ key: 'legacy', op: 'exists', values: [] }]],
    ['!legacy', [{ key: 'legacy', op: '!', values: [] }]],
    ['example.com/team=a.b_c-d', [{ key: 'example.com/team', op: 'in', values: ['a.b_c-d'] }]],
    // An empty value is a value: `tier=` selects objects whose tier label is "".
    ['tier=', [{ key: 'tier', op: 'in', values: [''] }]],
    [
      'app=web,tier!=db,env in (a,b),!legacy,track',
      [
        { key: 'app', op: 'in', values: ['web'] },
        { key: 'tier', op: 'notin', values: ['db'] },
        { key: 'env', op: 'in', values: ['a', 'b'] },
        { key: 'legacy', op: '!', values: [] },
        { key: 'track', op: 'exists', values: [] },
      ],
    ],
    [
      '  app  =  web  ,  !legacy  ',
      [
        { key: 'app', op: 'in', values: ['web'] },
        { key: 'legacy', op: '!', values: [] },
      ],
    ],
    ['', []],
  ])('%j', (text, expected) => {
    expect(parseLabelSelector(text)).toEqual(expected);
  });

  it.each([
    'app in web',
    'app in (web',
    'app notin',
    '=web',
    '!=web',
    '!',
    '!app=web',
    'app=web,,tier=db',
    'a b',
    'a=b=c',
    'a=b c',
    'app=(web)',
    ',app',
  ])('rejects %j with a SelectorSyntaxError', (text) => {
    expect(() => parseLabelSelector(text)).toThrow(SelectorSyntaxError);
  });

  // apimachinery's labels.Parse refuses these too.
  it.each(['app=web,', 'env in ()', 'env in (a b)', '-bad-key=x', 'app=-web'])(
    'rejects %j as Kubernetes does',
    (text) => {
      expect(() => parseLabelSelector(text)).toThrow(SelectorSyntaxError);
    },
  );
});

describe('label selectors: match', () => {
  const labels = { app: 'web', env: 'prod', tier: '' };
  it.each<[string, Record<string, string> | undefined, boolean]>([
    ['app=web', labels, true],
    ['app=api', labels, false],
    ['app!=api', labels, true],
    ['app!=web', labels, false],
    // != and notin match objects that lack the key, as in Kubernetes.
    ['track!=stable', labels, true],
    ['track notin (stable)', labels, true],
    ['track in (stable)', labels, false],
    ['env in (qa,prod)', labels, true],
    ['env notin (qa,prod)', labels, false],
    ['tier', labels, true],
    ['tier=', labels, true],
    ['!tier', labels, false],
    ['!track', labels, true],
    ['app=web,env=prod', labels, true],
    ['app=web,env=qa', labels, false],
    ['app', undefined, false],
    ['!app', undefined, true],
    ['app!=web', undefined, true],
    ['', undefined, true],
  ])('%j on %j → %s', (text, set, expected) => {
    expect(matches(parseLabelSelector(text), set)).toBe(expected);
  });

  it('matches structured LabelSelectors as specs carry them', () => {
    const selector = {
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'env', operator: 'In' as const, values: ['prod', 'qa'] },
        { key: 'legacy', operator: 'DoesNotExist' as const },
        { key: 'tier', operator: 'Exists' as const },
        { key: 'track', operator: 'NotIn' as const, values: ['canary'] },
      ],
    };
    expect(fromLabelSelector(selector)).toEqual([
      { key: 'app', op: 'in', values: ['web'] },
      { key: 'env', op: 'in', values: ['prod', 'qa'] },
      { key: 'legacy', op: '!', values: [] },
      { key: 'tier', op: 'exists', values: [] },
      { key: 'track', op: 'notin', values: ['canary'] },
    ]);
    expect(selectorMatches(selector, { app: 'web', env: 'qa', tier: 'fe' })).toBe(true);
    expect(selectorMatches(selector, { app: 'web', env: 'qa', tier: 'fe', track: 'canary' })).toBe(false);
    expect(selectorMatches(selector, { app: 'web', env: 'qa', tier: 'fe', legacy: 'x' })).toBe(false);
    expect(selectorMatches(selector, { app: 'web', env: 'dev', tier: 'fe' })).toBe(false);
    expect(selectorMatches(selector, { app: 'web', env: 'qa' })).toBe(false);
    // An empty selector matches everything.
    expect(selectorMatches({}, undefined)).toBe(true);
    expect(selectorMatches(undefined, { any: 'thing' })).toBe(true);
  });
});

describe('JSON merge patch (RFC 7386)', () => {
  // The examples of RFC 7386, Appendix A.
  it.each<[unknown, unknown, unknown]>([
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [
      ['a', 'b'],
      ['c', 'd'],
      ['c', 'd'],
    ],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ])('%j patched with %j is %j', (target, patch, expected) => {
    expect(mergePatch(target, patch)).toEqual(expected);
  });

  it('the RFC example document', () => {
    const target = {
      title: 'Goodbye!',
      author: { givenName: 'John', familyName: 'Doe' },
      tags: ['example', 'sample'],
      content: 'This will be unchanged',
    };
    const patch = {
      title: 'Hello!',
      phoneNumber: '+01-123-456-7890',
      author: { familyName: null },
      tags: ['example'],
    };
    expect(mergePatch(target, patch)).toEqual({
      title: 'Hello!',
      author: { givenName: 'John' },
      tags: ['example'],
      content: 'This will be unchanged',
      phoneNumber: '+01-123-456-7890',
    });
  });

  it('modifies neither the target nor the patch, and shares nothing with the patch', () => {
    const target = {
      metadata: { labels: { app: 'web', tier: 'fe' } },
      spec: { replicas: 1, ports: [{ port: 80 }] },
    };
    const patch = { metadata: { labels: { tier: null, env: 'prod' } }, spec: { ports: [{ port: 8080 }] } };
    const before = structuredClone(target);
    const patchBefore = structuredClone(patch);
    const result = mergePatch(target, patch) as typeof target;
    expect(result).toEqual({
      metadata: { labels: { app: 'web', env: 'prod' } },
      spec: { replicas: 1, ports: [{ port: 8080 }] },
    });
    expect(target).toEqual(before);
    expect(patch).toEqual(patchBefore);
    result.spec.ports[0].port = 1;
    expect(patch.spec.ports[0].port).toBe(8080);
  });
});

describe('quantities', () => {
  it.each<[string | number, number]>([
    ['100m', 0.1],
    ['1.5', 1.5],
    ['128Mi', 128 * 2 ** 20],
    ['1e3', 1000],
    ['1E3', 1000],
    ['1e-3', 0.001],
    ['2Ki', 2048],
    ['1Gi', 2 ** 30],
    ['1G', 1e9],
    ['1k', 1000],
    ['500n', 500e-9],
    ['250u', 250e-6],
    ['2', 2],
    ['0', 0],
    ['.5', 0.5],
    ['+4', 4],
    ['-1', -1],
    ['1E', 1e18],
    ['1Ei', 2 ** 60],
    [2, 2],
    [0.25, 0.25],
  ])('%j is %d', (text, expected) => {
    expect(parseQuantity(text)).toBeCloseTo(expected, 12);
  });

  it.each([
    '',
    'abc',
    'm',
    '1Kb',
    '1K',
    '1ki',
    '1mi',
    '1.2.3',
    '1e',
    '0x10',
    '1 Mi',
    '1k2',
    'Infinity',
    'NaN',
    '--1',
  ])('rejects %j', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });

  // Kubernetes' ParseQuantity refuses surrounding whitespace too.
  it.each([' 1', '1Mi '])('rejects %j', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });

  it('rejects numbers that are not finite', () => {
    expect(parseQuantity(Number.NaN)).toBeUndefined();
    expect(parseQuantity(Number.POSITIVE_INFINITY)).toBeUndefined();
  });
});

describe('event log', () => {
  const event = (revision: number, time = revision * 1000): StoreEvent => ({
    revision,
    type: 'ADDED',
    kind: 'ConfigMap',
    key: `ConfigMap/default/cm-${revision}`,
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${revision}` } } as Resource,
    time,
  });
  const revisions = (events: StoreEvent[]) => events.map((e) => e.revision);
  const filled = (n: number) => {
    const log = new EventLog();
    log.append(Array.from({ length: n }, (_, i) => event(i + 1)));
    return log;
  };

  it('since(revision) returns the events after it, oldest first', () => {
    const log = filled(10);
    expect(log.size).toBe(10);
    expect(revisions(log.since(0))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(revisions(log.since(7))).toEqual([8, 9, 10]);
    expect(revisions(log.since(10))).toEqual([]);
    expect(revisions(log.since(99))).toEqual([]);
  });

  it('since() works across gaps in the revisions it holds', () => {
    const log = new EventLog();
    log.append([event(3), event(5), event(9)]);
    expect(revisions(log.since(4))).toEqual([5, 9]);
    expect(revisions(log.since(5))).toEqual([9]);
    expect(revisions(log.since(2))).toEqual([3, 5, 9]);
  });

  it('compactTo(revision) drops the events at or below it and remembers the point', () => {
    const log = filled(10);
    expect(log.compacted).toBe(0);
    log.compactTo(4);
    expect(log.compacted).toBe(4);
    expect(log.size).toBe(6);
    expect(revisions(log.since(4))).toEqual([5, 6, 7, 8, 9, 10]);
    // Compacting to an older point changes nothing.
    log.compactTo(2);
    expect(log.compacted).toBe(4);
    expect(log.size).toBe(6);
    log.compactTo(10);
    expect(log.size).toBe(0);
    expect(log.compacted).toBe(10);
    log.append([event(11)]);
    expect(revisions(log.since(10))).toEqual([11]);
  });

  it('compactionPoint keeps at most `count` events', () => {
    const log = filled(10);
    expect(log.compactionPoint(4, 0)).toBe(6);
    expect(log.compactionPoint(10, 0)).toBe(0);
    expect(log.compactionPoint(100, 0)).toBe(0);
    expect(log.compactionPoint(0, 0)).toBe(10);
  });

  it('compactionPoint keeps no event older than `before`', () => {
    const log = filled(10); // event n was written at n seconds
    expect(log.compactionPoint(100, 3500)).toBe(3);
    expect(log.compactionPoint(100, 3000)).toBe(2);
    expect(log.compactionPoint(100, 0)).toBe(0);
    expect(log.compactionPoint(100, 11_000)).toBe(10);
    // Both limits: the stricter wins.
    expect(log.compactionPoint(5, 3500)).toBe(5);
    expect(log.compactionPoint(8, 6500)).toBe(6);
  });

  it('compactionPoint never goes below what is already compacted', () => {
    const log = filled(10);
    log.compactTo(6);
    expect(log.compactionPoint(100, 0)).toBe(6);
    expect(log.compactionPoint(2, 0)).toBe(8);
    const empty = new EventLog();
    expect(empty.compactionPoint(10, Date.now())).toBe(0);
  });
});
