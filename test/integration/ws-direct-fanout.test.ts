import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/harness.ts';
import { openRaw, type Message, type Operation, type RawSession } from '../support/raw-ws.ts';

// The subscribers of a watch receive its events straight from the watch, a call each
// (server/websocket/direct-results.ts), not through a chain of promises each: still
// every event once, in the order of the writes, under each operation's own id, nothing
// after a client completed its operation, and as the plugins make it where they change
// it (an event over the response size bound arrives as that error).

const MAX_RESPONSE_BYTES = 4096;
const CONNECTIONS = 4;
const WATCHES_PER_CONNECTION = 3;
const QUERY =
  'subscription { watchConfigMaps(namespace: "default", labelSelector: "fanout=yes") { type object { metadata { name resourceVersion } data } } }';

let cluster: TestCluster;
const sessions: RawSession[] = [];
let watches: Operation[] = [];

beforeAll(async () => {
  cluster = await startCluster({ limits: { maxResponseBytes: MAX_RESPONSE_BYTES } });
  for (let c = 0; c < CONNECTIONS; c++) {
    const session = await openRaw(cluster.wsUrl, { perMessageDeflate: false });
    sessions.push(session);
    await session.init(cluster.token);
    for (let w = 0; w < WATCHES_PER_CONNECTION; w++) watches.push(session.subscribe(`c${c}-w${w}`, QUERY));
  }
  await create('seed', 'small');
  await Promise.all(watches.map((watch) => watch.until(received('seed'))));
}, 30_000);

afterAll(async () => {
  for (const session of sessions) session.ws.terminate();
  await cluster?.stop();
});

/** Creates a labelled ConfigMap; its resourceVersion is where the write falls in the watch's order. */
async function create(name: string, value: string): Promise<number> {
  const data = await cluster.ok<{ createConfigMap: { metadata: { resourceVersion: string } } }>(
    'mutation ($cm: ConfigMapInput!) { createConfigMap(configMap: $cm) { metadata { resourceVersion } } }',
    { cm: { metadata: { name, labels: { fanout: 'yes' } }, data: { value } } },
  );
  return Number(data.createConfigMap.metadata.resourceVersion);
}

const nameOf = (message: Message): string | undefined =>
  message.payload?.data?.watchConfigMaps?.object.metadata.name;

/** What a watch received after `seed`: each event's object name, or the code of the error it was. */
function sequence(watch: Operation): string[] {
  const after = watch.messages.slice(watch.messages.findIndex((m) => nameOf(m) === 'seed') + 1);
  return after.map((m) => nameOf(m) ?? `error ${m.payload?.errors?.[0]?.extensions?.code}`);
}

const received = (name: string) => (messages: Message[]) => messages.some((m) => nameOf(m) === name);

it('delivers a burst of writes to every subscriber once, in order, with oversized events as their error', async () => {
  // Applied together, so that many events reach the watches in one turn; every third too large to send.
  const big = 'x'.repeat(MAX_RESPONSE_BYTES * 2);
  const writes = Array.from({ length: 45 }, (_, i) => ({ name: `burst-${i}`, oversized: i % 3 === 1 }));
  const manifests = writes.map(({ name, oversized }) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: 'default', labels: { fanout: 'yes' } },
      data: { value: oversized ? big : 'small' },
    }),
  );
  const applied = await cluster.ok<{ apply: Array<{ metadata: { name: string; resourceVersion: string } }> }>(
    'mutation ($m: String!) { apply(manifests: $m) { metadata { name resourceVersion } } }',
    { m: manifests.join('\n---\n') },
  );
  const oversized = new Set(writes.filter((write) => write.oversized).map((write) => write.name));
  const expected = applied.apply
    .map(({ metadata }) => ({ name: metadata.name, revision: Number(metadata.resourceVersion) }))
    .sort((a, b) => a.revision - b.revision)
    .map(({ name }) => (oversized.has(name) ? 'error BAD_REQUEST' : name));
  const last = expected.findLast((entry) => !entry.startsWith('error'))!;

  await Promise.all(watches.map((watch) => watch.until(received(last), 15_000)));
  for (const watch of watches) {
    expect(sequence(watch)).toEqual(expected);
    expect(watch.messages.every((m) => m.type === 'next')).toBe(true);
  }
}, 30_000);

it('sends nothing more on an operation its client completed, while the others go on', async () => {
  const [completed, ...others] = watches;
  sessions[0].send({ id: 'c0-w0', type: 'complete' });
  const before = completed.messages.length;
  for (let i = 0; i < 10; i++) await create(`after-complete-${i}`, 'small');
  await Promise.all(others.map((watch) => watch.until(received('after-complete-9'))));
  // A round trip on the same connection: whatever the server sent before its answer has arrived.
  await sessions[0].subscribe('probe', '{ __typename }').ended;
  expect(completed.messages.length).toBe(before);
  watches = others;
}, 30_000);
