import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtomicWriter } from '../../agent/node/atomic-writer.ts';
import { entries, mode, read, volumeSandbox } from '../support/volume-fixtures.ts';

// The AtomicWriter: how ConfigMap, Secret and downward API volumes swap in new content.

let tmp: string;
volumeSandbox((sandbox) => ({ tmp } = sandbox));

describe('AtomicWriter', () => {
  it('keeps the files in a timestamped directory behind the ..data link, with user-visible links through it', async () => {
    const dir = path.join(tmp, 'vol');
    fs.mkdirSync(dir);
    const writer = new AtomicWriter(dir);
    const file = (text: string, m = 0o644) => ({ data: Buffer.from(text), mode: m });

    expect(await writer.write({ a: file('1'), 'conf/b.yaml': file('b: 1', 0o600) })).toBe(true);
    const first = fs.readlinkSync(path.join(dir, '..data'));
    expect(first).toMatch(/^\.\.\d{4}_\d{2}_\d{2}_\d{2}_\d{2}_\d{2}\.\w+$/);
    expect(fs.readlinkSync(path.join(dir, 'a'))).toBe('..data/a');
    expect(fs.readlinkSync(path.join(dir, 'conf'))).toBe('..data/conf');
    expect(read(path.join(dir, 'conf/b.yaml'))).toBe('b: 1');
    expect(mode(path.join(dir, 'conf/b.yaml'))).toBe(0o600);
    expect(entries(dir)).toEqual(['..data', 'a', 'conf']);

    // Same content: nothing written.
    expect(await writer.write({ a: file('1'), 'conf/b.yaml': file('b: 1', 0o600) })).toBe(false);
    expect(fs.readlinkSync(path.join(dir, '..data'))).toBe(first);
    // A mode change alone is a change.
    expect(await writer.write({ a: file('1', 0o400), 'conf/b.yaml': file('b: 1', 0o600) })).toBe(true);
    expect(mode(path.join(dir, 'a'))).toBe(0o400);

    // New content: a new directory swapped in, the old one and the names no longer there gone.
    expect(await writer.write({ a: file('2'), c: file('3') })).toBe(true);
    const third = fs.readlinkSync(path.join(dir, '..data'));
    expect(third).not.toBe(first);
    expect(fs.existsSync(path.join(dir, first))).toBe(false);
    expect(entries(dir)).toEqual(['..data', 'a', 'c']);
    expect(fs.readdirSync(dir).filter((name) => name.startsWith('..2'))).toEqual([third]);
    expect(read(path.join(dir, 'a'))).toBe('2');
  });

  it('refuses paths that would leave the directory', async () => {
    const writer = new AtomicWriter(tmp);
    const data = { data: Buffer.from('x'), mode: 0o644 };
    await expect(writer.write({ '/etc/passwd': data })).rejects.toThrow(
      'invalid path: must be relative path: /etc/passwd',
    );
    await expect(writer.write({ 'a/../../b': data })).rejects.toThrow(
      "invalid path: must not contain '..': a/../../b",
    );
    await expect(writer.write({ '..data': data })).rejects.toThrow(
      "invalid path: must not start with '..': ..data",
    );
    expect(fs.readdirSync(tmp)).toEqual([]);
  });
});
