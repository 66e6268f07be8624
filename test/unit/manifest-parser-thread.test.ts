import { describe, expect, it } from 'vitest';
import { ApiError } from '../../server/errors.ts';
import { MANIFEST_LIMITS } from '../../server/resources/manifests/manifest-limits.ts';
import { ManifestParserThread } from '../../server/resources/manifests/manifest-parser-thread.ts';
import { parseManifests } from '../../server/resources/manifests/manifests.ts';

// Where manifests are parsed (server/resources/manifests/manifests.ts): small ones on the event
// loop, large ones on the parser thread, with the same answers; and the thread's own
// bounds (time, queue).

const configMaps = (n: number) =>
  Array.from(
    { length: n },
    (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-${i}}\ndata: {i: "${i}"}\n`,
  ).join('---\n');

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('parseManifests', () => {
  it('parses small and large manifests alike (large ones on the parser thread)', async () => {
    const small = await parseManifests(configMaps(3));
    expect(small).toHaveLength(3);
    const text = configMaps(400);
    expect(text.length).toBeGreaterThan(16 * 1024);
    const large = await parseManifests(text);
    expect(large).toHaveLength(400);
    expect(large[399]).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm-399' },
      data: { i: '399' },
    });
  }, 60_000);

  it('answers BAD_REQUEST for refusals on the parser thread too', async () => {
    const error = await refusal(parseManifests('kind: A\n'.repeat(3000)));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toMatch(/key "kind" already set in map/);
    const deep = await refusal(parseManifests('['.repeat(200_000)));
    expect(deep.message).toContain('exceeded max depth of 100 nested objects and lists');
  }, 60_000);

  it('keeps `__proto__` keys as own keys across the thread', async () => {
    const text = `__proto__: {polluted: true}\nkind: A\n# ${'x'.repeat(20_000)}\n`;
    const [obj] = (await parseManifests(text)) as Array<Record<string, unknown>>;
    expect(Object.keys(obj)).toEqual(['__proto__', 'kind']);
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
  }, 60_000);

  it('refuses text over maxBytes before parsing it', async () => {
    const error = await refusal(parseManifests(' '.repeat(MANIFEST_LIMITS.maxBytes + 1)));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toBe(
      `error parsing manifests: the manifests are larger than the limit of ${MANIFEST_LIMITS.maxBytes} bytes`,
    );
  });
});

describe('ManifestParserThread', () => {
  it('abandons a parse past its time with its worker, and serves the next one on a new worker', async () => {
    const thread = new ManifestParserThread({ timeoutMs: 300, maxQueued: 4, maxHeapMb: 256 });
    // The clock starts once the worker listens: its start-up (tsx, yaml) is not the parse's time.
    expect(JSON.parse(await thread.parse('kind: A'))).toEqual([{ kind: 'A' }]);
    const slow = configMaps(1000).replaceAll('---\n', '---\nfiller: [' + '1, '.repeat(300) + '1]\n');
    const error = await refusal(thread.parse(slow));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toBe(
      'error parsing manifests: parsing took longer than the limit of 0.3 s; apply them in smaller parts',
    );
    expect(JSON.parse(await thread.parse('kind: B'))).toEqual([{ kind: 'B' }]);
  }, 60_000);

  it('fails a parse that needs more memory than its worker has, and serves the next one', async () => {
    const thread = new ManifestParserThread({ timeoutMs: 60_000, maxQueued: 4, maxHeapMb: 24 });
    // One List document of 2.5 MB: a hundred MB of parser state, for a 24 MiB heap.
    const items = Array.from(
      { length: 2500 },
      (_, i) =>
        `- {apiVersion: v1, kind: ConfigMap, metadata: {name: cm-${i}}, data: {text: "${'z'.repeat(1000)}"}}`,
    );
    const error = await refusal(thread.parse(`kind: List\nitems:\n${items.join('\n')}\n`));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toBe(
      'error parsing manifests: parsing needs more than the limit of 24 MiB of memory',
    );
    expect(JSON.parse(await thread.parse('kind: B'))).toEqual([{ kind: 'B' }]);
  }, 60_000);

  it('refuses parses beyond its queue with TOO_MANY_REQUESTS', async () => {
    const thread = new ManifestParserThread({ timeoutMs: 20_000, maxQueued: 1, maxHeapMb: 256 });
    const first = thread.parse('kind: A');
    const second = thread.parse('kind: B');
    const third = await refusal(thread.parse('kind: C'));
    expect(third.code).toBe('TOO_MANY_REQUESTS');
    expect(JSON.parse(await first)).toEqual([{ kind: 'A' }]);
    expect(JSON.parse(await second)).toEqual([{ kind: 'B' }]);
  }, 60_000);
});
