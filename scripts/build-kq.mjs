// Builds kq to plain JavaScript (dist/cli/kq.mjs and a chunk per verb), so that it starts
// as fast as node does: no TypeScript loader at run time, and each verb's code (with the
// packages it uses, tree-shaken) loaded only when that verb runs.
//
//   node scripts/build-kq.mjs        # or: npm run build:kq
//
// Plain JavaScript, not TypeScript: bin/kq.mjs imports it to rebuild a stale build, and
// must run without a TypeScript loader.
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const KQ_BUILD_DIR = path.join(ROOT, 'dist', 'cli');
/** The built entry point. */
export const KQ_BUILT = path.join(KQ_BUILD_DIR, 'kq.mjs');
/** The source files the build was made from (repository-relative) and when: what "stale" means. */
export const KQ_BUILD_INPUTS = path.join(KQ_BUILD_DIR, 'inputs.json');
/** esbuild's account of the build: which chunk holds which module (test/unit/kq-build.test.ts reads it). */
export const KQ_BUILD_META = path.join(KQ_BUILD_DIR, 'meta.json');

/**
 * The cluster's commands (cmd/up.ts, cmd/server.ts, ...) stay out of the build: they find
 * the schema, the migrations, the dashboard and a worker script beside their source
 * files, so cmd/kq.ts loads them from the sources, through tsx.
 */
const CLUSTER_COMMAND = /^\.\/(up|server|controllers|scheduler|agent)\.ts$/;

const clusterCommandsFromSource = {
  name: 'cluster-commands-from-source',
  setup(build) {
    build.onResolve({ filter: CLUSTER_COMMAND }, (args) => ({
      path: path.relative(KQ_BUILD_DIR, path.join(args.resolveDir, args.path)).split(path.sep).join('/'),
      external: true,
    }));
  },
};

/** Whether the build is there and no source file it was made from has changed since. */
export function kqBuildIsFresh() {
  let recorded;
  try {
    recorded = JSON.parse(fs.readFileSync(KQ_BUILD_INPUTS, 'utf8'));
  } catch {
    return false;
  }
  return recorded.inputs.every((file) => {
    try {
      return fs.statSync(path.join(ROOT, file)).mtimeMs <= recorded.builtAt;
    } catch {
      return false;
    }
  });
}

/**
 * Builds into a fresh directory and swaps it in, so that a kq starting meanwhile (tests
 * start many at once) sees the old build or the new one, never half of one.
 */
export async function buildKq() {
  const { build } = await import('esbuild');
  const builtAt = Date.now();
  const staging = `${KQ_BUILD_DIR}.${process.pid}.${builtAt}`;
  const result = await build({
    entryPoints: [path.join(ROOT, 'cmd', 'kq.ts')],
    absWorkingDir: ROOT,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir: staging,
    entryNames: '[name]',
    chunkNames: '[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    // The packages' ES modules, which esbuild can tree-shake, before their CommonJS builds.
    mainFields: ['module', 'main'],
    // tsx loads the cluster's commands; the rest are theirs, never a verb's.
    external: ['tsx', 'better-sqlite3', 'pg', '@prisma/*', 'dockerode', 'ssh2', 'cpu-features'],
    // The CommonJS packages bundled into ES modules still call require for node's own modules.
    banner: {
      js: "import { createRequire as kqRequire } from 'node:module'; const require = kqRequire(import.meta.url);",
    },
    plugins: [clusterCommandsFromSource],
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs).filter((file) => !file.startsWith('node_modules/'));
  fs.writeFileSync(path.join(staging, path.basename(KQ_BUILD_META)), JSON.stringify(result.metafile));
  fs.writeFileSync(
    path.join(staging, path.basename(KQ_BUILD_INPUTS)),
    JSON.stringify({
      builtAt,
      inputs: [...inputs, 'package.json', 'package-lock.json', 'scripts/build-kq.mjs'],
    }),
  );
  const previous = `${staging}.old`;
  try {
    fs.renameSync(KQ_BUILD_DIR, previous);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  try {
    fs.renameSync(staging, KQ_BUILD_DIR);
  } catch (error) {
    // Another kq built it at the same time and swapped its build in first: keep that one.
    if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    fs.rmSync(staging, { recursive: true, force: true });
  }
  fs.rmSync(previous, { recursive: true, force: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  // --if-stale (the setup step): only when a source changed since the last build.
  if (!process.argv.includes('--if-stale') || !kqBuildIsFresh()) await buildKq();
}
