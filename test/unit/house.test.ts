import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SOURCE_ROLES = ['schema', 'lib', 'server', 'client', 'cli', 'agent', 'cmd', 'web'];

describe('the house: imports point one way', () => {
  let eslint: ESLint;
  beforeAll(() => {
    eslint = new ESLint({ cwd: ROOT });
  });

  /** The messages of the import-boundaries rule for `code` as if it were the file at `file`. */
  async function crossings(file: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
    return result.messages.filter((m) => m.ruleId === 'house/import-boundaries').map((m) => m.message);
  }

  it('fails lint on an import that points back up the house', async () => {
    expect(
      await crossings('schema/fixture.ts', "import { Store } from '../server/store/store.ts';\n"),
    ).toEqual([
      'schema/ may not import from server/ (it may import from: nothing); move the code, or wire it in cmd/',
    ]);
    expect(
      await crossings('agent/node/fixture.ts', "export { startServer } from '../../server/server.ts';\n"),
    ).toEqual([expect.stringContaining('agent/ may not import from server/')]);
    expect(await crossings('client/fixture.ts', "await import('../agent/controllers/index.ts');\n")).toEqual([
      expect.stringContaining('client/ may not import from agent/'),
    ]);
    expect(
      await crossings('server/fixture.ts', "import type { KubeqlClient } from '../client/index.ts';\n"),
    ).toEqual([expect.stringContaining('server/ may not import from client/')]);
    expect(
      await crossings('cli/fixture.ts', "import { ALL_CONTROLLERS } from '../agent/controllers/index.ts';\n"),
    ).toEqual([expect.stringContaining('cli/ may not import from agent/')]);
  });

  it('lets each role import what it is built on, and cmd/ wire everything', async () => {
    expect(
      await crossings(
        'agent/fixture.ts',
        "import { createClient } from '../client/index.ts';\nimport { s } from '../schema/shape.ts';\n",
      ),
    ).toEqual([]);
    expect(
      await crossings('server/fixture.ts', "import { backoffDelay } from '../lib/backoff.ts';\n"),
    ).toEqual([]);
    expect(
      await crossings(
        'cmd/fixture.ts',
        "import { startServer } from '../server/server.ts';\nimport { ALL_CONTROLLERS } from '../agent/controllers/index.ts';\n",
      ),
    ).toEqual([]);
  });

  it('has no import cycle between source files', () => {
    const graph = importGraph();
    expect(graph.size).toBeGreaterThan(100);
    expect(cycles(graph)).toEqual([]);
  });
});

/** Every source file of the roles, with the source files it imports (relative imports, types included). */
function importGraph(): Map<string, string[]> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory() && !['node_modules', 'generated', 'dist'].includes(entry.name)) walk(rel);
      else if (/\.tsx?$/.test(entry.name)) files.push(rel);
    }
  };
  for (const role of SOURCE_ROLES) walk(role);
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const source = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const targets = [...source.matchAll(/(?:from\s*|import\s*\(?\s*)'(\.[^']+)'/g)]
      .map((m) => path.normalize(path.join(path.dirname(file), m[1])))
      .filter((target) => known.has(target));
    graph.set(file, targets);
  }
  return graph;
}

/** The import cycles (strongly connected components of more than one file), each as its files. */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (file: string) => {
    index.set(file, next);
    low.set(file, next++);
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(file, Math.min(low.get(file)!, index.get(target)!));
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return found;
}
