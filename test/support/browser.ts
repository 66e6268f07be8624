import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (scripts/test-deps.sh installs it); playwright cannot download browsers here. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless, and quiet on a closed network: no updates, sync or background fetches to wait for. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * A fresh production build of the dashboard (what `npm run build:web` makes) in a new
 * temporary directory, named at once so that a server can be started on it meanwhile.
 */
export function buildDashboard(): { dir: string; built: Promise<void> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-web-build-'));
  const vite = path.resolve('node_modules/.bin/vite');
  const args = ['build', 'web', '--outDir', dir, '--emptyOutDir', '--logLevel', 'error'];
  return { dir, built: promisify(execFile)(vite, args).then(() => undefined) };
}

/** Where browser tests leave their screenshots (gitignored), for people to look at. */
export const ARTIFACTS = path.resolve('test-artifacts');
