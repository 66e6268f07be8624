/**
 * Authorization cost: the same requests with the admin token (A: system:masters, which
 * skips RBAC) and with a ServiceAccount's token (B: RBAC decides every request and every
 * edge, among 1,000 bindings), in interleaved phases A B A B so that the machine's other
 * load falls on both alike. Prints figures, never passes or fails.
 *
 *   npm run bench:authz                       (phases A B A B of 150 rounds each)
 *   npm run bench:authz -- --rounds 50        (shorter)
 *   npm run bench:authz -- --pairs 6 --rounds 50   (more turns: steadier on a busy machine)
 *   BENCH_PROFILE=/tmp/prof npm run bench:authz -- --only=B   (B phases alone, to profile the server)
 *
 * A round is the write mix (create, patch, delete of a pod) and the read mix (get, list
 * of 100, and GraphQL's Deployment.pods edge), through GraphQL over HTTP and through the
 * REST API, each request sent alone (one client): latency without queueing. The server's
 * CPU time per round, read from outside it, is the steadier figure on a shared machine.
 */
import os from 'node:os';
import { decisionCost } from './authz-decisions.ts';
import { populateRbac } from './rbac-population.ts';
import { exchange } from './rest-requests.ts';
import { post, startServer, type Server } from './server-process.ts';
import { withCost } from './section-cost.ts';
import { percentile, pod } from './workload.ts';

const NAMESPACE = 'bench';
const CALLER = 'deployer-bot';
const BINDINGS = 1000;
const STORED_PODS = 1000;
const EDGE_PODS = 10;

const rounds = Number(option('rounds')) || 150;
const only = option('only');
const pairs = Number(option('pairs')) || 2;

type Op = (server: Server, name: string) => Promise<void>;

const POD_FIELDS = 'metadata { name resourceVersion labels } spec { nodeName } status { phase }';

/** The update of the write mix: a merge patch adding a label, as `kubectl label` sends it. */
const RELABEL = { metadata: { labels: { reviewed: 'true' } } };

/** The requests of one round, in order; a write's `name` is the round's own pod. */
const OPS: Array<[label: string, op: Op]> = [
  [
    'graphql create',
    (s, name) =>
      gql(
        s,
        `mutation($p: PodInput!) { createPod(namespace: "${NAMESPACE}", pod: $p) { metadata { resourceVersion } } }`,
        { p: pod(`g-${name}`) },
      ),
  ],
  [
    'graphql patch',
    (s, name) =>
      gql(
        s,
        `mutation($n: String!, $p: JSON!) { patchPod(namespace: "${NAMESPACE}", name: $n, patch: $p) { metadata { resourceVersion } } }`,
        { n: `g-${name}`, p: RELABEL },
      ),
  ],
  [
    'graphql delete',
    (s, name) =>
      gql(
        s,
        `mutation($n: String!) { deletePod(namespace: "${NAMESPACE}", name: $n, gracePeriodSeconds: 0) { metadata { name } } }`,
        { n: `g-${name}` },
      ),
  ],
  [
    'rest create',
    (s, name) => rest(s, 'POST', podsPath(), 201, { apiVersion: 'v1', kind: 'Pod', ...pod(`r-${name}`) }),
  ],
  [
    'rest patch',
    (s, name) =>
      rest(s, 'PATCH', podsPath(`r-${name}`), 200, RELABEL, {
        'content-type': 'application/merge-patch+json',
      }),
  ],
  ['rest delete', (s, name) => rest(s, 'DELETE', `${podsPath(`r-${name}`)}?gracePeriodSeconds=0`, 200)],
  [
    'graphql get',
    (s) => gql(s, `{ pod(namespace: "${NAMESPACE}", name: "${storedPod(7)}") { ${POD_FIELDS} } }`),
  ],
  [
    'graphql list 100',
    (s) => gql(s, `{ pods(namespace: "${NAMESPACE}", limit: 100) { items { ${POD_FIELDS} } } }`),
  ],
  [
    'graphql Deployment.pods',
    (s) =>
      gql(
        s,
        `{ deployment(namespace: "${NAMESPACE}", name: "web") { metadata { name } pods { ${POD_FIELDS} } } }`,
      ),
  ],
  ['rest get', (s) => rest(s, 'GET', podsPath(storedPod(7)), 200)],
  ['rest list 100', (s) => rest(s, 'GET', `${podsPath()}?limit=100`, 200)],
];

const WRITES = new Set(OPS.slice(0, 6).map(([label]) => label));

