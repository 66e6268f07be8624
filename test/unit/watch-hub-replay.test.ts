import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Resource } from '../../schema/kind.ts';
import { BOOKMARK_INTERVAL_ANNOTATION } from '../../schema/watch-bookmarks.ts';
import { openDatabase } from '../../server/store/database.ts';
import { Persistence } from '../../server/store/persistence.ts';
import { objectKey, Store } from '../../server/store/store.ts';
import { WatchHub, type WatchItem, type WatchRequest } from '../../server/watch/hub.ts';

// The hub on a real store with a small backlog limit. The stall behind this test: a
// watch resuming more than maxBacklog events behind had its whole replay queued at once,
// was shed with TOO_MANY_REQUESTS before it could send any of it, resumed from the same
// revision, was shed again, for ever: no event, no error, no end for the SDK's consumer.

const MAX_BACKLOG = 10;
const INTERVAL = 60_000;
let dataDir: string;
let store: Store;
let hub: WatchHub;

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-hub-'));
  const { db, provider } = await openDatabase({ dataDir });
  store = await Store.open(new Persistence(db, provider), {
    retainEvents: 10_000,
    retainBytes: Infinity,
    retainMs: 60 * 60 * 1000,
    compactEveryMs: 60_000,
    indexers: {},
    onError: (error) => {
      throw error;
    },
  });
  hub = new WatchHub(store, { bookmarkEveryMs: INTERVAL, maxBacklog: MAX_BACKLOG });
});
afterEach(async () => {
  hub.close();
  await store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Writes ConfigMaps n..n+count-1, one commit each. */
async function write(count: number, from = 0): Promise<void> {
  for (let n = from; n < from + count; n++) {
    const obj: Resource = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `c${n}`, namespace: 'default' },
    };
    await store.commit([{ key: objectKey('ConfigMap', 'default', `c${n}`), decide: () => ({ put: obj }) }]);
  }
}

function watch(request: Partial<WatchRequest>): AsyncIterableIterator<WatchItem> {
  return hub.watch({ kind: 'ConfigMap', apiVersion: 'v1', filter: () => true, ...request });
}

/** Pulls `n` items, as the transport does. */
async function take(iterator: AsyncIterableIterator<WatchItem>, n: number): Promise<WatchItem[]> {
  const items: WatchItem[] = [];
  while (items.length < n) {
    const next = await iterator.next();
    if (next.done) break;
    items.push(next.value);
  }
  return items;
}

const summary = (item: WatchItem) =>
  item.type === 'ERROR'
    ? `ERROR ${item.error.code}`
    : `${item.type} ${item.object.metadata.name ?? ''}@${item.object.metadata.resourceVersion}`;

describe('what a watch replays does not count against its backlog', () => {
  it('a watch resuming far more than maxBacklog events behind receives all of them, then a bookmark', async () => {
    const start = store.revision;
    await write(5 * MAX_BACKLOG);
    const items = await take(
      watch({ resourceVersion: String(start), allowBookmarks: true }),
      5 * MAX_BACKLOG + 1,
    );
    expect(items.map(summary)).toEqual([
      ...Array.from({ length: 5 * MAX_BACKLOG }, (_, n) => `ADDED c${n}@${start + n + 1}`),
      `BOOKMARK @${store.revision}`,
    ]);
    // The bookmark that ends a replay says when the next ones are due.
    const bookmark = items.at(-1) as { object: Resource };
    expect(bookmark.object.metadata.annotations).toEqual({
      [BOOKMARK_INTERVAL_ANNOTATION]: String(INTERVAL),
    });
  });

  it('so do the initial ADDED events of a watch without resourceVersion', async () => {
    await write(5 * MAX_BACKLOG);
    const items = await take(watch({ allowBookmarks: true }), 5 * MAX_BACKLOG + 2);
    expect(items.slice(0, -2).every((item) => item.type === 'ADDED')).toBe(true);
    expect(
      items.slice(-2).map((item) => item.type === 'BOOKMARK' && item.object.metadata.annotations),
    ).toEqual([
      { 'k8s.io/initial-events-end': 'true' },
      { [BOOKMARK_INTERVAL_ANNOTATION]: String(INTERVAL) },
    ]);
  });

  it('live events are queued after the replay, in order, once', async () => {
    const start = store.revision;
    await write(3 * MAX_BACKLOG);
    const watcher = watch({ resourceVersion: String(start) });
    await write(MAX_BACKLOG - 1, 100); // while nothing is pulled yet: queued live
    const items = await take(watcher, 4 * MAX_BACKLOG - 1);
    const revisions = items.map((item) =>
      Number((item as { object: Resource }).object.metadata.resourceVersion),
    );
    expect(revisions).toEqual(Array.from({ length: 4 * MAX_BACKLOG - 1 }, (_, n) => start + n + 1));
  });

  it('a watch that does not keep up with live events is still shed, and resumes from where it got to', async () => {
    const watcher = watch({ resourceVersion: String(store.revision) });
    await write(MAX_BACKLOG + 1);
    const items = await take(watcher, MAX_BACKLOG + 5);
    expect(items.map(summary)).toEqual(['ERROR TOO_MANY_REQUESTS']);
    expect(await watcher.next()).toEqual({ value: undefined, done: true });
  });

  it('a bookmark never moves a client back: a watch from beyond the store revision is bookmarked there', async () => {
    await write(2);
    const ahead = store.revision + 5;
    const [bookmark] = await take(watch({ resourceVersion: String(ahead), allowBookmarks: true }), 1);
    expect(summary(bookmark)).toBe(`BOOKMARK @${ahead}`);
  });
});
