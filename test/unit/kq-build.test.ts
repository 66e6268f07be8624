import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { kqEnv } from '../support/cli.ts';

// kq as users run it: the launcher (bin/kq.mjs) and the build it runs (dist/cli, made by
// scripts/build-kq.mjs). What a verb loads is read from esbuild's account of the build.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LAUNCHER = path.join(ROOT, 'bin', 'kq.mjs');

interface Output {
  entryPoint?: string;
  imports: Array<{ path: string; kind: string; external?: boolean }>;
  inputs: Record<string, unknown>;
}
let outputs: Record<string, Output>;

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build-kq.mjs', '--if-stale'], { cwd: ROOT });
  const meta = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'cli', 'meta.json'), 'utf8')) as {
    outputs: Record<string, Output>;
  };
  // The build is made in a staging directory and renamed: key the outputs by file name.
  outputs = Object.fromEntries(Object.entries(meta.outputs).map(([file, out]) => [path.basename(file), out]));
}, 120_000);

const outputOf = (entryPoint: string): string => {
  const found = Object.keys(outputs).find((file) => outputs[file].entryPoint === entryPoint);
  if (!found) throw new Error(`no output for ${entryPoint}`);
  return found;
};

/** What node loads to run `kq VERB`: kq.mjs, the runner, the verb, and what they import statically. */
function loadedFor(verbSource: string) {
  const seen = new Set<string>();
  const sources = new Set<string>();
  const packages = new Set<string>();
  const stack = [outputOf('cmd/kq.ts'), outputOf('cli/verbs/runner.ts'), outputOf(verbSource)];
  while (stack.length) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const input of Object.keys(outputs[file].inputs)) sources.add(input);
    for (const imported of outputs[file].imports) {
      if (imported.kind !== 'import-statement') continue;
      if (imported.external) packages.add(imported.path);
      else stack.push(path.basename(imported.path));
    }
  }
  return { sources: [...sources], packages: [...packages] };
}

const run = (argv: string[], cwd = os.tmpdir(), env = kqEnv(undefined)) =>
  spawnSync(process.execPath, [LAUNCHER, ...argv], { cwd, env, encoding: 'utf8', timeout: 60_000 });

describe('the built kq', () => {
  it('get loads neither the server, the agent, the store, Docker nor graphql-js', () => {
    const { sources, packages } = loadedFor('cli/verbs/get.ts');
    expect(sources).toContain('cli/verbs/get.ts');
    expect(sources.filter((file) => /^(server|agent|prisma|web)\//.test(file))).toEqual([]);
    expect(sources.filter((file) => file.startsWith('cmd/') && file !== 'cmd/kq.ts')).toEqual([]);
    expect(
      sources.filter((file) =>
        /node_modules\/(graphql|graphql-yoga|dockerode|@prisma|better-sqlite3)\//.test(file),
      ),
    ).toEqual([]);
    // Packages are bundled (tree-shaken): what stays outside is node's own modules.
    expect(packages.filter((name) => !name.startsWith('node:'))).toEqual([]);
  });

  it('leaves the cluster commands to their TypeScript sources', () => {
    const kq = outputs[outputOf('cmd/kq.ts')];
    const sourced = kq.imports.filter((imported) => imported.external && imported.path.endsWith('.ts'));
    expect(sourced.map((imported) => path.basename(imported.path)).sort()).toEqual([
      'agent.ts',
      'controllers.ts',
      'scheduler.ts',
      'server.ts',
      'up.ts',
    ]);
  });

  it('runs from any directory: help, version, and a cluster command through tsx', () => {
    const help = run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: kq <command> \[flags\]/);
    expect(help.stdout).toContain('  get          display one or many resources');
    const version = run(['version', '--client']);
    expect(version).toMatchObject({ status: 0, stdout: 'Client Version: v0.1.0\n', stderr: '' });
    const up = run(['up', '--help']);
    expect(up.status).toBe(0);
    expect(up.stdout).toMatch(/^Usage: kq up /);
  });

  it('runs through a symbolic link, as npm link and npm install -g install it', () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'kq-bin-'));
    fs.symlinkSync(LAUNCHER, path.join(bin, 'kq'));
    const env = kqEnv(undefined, { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` });
    const linked = spawnSync('kq', ['version', '--client'], { cwd: bin, env, encoding: 'utf8' });
    expect(linked).toMatchObject({ status: 0, stdout: 'Client Version: v0.1.0\n' });
  });
});