const podsPath = (name?: string) => `/api/v1/namespaces/${NAMESPACE}/pods${name ? `/${name}` : ''}`;
const storedPod = (i: number) => `stored-${i}`;

async function gql(server: Server, query: string, variables?: Record<string, unknown>): Promise<void> {
  await post(server, query, variables);
}

async function rest(
  server: Server,
  method: string,
  target: string,
  status: number,
  body?: object,
  headers: Record<string, string> = {},
) {
  const answer = await exchange(server, method, target, {
    body: body && JSON.stringify(body),
    headers: { accept: 'application/json', ...headers },
  });
  if (answer.status !== status)
    throw new Error(`${method} ${target} answered ${answer.status}: ${answer.body.toString().slice(0, 300)}`);
}

interface Phase {
  caller: 'A' | 'B';
  samples: Map<string, number[]>;
  serverCpuMs: number;
  wallMs: number;
}

async function runPhase(
  server: Server,
  caller: Phase['caller'],
  index: number,
  count = rounds,
): Promise<Phase> {
  const samples = new Map(OPS.map(([label]) => [label, [] as number[]]));
  const [, cost] = await withCost(server.pid, async () => {
    for (let round = 0; round < count; round++) {
      const name = `${caller.toLowerCase()}${index < 0 ? 'w' : index}-${round}`;
      for (const [label, op] of OPS) {
        const started = performance.now();
        await op(server, name);
        samples.get(label)!.push(performance.now() - started);
      }
    }
  });
  return { caller, samples, serverCpuMs: cost.serverCpuMs, wallMs: cost.wallMs };
}

/** The Deployment `web` whose ReplicaSet owns EDGE_PODS pods (no controllers run: the bench writes them), and STORED_PODS more. */
async function seedObjects(server: Server): Promise<void> {
  const apply = (items: object[]) =>
    post<{ apply: { metadata: { uid: string } }[] }>(
      server,
      `mutation($m: String!) { apply(manifests: $m, namespace: "${NAMESPACE}") { metadata { uid } } }`,
      { m: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) },
    );
  const template = pod('web');
  const selector = { matchLabels: { app: 'web' } };
  const podTemplate = { metadata: { labels: { app: 'web' } }, spec: template.spec };
  const [deployment] = (
    await apply([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: { replicas: EDGE_PODS, selector, template: podTemplate },
      },
    ])
  ).apply;
  const owner = (kind: string, name: string, uid: string) => [
    { apiVersion: 'apps/v1', kind, name, uid, controller: true },
  ];
  const [replicaSet] = (
    await apply([
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: 'web-1', ownerReferences: owner('Deployment', 'web', deployment.metadata.uid) },
        spec: { replicas: EDGE_PODS, selector, template: podTemplate },
      },
    ])
  ).apply;
  await apply(
    Array.from({ length: EDGE_PODS }, (_, i) => {
      const manifest = pod(`web-1-${i}`);
      return {
        apiVersion: 'v1',
        kind: 'Pod',
        ...manifest,
        metadata: {
          ...manifest.metadata,
          labels: { app: 'web' },
          ownerReferences: owner('ReplicaSet', 'web-1', replicaSet.metadata.uid),
        },
      };
    }),
  );
  for (let at = 0; at < STORED_PODS; at += 100) {
    await apply(
      Array.from({ length: 100 }, (_, i) => ({ apiVersion: 'v1', kind: 'Pod', ...pod(storedPod(at + i)) })),
    );
  }
}

/** Fails unless the caller follows the Deployment.pods edge to every pod: else B would time refusals. */
async function edgeSeenBy(server: Server): Promise<void> {
  const data = await post<{ deployment: { pods: unknown[] } }>(
    server,
    `{ deployment(namespace: "${NAMESPACE}", name: "web") { pods { metadata { name } } } }`,
  );
  if (data.deployment.pods.length !== EDGE_PODS)
    throw new Error(`Deployment.pods gave ${data.deployment.pods.length} pods, not ${EDGE_PODS}`);
}

const fmt = (n: number) => n.toFixed(2).padStart(7);

