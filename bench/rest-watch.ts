import type http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { post, transport, type Server } from './server-process.ts';
import { exchange } from './rest-requests.ts';
import { subscribeAll } from './ws-subscriptions.ts';

/**
 * Watch delivery through both surfaces at once: a REST watch (newline-delimited JSON over
 * one chunked response) and a GraphQL subscription (graphql-ws), on the same namespace,
 * both from the same resourceVersion, while this process writes one pod label change per
 * INTERVAL_MS. Each change's label `seq` carries its number, which the receivers look for
 * in the events' text (never parsed: the load generator shares the machine with the server).
 */

const INTERVAL_MS = 20;
/** Changes written before the measured ones, until both surfaces deliver: connections and code warmed. */
const WARMUP = 25;
const DRAIN_TIMEOUT_MS = 30_000;

const PATCH_POD = `mutation($ns: String, $n: String!, $p: JSON!) {
  patchPod(namespace: $ns, name: $n, patch: $p) { metadata { resourceVersion } }
}`;

const SEQ = '"seq":"';

/** One surface's events as it received them: for each change, when it first arrived. */
class Receiver {
  readonly arrivedAt: Float64Array;
  events = 0;
  bytes = 0;

  constructor(changes: number) {
    this.arrivedAt = new Float64Array(changes).fill(NaN);
  }

  onEvent(text: string): void {
    const now = performance.now();
    this.events++;
    this.bytes += Buffer.byteLength(text);
    const at = text.indexOf(SEQ);
    if (at < 0) return;
    const start = at + SEQ.length;
    const i = Number(text.slice(start, text.indexOf('"', start)));
    if (i >= 0 && i < this.arrivedAt.length && Number.isNaN(this.arrivedAt[i])) this.arrivedAt[i] = now;
  }

  has(i: number): boolean {
    return !Number.isNaN(this.arrivedAt[i]);
  }

  resetCounts(): void {
    this.events = 0;
    this.bytes = 0;
  }
}

/** What one surface delivered of the measured changes. */
export interface Delivery {
  /** ms from each write's acknowledgement to its event's arrival; negative when the event came first. */
  fromAck: number[];
  /** ms from each write's request being sent to its event's arrival. */
  fromSent: number[];
  delivered: number;
  /** Average size of an event as the client reads it (JSON text, before any compression). */
  eventBytes: number;
}

export interface WatchFigures {
  changes: number;
  seconds: number;
  patchMs: number[];
  rest: Delivery;
  graphql: Delivery;
  /** Why a surface stopped early, if one did. */
  failure?: string;
}

/** `GET …/pods?watch=true` from `resourceVersion`; resolves once the server has answered its head. */
function restWatch(
  server: Server,
  namespace: string,
  resourceVersion: string,
  onLine: (line: string) => void,
  onEnd: (why: string) => void,
): Promise<http.ClientRequest> {
  const query = new URLSearchParams({ watch: 'true', resourceVersion });
  return new Promise((resolve, reject) => {
    const req = transport(server).request(
      new URL(`/api/v1/namespaces/${namespace}/pods?${query}`, server.url),
      { agent: server.agent, headers: { authorization: `Bearer ${server.token}` } },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`REST watch answered ${res.statusCode}`));
        let rest = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const lines = (rest + chunk).split('\n');
          rest = lines.pop()!;
          for (const line of lines) if (line) onLine(line);
        });
        res.on('end', () => onEnd('the REST watch ended'));
        resolve(req);
      },
    );
    req.on('error', (error) => {
      reject(error);
      onEnd(`the REST watch failed: ${error.message}`);
    });
    req.end();
  });
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > end) return false;
    await sleep(10);
  }
  return true;
}

/**
 * Writes `seconds` × 50 label changes to `pods` (in turn, open loop: one per INTERVAL_MS
 * whatever the latency) while both surfaces watch `namespace`, and says when each change
 * reached each.
 */
export async function watchDelivery(
  server: Server,
  namespace: string,
  pods: string[],
  { seconds, deflate }: { seconds: number; deflate: boolean },
): Promise<WatchFigures> {
  const measured = Math.round((seconds * 1000) / INTERVAL_MS);
  const total = WARMUP + measured;
  const rest = new Receiver(total);
  const graphql = new Receiver(total);
  let failure: string | undefined;
  let closing = false;
  const stop = (why: string) => {
    if (!closing) failure ??= why;
  };

  const head = await exchange(server, 'GET', `/api/v1/namespaces/${namespace}/pods?limit=1`);
  const { resourceVersion } = (JSON.parse(head.body.toString()) as { metadata: { resourceVersion: string } })
    .metadata;
  const restRequest = await restWatch(server, namespace, resourceVersion, (line) => rest.onEvent(line), stop);
  const subscription = `subscription { watchPods(namespace: ${JSON.stringify(namespace)}, resourceVersion: ${JSON.stringify(resourceVersion)}) { type object { manifest } } }`;
  const ws = await subscribeAll(
    server,
    [subscription],
    (_, type, text) => {
      if (type === 'next') graphql.onEvent(text);
      else stop(`the subscription ended (${type}): ${text.slice(0, 300)}`);
    },
    { deflate },
  );

  const sentAt = new Float64Array(total);
  const ackAt = new Float64Array(total);
  const write = (i: number) => {
    sentAt[i] = performance.now();
    return post(server, PATCH_POD, {
      ns: namespace,
      n: pods[i % pods.length],
      p: { metadata: { labels: { seq: String(i) } } },
    }).then(() => void (ackAt[i] = performance.now()));
  };
  const writeAll = async (from: number, to: number) => {
    const pending: Promise<void>[] = [];
    const start = performance.now();
    for (let i = from; i < to; i++) {
      const wait = start + (i - from) * INTERVAL_MS - performance.now();
      if (wait > 0) await sleep(wait);
      pending.push(write(i));
    }
    await Promise.all(pending);
  };
  const bothHave = (i: number) => () => failure !== undefined || (rest.has(i) && graphql.has(i));

  try {
    await writeAll(0, WARMUP);
    if (!(await until(bothHave(WARMUP - 1), DRAIN_TIMEOUT_MS)))
      stop('the warm-up changes did not reach both surfaces');
    rest.resetCounts();
    graphql.resetCounts();
    await writeAll(WARMUP, total);
    await until(bothHave(total - 1), DRAIN_TIMEOUT_MS);
  } finally {
    closing = true;
    restRequest.destroy();
    ws.close();
  }

  const delivery = (receiver: Receiver): Delivery => {
    const fromAck: number[] = [];
    const fromSent: number[] = [];
    for (let i = WARMUP; i < total; i++) {
      if (!receiver.has(i)) continue;
      fromAck.push(receiver.arrivedAt[i] - ackAt[i]);
      fromSent.push(receiver.arrivedAt[i] - sentAt[i]);
    }
    return { fromAck, fromSent, delivered: fromAck.length, eventBytes: receiver.bytes / receiver.events };
  };
  const patchMs = Array.from({ length: measured }, (_, k) => ackAt[WARMUP + k] - sentAt[WARMUP + k]);
  return {
    changes: measured,
    seconds,
    patchMs,
    rest: delivery(rest),
    graphql: delivery(graphql),
    failure,
  };
}
