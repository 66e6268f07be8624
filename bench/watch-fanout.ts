import { fork, type ChildProcess } from 'node:child_process';
import { processCpuMs, runQueueWaitMs } from './cpu-time.ts';
import { post, type Server } from './server-process.ts';
import { percentile } from './workload.ts';
import type { FromReceivers, Subscriber, ToReceivers } from './watch-receivers.ts';

/** One figure: `subscribers` watches of one ConfigMap patched `rate` times a second. */
export interface FanoutPoint {
  subscribers: number;
  rate: number;
  /** Each subscriber a ServiceAccount of its own, bound to a Role (else all the admin). */
  separateCallers?: boolean;
}

export type Print = (label: string, value: string) => void;

/** Receiver processes: one per core of a two-core machine leaves the server one to itself at times. */
const RECEIVER_PROCESSES = 2;
/** The server counts its per-client caps by remote address: this many connections come from each. */
const CONNECTIONS_PER_ADDRESS = 1000;
const NAMESPACE = 'watch';
const CALLERS_NAMESPACE = 'watchers';
// Two aliased fields per account, within the server's limit of aliases per document.
const TOKENS_PER_REQUEST = 15;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Watch fan-out: for each point, its subscribers each hold one watch (one connection
 * each, as dashboards do) on a ConfigMap that is then patched at a fixed rate, each
 * patch carrying the time it was sent; delivery latency is from that to a receiver's
 * clock. Receivers run in RECEIVER_PROCESSES processes of their own; their CPU time is
 * printed beside the server's, so a reader can tell which one saturated.
 */
