/**
 * Admission cost per kind for the largest realistic manifests: 1,000 mixed objects
 * (bench/large-manifests.ts) applied one per request through GraphQL `apply` and through
 * the REST API's server-side apply (taking turns, 50 objects each), then all 1,000 in one GraphQL `apply`; each into a
 * namespace of its own holding a ResourceQuota and a LimitRange, as a team's does. Then
 * the same manifests through the admission steps in this process (admission-steps.ts).
 * Prints figures, never passes or fails.
 *
 *   npm run bench:admission
 *   npm run bench:admission -- --objects 300          (fewer)
 *   BENCH_PROFILE=/tmp/prof npm run bench:admission    (a CPU profile of the server)
 */
import os from 'node:os';
import { kindByName } from '../schema/kinds/index.ts';
import { admissionSteps } from './admission-steps.ts';
import {
  CRD_GROUP,
  CRD_KIND,
  CRD_PLURAL,
  mixedManifests,
  pipelineCrd,
  teamNamespace,
} from './large-manifests.ts';
import { exchange } from './rest-requests.ts';
import { post, startServer, type Server } from './server-process.ts';
import { withCost } from './section-cost.ts';
import { percentile } from './workload.ts';

const objects = Number(option('objects')) || 1000;
/** Objects a surface applies before the other takes its turn. */
const CHUNK = 50;
const APPLY = `mutation($m: String!, $ns: String) { apply(manifests: $m, namespace: $ns) { kind } }`;

type Manifest = { apiVersion: string; kind: string; metadata: { name: string } };
type ByKind = Map<string, number[]>;

/** Where the REST API serves one object of a manifest's kind in `namespace`. */
function objectPath(manifest: Manifest, namespace: string): string {
  const plural = manifest.kind === CRD_KIND ? CRD_PLURAL : kindByName(manifest.kind)!.plural;
  const root = manifest.apiVersion.includes('/') ? `/apis/${manifest.apiVersion}` : '/api/v1';
  return `${root}/namespaces/${namespace}/${plural}/${manifest.metadata.name}`;
}

/** Where one surface's applies stand: latencies by kind, and its server CPU and wall time so far. */
interface Surface {
  byKind: ByKind;
  serverCpuMs: number;
  wallMs: number;
}

/** Applies `manifests` in chunks, taking turns between the surfaces so that the machine's other load falls on each alike. */
async function alternate(
  server: Server,
  manifests: Manifest[],
  surfaces: Array<(manifest: Manifest) => Promise<void>>,
): Promise<Surface[]> {
  const results = surfaces.map((): Surface => ({ byKind: new Map(), serverCpuMs: 0, wallMs: 0 }));
  for (let at = 0; at < manifests.length; at += CHUNK) {
    for (const [i, send] of surfaces.entries()) {
      const result = results[i];
      const [, cost] = await withCost(server.pid, async () => {
        for (const manifest of manifests.slice(at, at + CHUNK)) {
          const started = performance.now();
          await send(manifest);
          const samples = result.byKind.get(manifest.kind) ?? [];
          samples.push(performance.now() - started);
          result.byKind.set(manifest.kind, samples);
        }
      });
      result.serverCpuMs += cost.serverCpuMs;
      result.wallMs += cost.wallMs;
    }
  }
  return results;
}

async function graphqlApply(server: Server, manifest: Manifest, namespace: string): Promise<void> {
  await post(server, APPLY, { m: JSON.stringify(manifest), ns: namespace });
}

async function restApply(server: Server, manifest: Manifest, namespace: string): Promise<void> {
  const answer = await exchange(server, 'PATCH', `${objectPath(manifest, namespace)}?fieldManager=bench`, {
    body: JSON.stringify(manifest),
    headers: { 'content-type': 'application/apply-patch+yaml', accept: 'application/json' },
  });
  if (answer.status !== 201 && answer.status !== 200)
    throw new Error(
      `apply of ${manifest.kind} answered ${answer.status}: ${answer.body.toString().slice(0, 300)}`,
    );
}

