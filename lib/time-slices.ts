import { setImmediate as nextTurn } from 'node:timers/promises';

/** Synchronous work between two turns of the event loop, at most (plus one step). */
const SLICE_MS = 10;

/**
 * Cuts a long loop of synchronous steps (decoding a thousand manifests) into slices:
 * `pause()` between steps gives the event loop a turn once a slice has run its time,
 * so other requests are served meanwhile. Costs nothing while the loop is short.
 */
export class TimeSlices {
  private started = performance.now();

  async pause(): Promise<void> {
    if (performance.now() - this.started < SLICE_MS) return;
    await nextTurn();
    this.started = performance.now();
  }
}
