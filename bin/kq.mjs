#!/usr/bin/env node
// kq as installed (package.json "bin"): runs the build of cmd/kq.ts (scripts/build-kq.mjs),
// which the setup step makes. A build older than a source file it was made from is made
// again first (about a second, once): a clone's kq must never run code its sources no
// longer say. Where it cannot be (no esbuild: installed without dev dependencies), kq runs
// from the sources through tsx, slower, and says so.
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import { buildKq, KQ_BUILT, kqBuildIsFresh } from '../scripts/build-kq.mjs';

async function ensureBuilt() {
  if (kqBuildIsFresh()) return true;
  try {
    await buildKq();
    return true;
  } catch (error) {
    process.stderr.write(
      `kq: running from the TypeScript sources (slower): the build is missing or stale and ` +
        `could not be made (${error.message.split('\n')[0]}); npm run build:kq makes it\n`,
    );
    return false;
  }
}

if (await ensureBuilt()) {
  await import(pathToFileURL(KQ_BUILT).href);
} else {
  (await import('tsx/esm/api')).register();
  await import('../cmd/kq.ts');
}
