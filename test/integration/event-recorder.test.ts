import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiEventRecorder } from '../../agent/events.ts';
import { createClient, resourceWriter, type KubeqlClient, type Resource } from '../../client/index.ts';
import { startCluster, type TestCluster } from '../support/harness.ts';

let cluster: TestCluster;
let client: KubeqlClient;
beforeAll(async () => {
  cluster = await startCluster();
  client = createClient({ url: cluster.url, token: cluster.token });
});
afterAll(async () => {
  await client.close();
  await cluster.stop();
});

type EventObject = Resource & {
  reason: string;
  message: string;
  count: number;
  involvedObject: { uid: string };
};

async function configMap(name: string): Promise<Resource> {
  return resourceWriter(client).create<Resource>({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'default' },
  });
}

async function eventsAbout(obj: Resource): Promise<EventObject[]> {
  const { items } = await client.list<EventObject>('Event', { namespace: 'default' });
  return items.filter((event) => event.involvedObject.uid === obj.metadata.uid);
}

describe('event recorder', () => {
  it('writes an event once and counts its repeats, folding those recorded before the write', async () => {
    const recorder = new ApiEventRecorder(resourceWriter(client), 'test', () => {});
    const obj = await configMap('counted');
    for (let i = 0; i < 3; i++) recorder.record(obj, 'Normal', 'Poked', 'poked');
    recorder.record(obj, 'Warning', 'Broke', 'broke');
    await recorder.flush();
    recorder.record(obj, 'Normal', 'Poked', 'poked');
    await recorder.flush();
    const events = await eventsAbout(obj);
    expect(events.map((e) => [e.reason, e.count]).sort()).toEqual([
      ['Broke', 1],
      ['Poked', 4],
    ]);
  });

  it('combines similar events from the 10th distinct message on into one, as Kubernetes aggregates them', async () => {
    const recorder = new ApiEventRecorder(resourceWriter(client), 'test', () => {});
    const obj = await configMap('aggregated');
    for (let i = 0; i < 12; i++) recorder.record(obj, 'Normal', 'SuccessfulCreate', `Created pod: p-${i}`);
    await recorder.flush();
    for (let i = 12; i < 15; i++) recorder.record(obj, 'Normal', 'SuccessfulCreate', `Created pod: p-${i}`);
    recorder.record(obj, 'Normal', 'SuccessfulCreate', 'Created pod: p-3'); // seen: counted on its own
    await recorder.flush();
    const events = await eventsAbout(obj);
    const single = (i: number) => [`Created pod: p-${i}`, i === 3 ? 2 : 1];
    expect(events.map((e) => [e.message, e.count]).sort()).toEqual(
      [
        ['(combined from similar events): Created pod: p-14', 6],
        ...Array.from({ length: 9 }, (_, i) => single(i)),
      ].sort(),
    );
  });

  it('forgets the least recently used events beyond its limit: a forgotten one is written anew', async () => {
    const recorder = new ApiEventRecorder(resourceWriter(client), 'test', () => {}, { maxRemembered: 2 });
    const [a, b, c] = await Promise.all(['lru-a', 'lru-b', 'lru-c'].map(configMap));
    for (const obj of [a, b]) recorder.record(obj, 'Normal', 'Seen', 'seen');
    await recorder.flush();
    recorder.record(a, 'Normal', 'Seen', 'seen'); // a is now the most recently used
    await recorder.flush();
    recorder.record(c, 'Normal', 'Seen', 'seen'); // evicts b
    await recorder.flush();
    recorder.record(a, 'Normal', 'Seen', 'seen');
    recorder.record(b, 'Normal', 'Seen', 'seen');
    await recorder.flush();
    expect((await eventsAbout(a)).map((e) => e.count)).toEqual([3]);
    expect((await eventsAbout(b)).map((e) => e.count).sort()).toEqual([1, 1]);
  });

  it('drops new events while too many wait to be written, and says so', async () => {
    const lines: string[] = [];
    const recorder = new ApiEventRecorder(resourceWriter(client), 'test', (line) => lines.push(line), {
      maxQueued: 5,
      concurrency: 1,
    });
    const obj = await configMap('flooded');
    for (let i = 0; i < 20; i++) recorder.record(obj, 'Normal', `Flood${i}`, 'flood');
    await recorder.flush();
    // One being written, five waiting: the other fourteen dropped.
    expect(await eventsAbout(obj)).toHaveLength(6);
    expect(lines).toEqual([
      'events: 5 waiting to be written, dropping new ones until they are',
      'events: dropped 14 while behind',
    ]);
  });
});