export async function watchFanout(
  server: Server,
  points: FanoutPoint[],
  seconds: number,
  print: Print,
): Promise<Record<string, number>> {
  const results: Record<string, number> = {};
  await post(server, `mutation($m: String!) { apply(manifests: $m) { kind } }`, {
    m: `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${NAMESPACE}\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${CALLERS_NAMESPACE}\n---\n${WATCHER_ROLE}`,
  });
  for (const [index, point] of points.entries()) {
    const target = `fan-${index}`;
    await post(server, `mutation($m: String!) { apply(manifests: $m) { kind } }`, {
      m: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${target}\n  namespace: ${NAMESPACE}\n  labels:\n    point: "${index}"`,
    });
    const tokens = point.separateCallers ? await callerTokens(server, point.subscribers) : undefined;
    const query = `subscription { watchConfigMaps(namespace: "${NAMESPACE}", labelSelector: "point=${index}") { type object { metadata { name resourceVersion annotations } } } }`;
    const subscribers: Subscriber[] = Array.from({ length: point.subscribers }, (_, i) => ({
      token: tokens?.[i] ?? server.token,
      query,
      localAddress: `127.0.0.${2 + Math.floor(i / CONNECTIONS_PER_ADDRESS)}`,
    }));
    const receivers = await startReceivers(server, subscribers);
    try {
      await sleep(1000);
      Object.assign(results, await measure(server, receivers, point, target, seconds, print));
    } finally {
      for (const receiver of receivers) receiver.disconnect();
    }
    await sleep(1000);
  }
  return results;
}

/** May watch ConfigMaps in NAMESPACE: every ServiceAccount of CALLERS_NAMESPACE, through its group. */
const WATCHER_ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: configmap-watcher
  namespace: ${NAMESPACE}
rules:
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: configmap-watchers
  namespace: ${NAMESPACE}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: configmap-watcher
subjects:
- kind: Group
  apiGroup: rbac.authorization.k8s.io
  name: system:serviceaccounts:${CALLERS_NAMESPACE}`;

let accounts = 0;

/** Tokens of `count` new ServiceAccounts, each its own caller. */
async function callerTokens(server: Server, count: number): Promise<string[]> {
  const tokens: string[] = [];
  while (tokens.length < count) {
    const names = Array.from({ length: Math.min(TOKENS_PER_REQUEST, count - tokens.length) }, () => {
      return `r-${(accounts++).toString(36)}`;
    });
    const fields = names.map(
      (name, i) =>
        `s${i}: createServiceAccount(namespace: "${CALLERS_NAMESPACE}", serviceAccount: { metadata: { name: "${name}" } }) { kind }
         t${i}: createToken(namespace: "${CALLERS_NAMESPACE}", serviceAccountName: "${name}") { token }`,
    );
    const data = await post<Record<string, { token: string }>>(server, `mutation { ${fields.join('\n')} }`);
    tokens.push(...names.map((_, i) => data[`t${i}`].token));
  }
  return tokens;
}

async function startReceivers(server: Server, subscribers: Subscriber[]): Promise<ChildProcess[]> {
  const receivers = Array.from({ length: RECEIVER_PROCESSES }, () =>
    fork(new URL('./watch-receivers.ts', import.meta.url), { execArgv: ['--import', 'tsx'] }),
  );
  await Promise.all(
    receivers.map((receiver, r) => {
      const mine = subscribers.filter((_, i) => i % RECEIVER_PROCESSES === r);
      ask(receiver, { type: 'open', server: { url: server.url.href, ca: server.ca }, subscribers: mine });
      return answer(receiver, 'opened');
    }),
  );
  return receivers;
}

function ask(receiver: ChildProcess, message: ToReceivers): void {
  receiver.send(message);
}

function answer<T extends FromReceivers['type']>(
  receiver: ChildProcess,
  type: T,
): Promise<Extract<FromReceivers, { type: T }>> {
  return new Promise((resolve, reject) => {
    const listen = (message: FromReceivers) => {
      if (message.type === 'failed') reject(new Error(`receivers: ${message.message}`));
      else if (message.type === type) resolve(message as Extract<FromReceivers, { type: T }>);
      else return;
      receiver.off('message', listen);
    };
    receiver.on('message', listen);
  });
}

async function measure(
  server: Server,
  receivers: ChildProcess[],
  { subscribers, rate, separateCallers }: FanoutPoint,
  target: string,
  seconds: number,
  print: Print,
): Promise<Record<string, number>> {
  for (const receiver of receivers) ask(receiver, { type: 'reset' });
  const cpuBefore = cpuTimes(server, receivers);
  const started = performance.now();
  const writes: Promise<unknown>[] = [];
  const writeLatency: number[] = [];
  for (let i = 0; i < rate * seconds; i++) {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    const sentAt = performance.now();
    const patch = { metadata: { annotations: { sent: String(Date.now()), i: String(i) } } };
    writes.push(
      post(
        server,
        `mutation($n: String!, $p: JSON!) { patchConfigMap(namespace: "${NAMESPACE}", name: $n, patch: $p) { kind } }`,
        { n: target, p: patch },
      ).then(() => void writeLatency.push(performance.now() - sentAt)),
    );
  }
  await Promise.all(writes);
  const expected = rate * seconds * subscribers;
  let latencies = new Map<number, number>();
  for (let waited = 0; waited <= 60_000; waited += 250) {
    latencies = await collect(receivers);
    if (total(latencies) >= expected) break;
    await sleep(250);
  }
  const elapsed = performance.now() - started;
  const cpuAfter = cpuTimes(server, receivers);
  const share = (ms: number) => `${((ms / elapsed) * 100).toFixed(0)}% of a core`;
  const label = `${subscribers} subscribers${separateCallers ? ', each its own caller,' : ''} at ${rate} writes/s`;
  const p50 = percentileOf(latencies, 50);
  const p99 = percentileOf(latencies, 99);
  print(
    `watch delivery (write sent → event received), ${label}, p50 / p99`,
    `${p50} ms / ${p99} ms (${total(latencies)}/${expected} events)`,
  );
  print(
    '  patch latency meanwhile, p50 / p99',
    `${percentile(writeLatency, 50).toFixed(1)} ms / ${percentile(writeLatency, 99).toFixed(1)} ms`,
  );
  print(
    '  CPU meanwhile: server / receivers; server waiting for a core',
    `${share(cpuAfter.server - cpuBefore.server)} / ${share(cpuAfter.receivers - cpuBefore.receivers)}; ` +
      `${share(cpuAfter.serverWaiting - cpuBefore.serverWaiting)}`,
  );
  // What a loaded machine's latencies hide: the server's own work for each event it delivered.
  const serverUsPerDelivery = ((cpuAfter.server - cpuBefore.server) * 1000) / Math.max(1, total(latencies));
  print('  server CPU per event delivered', `${serverUsPerDelivery.toFixed(1)} µs`);
  const key = `watch_${subscribers}x${rate}${separateCallers ? '_callers' : ''}`;
  return {
    [`${key}_p50_ms`]: p50,
    [`${key}_p99_ms`]: p99,
    [`${key}_server_us_per_event`]: Math.round(serverUsPerDelivery * 10) / 10,
  };
}

function cpuTimes(server: Server, receivers: ChildProcess[]) {
  return {
    server: processCpuMs(server.pid),
    serverWaiting: runQueueWaitMs(server.pid),
    receivers: receivers.reduce((sum, receiver) => sum + processCpuMs(receiver.pid!), 0),
  };
}

async function collect(receivers: ChildProcess[]): Promise<Map<number, number>> {
  const merged = new Map<number, number>();
  for (const receiver of receivers) {
    ask(receiver, { type: 'collect' });
    const { counts } = await answer(receiver, 'histogram');
    for (const [ms, count] of counts) merged.set(ms, (merged.get(ms) ?? 0) + count);
  }
  return merged;
}

function total(histogram: Map<number, number>): number {
  let sum = 0;
  for (const count of histogram.values()) sum += count;
  return sum;
}

/** The p-th percentile (nearest rank) of a histogram of whole milliseconds. */
function percentileOf(histogram: Map<number, number>, p: number): number {
  const rank = Math.min(total(histogram) - 1, Math.floor((p / 100) * total(histogram)));
  let seen = 0;
  for (const [ms, count] of [...histogram].sort(([a], [b]) => a - b)) {
    seen += count;
    if (seen > rank) return ms;
  }
  return NaN;
}
