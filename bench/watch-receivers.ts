/**
 * Watch receivers in a process of their own (watch-fanout.ts forks a few of these), so
 * that what the benchmark measures is the server's fan-out, not receivers starved of
 * CPU on the load generator's event loop. A receiver never parses a message: it finds
 * the write's timestamp (the `sent` annotation) in the frame's bytes and counts the
 * delivery latency into a histogram of whole milliseconds.
 *
 * Over IPC: `open` → `opened` (or `failed`), `reset` clears the histogram, `collect` →
 * `histogram` (pairs of [latency ms, count]).
 */
import type WebSocket from 'ws';
import { subscribeAll } from './ws-subscriptions.ts';

export interface Subscriber {
  token: string;
  query: string;
  localAddress: string;
}

export type ToReceivers =
  | { type: 'open'; server: { url: string; ca?: string }; subscribers: Subscriber[] }
  | { type: 'reset' }
  | { type: 'collect' };

export type FromReceivers =
  | { type: 'opened' }
  | { type: 'failed'; message: string }
  | { type: 'histogram'; counts: Array<[number, number]> };

const SENT = Buffer.from('"sent":"');
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const OPEN_AT_ONCE = 50;

let histogram = new Map<number, number>();
const sockets: WebSocket[] = [];

/** The number after `"sent":"` in the frame, read off its bytes; NaN without one. */
function sentAt(frame: Buffer): number {
  let at = frame.indexOf(SENT);
  if (at < 0) return NaN;
  at += SENT.length;
  let value = 0;
  for (let byte = frame[at]; byte >= DIGIT_0 && byte <= DIGIT_9; byte = frame[++at])
    value = value * 10 + byte - DIGIT_0;
  return value;
}

function receive(frame: Buffer): void {
  const sent = sentAt(frame);
  if (!sent) return;
  const latency = Date.now() - sent;
  histogram.set(latency, (histogram.get(latency) ?? 0) + 1);
}

async function open(server: { url: string; ca?: string }, subscribers: Subscriber[]): Promise<void> {
  const target = { url: new URL(server.url), ca: server.ca, token: '' };
  for (let i = 0; i < subscribers.length; i += OPEN_AT_ONCE) {
    const batch = subscribers
      .slice(i, i + OPEN_AT_ONCE)
      .map(({ token, query, localAddress }) =>
        subscribeAll(target, [query], () => {}, { token, localAddress, onFrame: receive }),
      );
    sockets.push(...(await Promise.all(batch)));
  }
}

const reply = (message: FromReceivers) => process.send!(message);

process.on('message', (message: ToReceivers) => {
  switch (message.type) {
    case 'open':
      open(message.server, message.subscribers).then(
        () => reply({ type: 'opened' }),
        (error: unknown) => reply({ type: 'failed', message: String(error) }),
      );
      return;
    case 'reset':
      histogram = new Map();
      return;
    case 'collect':
      reply({ type: 'histogram', counts: [...histogram] });
      return;
  }
});

process.on('disconnect', () => {
  for (const socket of sockets) socket.terminate();
  process.exit(0);
});
