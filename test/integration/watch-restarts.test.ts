import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createInformer, type KubeqlClient, type Resource } from '../../client/index.ts';
import { ResumingWatch, type Watch } from '../../client/watch.ts';
import { ServerProcess } from '../support/server-process.ts';
import { sleep, startWriters, verify, type Change } from '../support/watch-load.ts';

// The server as a process of its own, killed with SIGKILL and started again on the same
// port and data directory over and over while writers write through clients of their
// own and retry: SDK watches and an informer, each on a client that stays up throughout,
// must report every write the server acknowledged, in order, exactly once.
// 20 restarts here; KQ_RESTARTS=200 for a long run outside CI.
const RESTARTS = Number(process.env.KQ_RESTARTS ?? 20);
// Each life of the server lasts until the quick watch has received a write of this life
// (or CATCH_UP_MS at most), then a random moment more: so that kills land on a stream in
// full flow. The watches with the SDK's default back-off (up to 10 s after a long outage)
// often sit out a life or several, and must then catch up from the log.
const CATCH_UP_MS = 1_500;
const KILL_JITTER_MS = 400;

let server: ServerProcess;
const clients: KubeqlClient[] = [];
const client = () => {
  const made = createClient({ url: server.url, token: server.token });
  clients.push(made);
  return made;
};

beforeAll(async () => {
  server = new ServerProcess();
  await server.start();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server?.dispose();
});

const change = (type: Change['type'], obj: Resource): Change => ({
  revision: Number(obj.metadata.resourceVersion),
  type,
  name: obj.metadata.name!,
});

/** Consumes a watch in the background, recording its changes. */
function follow(watch: Watch) {
  const seen: Change[] = [];
  const state: { error?: unknown } = {};
  const done = (async () => {
    try {
      for await (const event of watch)
        if (event.type !== 'BOOKMARK') seen.push(change(event.type, event.object));
    } catch (error) {
      state.error = error;
    }
  })();
  return {
    seen,
    state,
    last: () => seen.at(-1)?.revision ?? 0,
    async stop() {
      await watch.return();
      await done;
    },
  };
}

describe('watches across kill -9 restarts of the server', () => {
  it(
    `SDK watches and an informer report every acknowledged write in order, once, across ${RESTARTS} restarts`,
    async () => {
      const started = Date.now();
      const start = (await client().list('ConfigMap', { namespace: 'default' })).resourceVersion;
      const from = { namespace: 'default', resourceVersion: start };

      // client.watch as controllers use it, with the SDK's default back-off ...
      const watch = follow(client().watch('ConfigMap', from));
      // ... and one that retries within 500 ms, to be in full flow when the kills land.
      const quick = follow(new ResumingWatch(client().transport, 'ConfigMap', from, () => {}, QUICK));

      const informed: Change[] = [];
      const informerErrors: unknown[] = [];
      // Counts lists: one at start, one more per EXPIRED (a resume that failed).
      let lists = 0;
      const informerClient = client();
      const listWatch = {
        listAll: ((kind, selection) => {
          lists++;
          return informerClient.listAll(kind, selection);
        }) as KubeqlClient['listAll'],
        watch: informerClient.watch,
      };
      const informer = createInformer(
        listWatch,
        'ConfigMap',
        { namespace: 'default' },
        { onError: (error) => informerErrors.push(error), retryDelayMs: 50, maxRetryDelayMs: 1000 },
      );
      informer.addEventHandler({
        onAdd: (obj, initial) => {
          if (!initial) informed.push(change('ADDED', obj));
        },
        onUpdate: (_old, obj) => informed.push(change('MODIFIED', obj)),
        onDelete: (obj) => informed.push(change('DELETED', obj)),
      });
      informer.start();
      await informer.waitForSync();
      const synced = informer.lastSyncResourceVersion;

      const writers = startWriters(server, { writers: 3 });
      // Per life of the server: the events the quick watch received while it was up.
      const lives: number[] = [];
      for (let restart = 1; restart <= RESTARTS; restart++) {
        const before = quick.seen.length;
        const firstOfLife = writers.acked.length;
        const bornAt = Date.now();
        while (Date.now() - bornAt < CATCH_UP_MS) {
          const target = writers.acked[firstOfLife]?.revision;
          if (target !== undefined && quick.last() >= target) break;
          await sleep(20);
        }
        await sleep(Math.random() * KILL_JITTER_MS);
        await server.kill('SIGKILL');
        lives.push(quick.seen.length - before);
        await sleep(Math.random() * 200);
        await server.start();
      }
      await sleep(500);
      await writers.stop();
      await writers.closeClients();

      // Everything acknowledged reaches all three once they are back (the default
      // back-off is at most 10 s).
      const last = Math.max(...writers.acked.map((c) => c.revision));
      const informedUpTo = () =>
        Math.min(Number(informer.lastSyncResourceVersion ?? 0), informed.at(-1)?.revision ?? 0);
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && Math.min(watch.last(), quick.last(), informedUpTo()) < last)
        await sleep(100);
      await watch.stop();
      await quick.stop();
      await informer.stop();

      const missed = (seen: Change[]) => {
        const revisions = new Set(seen.map((c) => c.revision));
        return writers.acked.filter((c) => !revisions.has(c.revision)).length;
      };
      const report = {
        restarts: RESTARTS,
        seconds: Math.round((Date.now() - started) / 1000),
        acked: writers.acked.length,
        writeRetries: writers.retries,
        watched: watch.seen.length,
        quick: quick.seen.length,
        informed: informed.length,
        missed: [missed(watch.seen), missed(quick.seen), missed(informed)],
        relists: lists - 1,
        quickEventsPerLife: lives.join(' '),
        startSeconds: server.startTimes.map((ms) => (ms / 1000).toFixed(1)).join(' '),
      };
      console.log(`watch-restarts: ${JSON.stringify(report)}`);
      expect(watch.state.error).toBeUndefined();
      expect(quick.state.error).toBeUndefined();
      expect(Number(synced)).toBeGreaterThanOrEqual(Number(start));
      expect(writers.acked.length).toBeGreaterThan(RESTARTS * 5);
      expect(verify(writers.acked, watch.seen)).toEqual([]);
      expect(verify(writers.acked, quick.seen)).toEqual([]);
      expect(verify(writers.acked, informed)).toEqual([]);
      // Resuming never failed: no relist was needed.
      expect(report.relists).toBe(0);
    },
    // About 4 s a restart on an idle machine (2 s of it the server's start); far more on a loaded one.
    RESTARTS * 15_000 + 60_000,
  );
});

const QUICK = { baseMs: 50, factor: 2, capMs: 500 };
