import type { LogLine, LogOptions, RuntimeContainer } from './runtime.ts';
import type { ScriptLine, ScriptOutput } from './simulated-script.ts';

/** What a simulated container keeps of an endless loop's output, as a runtime's log rotation would. */
const RETAINED_LOOP_LINES = 10_000;

/** The lines `output` prints with offsets in (afterMs, untilMs], in order. */
export function* linesBetween(output: ScriptOutput, afterMs: number, untilMs: number): Generator<ScriptLine> {
  const loop = output.loop?.lines.length ? output.loop : undefined;
  const last = loop && untilMs >= loop.startMs ? Math.floor((untilMs - loop.startMs) / loop.periodMs) : -1;
  // Past the retained lines the loop has pushed out what came before it too.
  const dropped = loop ? Math.max(0, last + 1 - Math.ceil(RETAINED_LOOP_LINES / loop.lines.length)) : 0;
  if (dropped === 0) {
    for (const line of output.lines) if (line.atMs > afterMs && line.atMs <= untilMs) yield line;
  }
  if (!loop) return;
  const first = Math.max(dropped, Math.floor((afterMs - loop.startMs) / loop.periodMs), 0);
  for (let k = first; k <= last; k++) {
    const base = loop.startMs + k * loop.periodMs;
    for (const line of loop.lines) {
      const atMs = base + line.atMs;
      if (atMs > afterMs && atMs <= untilMs) yield { ...line, atMs };
    }
  }
}

/** When `output` prints its next line after `afterMs`, if it ever does. */
export function nextLineAt(output: ScriptOutput, afterMs: number): number | undefined {
  const once = output.lines.find((line) => line.atMs > afterMs)?.atMs;
  if (once !== undefined) return once;
  const loop = output.loop;
  if (!loop || loop.lines.length === 0) return undefined;
  const k = Math.max(0, Math.floor((afterMs - loop.startMs) / loop.periodMs));
  for (const base of [k, k + 1].map((i) => loop.startMs + i * loop.periodMs)) {
    const found = loop.lines.find((line) => base + line.atMs > afterMs);
    if (found) return base + found.atMs;
  }
  return undefined;
}

/** RFC 3339 with nanoseconds, as container runtimes stamp log lines. */
export function nanoTimestamp(ms: number): string {
  return new Date(Math.floor(ms)).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/**
 * The output of one simulated container instance (`instance` is the runtime's live
 * record, so its exit shows), as `logs` gives it: the lines printed so far (from
 * `sinceSeconds` ago, the last `tailLines`), then with `follow` each line as its time
 * comes, until the instance exits or `signal` aborts. `changed` calls back on any
 * change of a container's state, so that a follower wakes when its instance exits.
 */
export async function* instanceLogs(
  instance: RuntimeContainer,
  output: ScriptOutput,
  options: LogOptions,
  changed: (wake: () => void) => () => void,
): AsyncGenerator<LogLine> {
  if (!instance.startedAt) return;
  const start = Date.parse(instance.startedAt);
  const endOf = () => (instance.finishedAt ? Date.parse(instance.finishedAt) : undefined);
  const line = (l: ScriptLine): LogLine => ({
    stream: l.stream,
    time: nanoTimestamp(start + l.atMs),
    text: l.text,
  });

  const upTo = () => (endOf() ?? Date.now()) - start;
  let until = upTo();
  const since =
    options.sinceSeconds === undefined ? -1 : Date.now() - options.sinceSeconds * 1000 - start - 1;
  let first = [...linesBetween(output, since, until)];
  if (options.tailLines !== undefined) first = options.tailLines === 0 ? [] : first.slice(-options.tailLines);
  for (const l of first) yield line(l);
  if (!options.follow) return;

  while (!options.signal?.aborted) {
    const ended = endOf() !== undefined;
    const next = ended ? undefined : nextLineAt(output, until);
    if (!ended) {
      await new Promise<void>((resolve) => {
        const timer =
          next === undefined ? undefined : setTimeout(done, Math.max(0, start + next - Date.now()));
        const unsubscribe = changed(done);
        options.signal?.addEventListener('abort', done);
        function done() {
          clearTimeout(timer);
          unsubscribe();
          options.signal?.removeEventListener('abort', done);
          resolve();
        }
      });
    }
    if (options.signal?.aborted) return;
    const now = upTo();
    for (const l of linesBetween(output, until, now)) yield line(l);
    until = now;
    if (ended) return;
  }
}
