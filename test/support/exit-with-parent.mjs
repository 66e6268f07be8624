// Preloaded (`--import`) into the server processes tests spawn: the process ends when the
// test process that spawned it does (its end of our stdin pipe closes), so that a test run
// killed halfway leaves no server behind holding a port and a data directory. Worker
// threads inherit the preload; in one, exit() would end only the thread.
import process from 'node:process';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) {
  process.stdin.on('end', () => process.exit(1));
  process.stdin.on('error', () => process.exit(1));
  process.stdin.resume();
}
