import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchSink, type LineWriter } from '../../server/audit/batch-sink.ts';
import type { AuditEvent } from '../../server/audit/event.ts';
import { RotatingFile } from '../../server/audit/rotating-file.ts';

function event(n: number): AuditEvent {
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: `id-${n}`,
    stage: 'ResponseComplete',
    requestURI: '/api/v1/pods',
    verb: 'list',
    user: { username: 'alice', groups: [] },
    sourceIPs: ['127.0.0.1'],
    requestReceivedTimestamp: '2026-01-01T00:00:00.000000Z',
    stageTimestamp: '2026-01-01T00:00:00.000000Z',
  };
}

describe('the rotating audit file', () => {
  it('renames the file aside when a write would pass the size, keeping the newest backups', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-audit-'));
    const file = new RotatingFile(path.join(dir, 'audit.log'), { maxBytes: 100, maxBackups: 2 });
    const line = (c: string) => c.repeat(39) + '\n';
    for (const c of 'abcdefg') await file.append(line(c));
    const entries = fs.readdirSync(dir).sort();
    expect(entries).toHaveLength(3);
    expect(entries).toContain('audit.log');
    expect(fs.readFileSync(path.join(dir, 'audit.log'), 'utf8')).toBe(line('g'));
    const backups = entries.filter((e) => e !== 'audit.log');
    // Two lines a file; the newest two backups hold c..f, the oldest (a, b) are gone.
    expect(backups.map((b) => fs.readFileSync(path.join(dir, b), 'utf8'))).toEqual([
      line('c') + line('d'),
      line('e') + line('f'),
    ]);
    expect((fs.statSync(path.join(dir, 'audit.log')).mode & 0o777).toString(8)).toBe('600');
  });

  it('counts what a file already holds, as after a restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-audit-'));
    fs.writeFileSync(path.join(dir, 'audit.log'), 'x'.repeat(90));
    await new RotatingFile(path.join(dir, 'audit.log'), { maxBytes: 100, maxBackups: 0 }).append(
      'y'.repeat(20),
    );
    expect(fs.readdirSync(dir)).toHaveLength(2);
  });
});

describe('the batch sink', () => {
  it('writes events in batches, off the caller, in order', async () => {
    const writes: string[] = [];
    const sink = new BatchSink({ append: async (text) => void writes.push(text) }, 100, () => {});
    for (let n = 0; n < 10; n++) sink.add(event(n));
    expect(writes).toEqual([]);
    await sink.flush();
    expect(writes).toHaveLength(1);
    expect(
      writes[0]
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).auditID),
    ).toEqual(Array.from({ length: 10 }, (_, n) => `id-${n}`));
    expect(sink.counters).toEqual({ events: 10, errors: 0 });
  });

  it('drops and counts events beyond its buffer while the disk is slow, and recovers', async () => {
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const written: string[] = [];
    const writer: LineWriter = {
      append: async (text) => {
        await slow;
        written.push(...text.trim().split('\n'));
      },
    };
    const sink = new BatchSink(writer, 5, () => {});
    sink.add(event(0));
    await new Promise((resolve) => setImmediate(resolve));
    // The first batch is being written; five more may wait, the rest are dropped.
    for (let n = 1; n <= 20; n++) sink.add(event(n));
    expect(sink.counters).toEqual({ events: 6, errors: 15 });
    release();
    await sink.flush();
    expect(written).toHaveLength(6);
    sink.add(event(99));
    await sink.flush();
    expect(written).toHaveLength(7);
  });

  it('counts the events of a failed write as errors and logs why', async () => {
    const logged: string[] = [];
    const sink = new BatchSink({ append: () => Promise.reject(new Error('disk full')) }, 10, (l) =>
      logged.push(l),
    );
    sink.add(event(1));
    sink.add(event(2));
    await sink.flush();
    expect(sink.counters).toEqual({ events: 2, errors: 2 });
    expect(logged).toEqual(['audit: 2 events lost: disk full']);
  });
});
