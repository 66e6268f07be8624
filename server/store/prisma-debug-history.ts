import { Debug } from '@prisma/client/runtime/client';
import { clearLogs } from '@prisma/debug';

/** How many debug calls Prisma remembers (its MAX_ARGS_HISTORY). */
const PRISMA_DEBUG_HISTORY = 100;

/** A user who sets DEBUG wants Prisma's history (and would see the filler lines). */
const KEEP_HISTORY = Boolean(process.env.DEBUG);

const filler = Debug('kubeql:store');

/**
 * Statement text the history may hold before it is dropped. Dropping costs ~0.1 ms (100
 * debug calls), so it runs once per this many bytes rather than after every write; what
 * stays pinned is bounded by a few copies of it.
 */
const DROP_EVERY_BYTES = 256 * 1024;
let undropped = 0;

/**
 * Keeps Prisma's debug module from pinning the statements the store wrote. Logging on or
 * off, it keeps the arguments of its last 100 debug calls for crash reports, and those
 * include every raw statement with its parameters: with group commits of up to 400
 * serialized objects per statement, that was ~30 MB of JSON pinned at 10,000 pods, a
 * third of the store's live heap. There are two copies of that module: the driver
 * adapters' (@prisma/debug, which exports clearLogs; package.json pins the Prisma
 * runtime packages to one version so both adapters share it) and the one bundled in the
 * client runtime, which exports only its logger: 100 one-character entries push the
 * statements out of it. Called after each committed write with the bytes of its
 * parameters; a no-op when DEBUG is set.
 */
export function statementsWritten(bytes: number): void {
  if (KEEP_HISTORY) return;
  undropped += bytes;
  if (undropped < DROP_EVERY_BYTES) return;
  undropped = 0;
  clearLogs();
  for (let i = 0; i < PRISMA_DEBUG_HISTORY; i++) filler('.');
}