function report(phases: Phase[]): void {
  const header = phases
    .map((phase, i) =>
      `${phase.caller}${phases.slice(0, i + 1).filter((p) => p.caller === phase.caller).length} p50/p99`.padEnd(
        18,
      ),
    )
    .join('');
  console.log(`\n${'latency, ms'.padEnd(26)}${header}B/A p50  B/A p99  pairs' B/A p50`);
  const pooled = (caller: Phase['caller'], label: string) =>
    phases.filter((phase) => phase.caller === caller).flatMap((phase) => phase.samples.get(label)!);
  const ratio = (label: string, p: number) => {
    const a = pooled('A', label);
    const b = pooled('B', label);
    return a.length && b.length ? percentile(b, p) / percentile(a, p) : NaN;
  };
  // Each B against the A just before it, the median over pairs: one busy stretch of the machine moves it least.
  const pairRatio = (label: string) => {
    const ratios = phases.flatMap((phase, i) =>
      phase.caller === 'B' && phases[i - 1]?.caller === 'A'
        ? [percentile(phase.samples.get(label)!, 50) / percentile(phases[i - 1].samples.get(label)!, 50)]
        : [],
    );
    return ratios.length ? percentile(ratios, 50) : NaN;
  };
  for (const [label] of OPS) {
    const cells = phases
      .map((phase) => {
        const samples = phase.samples.get(label)!;
        return `${fmt(percentile(samples, 50))} /${fmt(percentile(samples, 99))}  `;
      })
      .join('');
    console.log(
      `${label.padEnd(26)}${cells}${ratio(label, 50).toFixed(3).padStart(7)}  ${ratio(label, 99).toFixed(3).padStart(7)}  ${pairRatio(label).toFixed(3).padStart(13)}`,
    );
  }
  const mixes: Array<[string, string[]]> = [
    ['write mix (sum of p50s)', [...WRITES]],
    ['read mix (sum of p50s)', OPS.map(([label]) => label).filter((label) => !WRITES.has(label))],
  ];
  for (const [mix, labels] of mixes) {
    const sum = (caller: Phase['caller']) =>
      labels.reduce((total, label) => total + percentile(pooled(caller, label), 50), 0);
    console.log(
      `${mix.padEnd(26)}A ${sum('A').toFixed(2)} ms, B ${sum('B').toFixed(2)} ms, B/A ${(sum('B') / sum('A')).toFixed(3)}`,
    );
  }
  const cpuPerRound = (caller: Phase['caller']) => {
    const mine = phases.filter((phase) => phase.caller === caller);
    return mine.reduce((total, phase) => total + phase.serverCpuMs, 0) / (mine.length * rounds);
  };
  const cpuRatios = phases.flatMap((phase, i) =>
    phase.caller === 'B' && phases[i - 1]?.caller === 'A'
      ? [phase.serverCpuMs / phases[i - 1].serverCpuMs]
      : [],
  );
  const cpuPairRatio = cpuRatios.length ? percentile(cpuRatios, 50) : NaN;
  console.log(
    `${'server CPU per round'.padEnd(26)}${phases.map((phase) => `${phase.caller} ${(phase.serverCpuMs / rounds).toFixed(2)} ms`.padEnd(18)).join('')}B/A ${(cpuPerRound('B') / cpuPerRound('A')).toFixed(3)}, pairs' ${cpuPairRatio.toFixed(3)}`,
  );
}

/** `--name value` or `--name=value`. */
function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  if (at >= 0) return process.argv[at + 1];
  return process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

async function main() {
  const population = { bindings: BINDINGS, callerNamespace: NAMESPACE, caller: CALLER };
  const { nsPerDecision } = decisionCost(population);
  const admin = await startServer();
  try {
    const token = await populateRbac(admin, population);
    await seedObjects(admin);
    const callers = { A: admin, B: { ...admin, token } };
    await edgeSeenBy(callers.B);
    const order = Array.from({ length: pairs }, () => ['A', 'B'] as const)
      .flat()
      .filter((caller) => !only || caller === only);
    console.log(
      `kubeql authorization benchmark (${os.cpus().length} cores): ${BINDINGS} bindings, ${rounds} rounds a phase of ${OPS.length} requests, ` +
        `A = admin token, B = ServiceAccount ${NAMESPACE}/${CALLER} (edit in ${NAMESPACE}, view through its group)`,
    );
    // Untimed rounds first: the server compiles its paths and fills its caches once.
    for (const caller of new Set(order)) await runPhase(callers[caller], caller, -1, 20);
    const phases: Phase[] = [];
    for (const [index, caller] of order.entries())
      phases.push(await runPhase(callers[caller], caller, index));
    report(phases);
    console.log(
      `${'authorizer alone, B'.padEnd(26)}${(nsPerDecision / 1000).toFixed(2)} µs a decision (in this process)`,
    );
  } finally {
    admin.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
