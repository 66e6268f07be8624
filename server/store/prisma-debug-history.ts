import { Debug } from '@prisma/client/runtime/client';
import { clearLogs } from '@prisma/debug';

/** How many debug calls Prisma remembers (its MAX_ARGS_HISTORY). */
const PRISMA_DEBUG_HISTORY = 100;

/** A user who sets DEBUG wants Prisma's history (and would see the filler lines). */
const KEEP_HISTORY = Boolean(process.env.DEBUG);

const filler = Debug('kubeql:store');

/**
 * Drops what Prisma's debug module remembers of the last statements. Logging on or off,
 * it keeps the arguments of its last 100 debug calls for crash reports, and those
 * include every raw statement with its parameters: with group commits of up to 400
 * serialized objects per statement, that is ~30 MB of JSON pinned at 10,000 pods, a
 * third of the store's live heap. There are two copies of that module: the driver
 * adapters' (@prisma/debug, which exports clearLogs; package.json pins the Prisma
 * runtime packages to one version so both adapters share it) and the one bundled in the
 * client runtime, which exports only its logger: 100 one-character entries push the
 * statements out of it. Called after each write; a no-op when DEBUG is set.
 */
export function forgetPrismaDebugHistory(): void {
  if (KEEP_HISTORY) return;
  clearLogs();
  for (let i = 0; i < PRISMA_DEBUG_HISTORY; i++) filler('.');
}
