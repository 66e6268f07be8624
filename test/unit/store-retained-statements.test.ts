import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { expect, it } from 'vitest';
import { openDatabase } from '../../server/store/database.ts';
import { Persistence } from '../../server/store/persistence.ts';

async function heapSnapshotText(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of v8.getHeapSnapshot()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

it('a written batch is not kept in memory by Prisma once it is committed', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-retained-'));
  const { db, provider } = await openDatabase({ dataDir: dir });
  const persistence = new Persistence(db, provider);
  // One marker per batch, in its objects' data: a retained statement keeps its marker.
  // Each batch is larger than what the history may hold before it is dropped.
  const markers = Array.from({ length: 5 }, () => crypto.randomUUID());
  for (const [index, marker] of markers.entries()) {
    const revision = index + 1;
    const object = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `cm-${revision}`, namespace: 'default', resourceVersion: String(revision) },
      data: { payload: `${marker}:${'x'.repeat(300_000)}` },
    };
    const key = `ConfigMap/default/${object.metadata.name}`;
    await persistence.write({
      upserts: [{ key, object, revision }],
      deletes: [],
      events: [{ revision, type: 'ADDED', kind: 'ConfigMap', key, object, time: Date.now() }],
    });
  }

  // The snapshot collects garbage first: a marker found more often than one never written
  // (the test holds both the same way) is retained. The client still references its last
  // call (one batch, bounded); every earlier batch must be gone.
  const control = crypto.randomUUID();
  const text = await heapSnapshotText();
  const copies = (marker: string) => text.split(marker).length - 1;
  expect(markers.slice(0, -1).map(copies)).toEqual(Array(4).fill(copies(control)));
  // The rows themselves were written.
  expect(await db.storedObject.count()).toBe(5);
  await persistence.close();
});
