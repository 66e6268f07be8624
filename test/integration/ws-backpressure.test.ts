import crypto from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/harness.ts';
import { openRaw, type Message, type RawSession } from '../support/raw-ws.ts';

// A subscriber that stops reading must cost the server a bounded amount of memory and
// end with a close that says how to come back, while the others go on receiving.

const MAX_BUFFERED_BYTES = 1024 * 1024;
// Longer than the writes take: the bound, not the close, must keep the memory.
const SLOW_CONSUMER_MS = 6000;
const WATCHES = 8;
const OBJECTS = 60;
const OBJECT_BYTES = 100 * 1024;
const WITH_DATA =
  'subscription { watchConfigMaps(namespace: "default") { type object { metadata { name } data } } }';
const NAMES_ONLY =
  'subscription { watchConfigMaps(namespace: "default") { type object { metadata { name } } } }';

let cluster: TestCluster;
const sessions: RawSession[] = [];

beforeAll(async () => {
  cluster = await startCluster({
    connectionLimits: { maxBufferedBytes: MAX_BUFFERED_BYTES, slowConsumerMs: SLOW_CONSUMER_MS },
  });
});

afterAll(async () => {
  for (const session of sessions) session.ws.terminate();
  await cluster?.stop();
});

async function watching(query: string, watches: number, options: Parameters<typeof openRaw>[1] = {}) {
  const session = await openRaw(cluster.wsUrl, { perMessageDeflate: false, ...options });
  sessions.push(session);
  await session.init(cluster.token);
  return { session, watches: Array.from({ length: watches }, (_, i) => session.subscribe(`w${i}`, query)) };
}

const named = (name: string) => (messages: Message[]) =>
  messages.some((m) => m.payload?.data?.watchConfigMaps.object.metadata.name === name);

it('holds back the frames of a subscriber that stopped reading, then closes it with 4001, while another keeps receiving', async () => {
  let raw: net.Socket | undefined;
  const stalled = await watching(WITH_DATA, WATCHES, {
    createConnection: (options) => (raw = net.connect(options as net.NetConnectOpts)),
  });
  const healthy = await watching(NAMES_ONLY, 1);
  await cluster.ok('mutation { createConfigMap(configMap: { metadata: { name: "seed" } }) { kind } }');
  for (const watch of [...stalled.watches, ...healthy.watches]) await watch.until(named('seed'));

  raw!.pause();
  const paused = Date.now();
  // Data that does not compress, so that every frame costs its size wherever it waits.
  const blob = crypto.randomBytes((OBJECT_BYTES * 3) / 4).toString('base64');
  for (let i = 0; i < OBJECTS; i++)
    await cluster.ok('mutation ($cm: ConfigMapInput!) { createConfigMap(configMap: $cm) { kind } }', {
      cm: { metadata: { name: `big-${i}` }, data: { blob } },
    });
  await healthy.watches[0].until(named(`big-${OBJECTS - 1}`), 30_000);

  // Over its bound for SLOW_CONSUMER_MS: read again, it finds the close behind what was held.
  await new Promise((resolve) => setTimeout(resolve, paused + SLOW_CONSUMER_MS + 1000 - Date.now()));
  raw!.resume();
  expect(await stalled.session.closed).toEqual({
    code: 4001,
    reason: 'Slow consumer: resume from the last resourceVersion received',
  });
  // All it got before the close is what the server sent before holding back: its bound,
  // a frame per watch and what the kernel's buffers took, not every object for every
  // watch (a close frame leaves after what is queued before it).
  const received = stalled.watches.reduce((sum, watch) => sum + watch.messages.length, 0);
  expect(received).toBeLessThan((WATCHES * OBJECTS) / 2);
  expect(healthy.session.isOpen).toBe(true);
  await cluster.ok('mutation { createConfigMap(configMap: { metadata: { name: "after" } }) { kind } }');
  await healthy.watches[0].until(named('after'));
}, 90_000);
