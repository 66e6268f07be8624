import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kqEnv, kqProcess, kqStream } from '../support/cli.ts';

// kq's contexts as kind's kubeconfig entries: `kq up` (the real process, hollow nodes) adds
// one for its cluster and makes it current, leaving the others; use-context switches.

const env = kqEnv(undefined);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kq-up-'));
let up: ReturnType<typeof kqStream> | undefined;
afterAll(() => up?.stop());

async function ok(argv: string[], extra: Record<string, string> = {}): Promise<string> {
  const result = await kqProcess(argv, { env: { ...env, ...extra }, cwd: os.tmpdir() });
  if (result.code !== 0) throw new Error(`kq ${argv.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

describe('kq contexts', () => {
  it('kq up adds its context beside the others and makes it current; use-context switches', async () => {
    expect(await ok(['config', 'set-context', 'elsewhere', '--server=http://127.0.0.1:9', '--token=t'])).toBe(
      'Context "elsewhere" created.\n',
    );
    expect(await ok(['config', 'use-context', 'elsewhere'])).toBe('Switched to context "elsewhere".\n');

    up = kqStream(['up', '--runtime', 'simulated', '--nodes', '1', '--port', '0', '--data', dataDir], env);
    await up.waitFor(/CLI: .*context "kubeql-\d+"/, 90_000);
    const port = /API server on http:\/\/127\.0\.0\.1:(\d+)\/graphql/.exec(up.stdout)![1];
    const context = `kubeql-${port}`;
    expect(await ok(['config', 'current-context'])).toBe(`${context}\n`);
    const table = (await ok(['config', 'get-contexts'])).split('\n');
    expect(table[0]).toMatch(/^CURRENT +NAME +SERVER +NAMESPACE$/);
    expect(table.slice(1)).toEqual([
      expect.stringMatching(/^ {10}elsewhere +http:\/\/127\.0\.0\.1:9 *$/),
      expect.stringMatching(new RegExp(`^\\* {9}${context} +http://127\\.0\\.0\\.1:${port}/graphql *$`)),
      '',
    ]);
    // From anywhere, with nothing but the config: the current context's server and token.
    await expect.poll(() => ok(['get', 'nodes', '-o', 'name']), { timeout: 30_000 }).toMatch(/^node\//);

    expect(await ok(['config', 'use-context', 'elsewhere'])).toBe('Switched to context "elsewhere".\n');
    const refused = await kqProcess(['get', 'pods'], { env, cwd: os.tmpdir() });
    expect(refused.stderr).toMatch(/^The connection to the server 127\.0\.0\.1:9 was refused/);
    expect(await ok(['get', 'nodes', '-o', 'name', '--context', context])).toMatch(/^node\//);
    expect(await ok(['get', 'nodes', '-o', 'name'], { KQ_CONTEXT: context })).toMatch(/^node\//);

    const missing = await kqProcess(['config', 'use-context', 'nowhere'], { env });
    expect(missing).toMatchObject({ code: 1, stderr: 'error: no context exists with the name: "nowhere"\n' });
    const unknown = await kqProcess(['get', 'pods', '--context', 'nowhere'], { env });
    expect(unknown).toMatchObject({ code: 1, stderr: 'error: context "nowhere" does not exist\n' });
  }, 180_000);
});