/** Waits until the custom kind is served, by both surfaces. */
async function crdServed(server: Server): Promise<void> {
  for (;;) {
    const answer = await exchange(server, 'GET', `/apis/${CRD_GROUP}/v1/namespaces/default/${CRD_PLURAL}`);
    const data = await post<{ __type: unknown }>(server, `{ __type(name: "${CRD_KIND}") { name } }`);
    if (answer.status === 200 && data.__type) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const ms = (n: number) => n.toFixed(2).padStart(8);

function printKinds(columns: Array<[string, ByKind]>): void {
  console.log(`\n${'kind'.padEnd(26)}${columns.map(([title]) => title.padEnd(22)).join('')}`);
  const kinds = [...new Set(columns.flatMap(([, byKind]) => [...byKind.keys()]))];
  for (const kind of kinds) {
    const cells = columns.map(([, byKind]) => {
      const samples = byKind.get(kind);
      return (samples ? `${ms(percentile(samples, 50))} /${ms(percentile(samples, 99))}` : '').padEnd(22);
    });
    console.log(`${`${kind} (${columns[0][1].get(kind)?.length ?? 0})`.padEnd(26)}${cells.join('')}`);
  }
  const totals = columns.map(([, byKind]) => {
    const all = [...byKind.values()].flat();
    return `${ms(percentile(all, 50))} /${ms(percentile(all, 99))}`.padEnd(22);
  });
  console.log(`${'all kinds'.padEnd(26)}${totals.join('')}`);
}

/** `--name value` or `--name=value`. */
function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  if (at >= 0) return process.argv[at + 1];
  return process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

async function main() {
  const manifests = mixedManifests(objects) as Manifest[];
  const server = await startServer();
  try {
    await post(server, APPLY, { m: JSON.stringify(pipelineCrd()) });
    const namespaces = ['graphql', 'rest', 'bulk', 'warm'];
    await post(server, APPLY, {
      m: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: namespaces.flatMap(teamNamespace) }),
    });
    await crdServed(server);
    console.log(
      `kubeql admission benchmark (${os.cpus().length} cores): ${manifests.length} objects of ${new Set(manifests.map((m) => m.kind)).size} kinds, ` +
        `${(JSON.stringify(manifests).length / 1024).toFixed(0)} KiB as JSON; latency in ms, p50 / p99, one object a request`,
    );
    // One app's objects first, untimed: the server compiles each kind's path once.
    for (const manifest of manifests.slice(0, 12)) {
      await graphqlApply(server, manifest, 'warm');
      await restApply(server, manifest, 'warm');
    }
    const [graphql, rest] = await alternate(server, manifests, [
      (manifest) => graphqlApply(server, manifest, 'graphql'),
      (manifest) => restApply(server, manifest, 'rest'),
    ]);
    printKinds([
      ['GraphQL apply', graphql.byKind],
      ['REST server-side apply', rest.byKind],
    ]);
    const [, bulkCost] = await withCost(server.pid, () =>
      post(server, APPLY, {
        m: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifests }),
        ns: 'bulk',
      }),
    );
    const perObject = (cpuMs: number) =>
      `${((cpuMs * 1000) / manifests.length).toFixed(0)} µs server CPU an object`;
    console.log(
      `\nall ${manifests.length}, one a request: GraphQL ${(graphql.wallMs / 1000).toFixed(2)} s (${perObject(graphql.serverCpuMs)}), REST ${(rest.wallMs / 1000).toFixed(2)} s (${perObject(rest.serverCpuMs)})`,
    );
    console.log(
      `all ${manifests.length} in one GraphQL apply: ${(bulkCost.wallMs / 1000).toFixed(2)} s (${perObject(bulkCost.serverCpuMs)})`,
    );
  } finally {
    server.stop();
  }
  admissionSteps(manifests);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
