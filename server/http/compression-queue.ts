/**
 * Lower runs first. Gzip is what a waiting response needs (0); brotli only improves later
 * ones, so it goes after, smallest file first (its size): a page's small files are not
 * kept waiting behind GraphiQL's 5 MB bundle.
 */
export type Priority = number;

interface Job {
  priority: Priority;
  run: () => Promise<void>;
}

const queue: Job[] = [];
let running = false;

/**
 * Runs compressions one at a time, the urgent first. libuv's four threads also do the
 * server's file reads and stats: four brotli runs at once (~9 s for GraphiQL's bundle
 * under load) would leave every file request waiting behind them.
 */
export function compressInTurn<T>(priority: Priority, compress: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const job = { priority, run: () => Promise.resolve().then(compress).then(resolve, reject) };
    // After every job of its priority or higher, so each priority stays first come, first served.
    const at = queue.findIndex((queued) => queued.priority > priority);
    queue.splice(at === -1 ? queue.length : at, 0, job);
    if (!running) void drain();
  });
}

async function drain(): Promise<void> {
  running = true;
  for (let job = queue.shift(); job; job = queue.shift()) await job.run();
  running = false;
}
