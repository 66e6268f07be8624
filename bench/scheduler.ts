/**
 * Scheduler throughput benchmark: prints figures, never passes or fails.
 *
 *   npm run bench:scheduler                                  (500, 2,000 and 5,000 nodes; 10,000 pods each)
 *   npm run bench:scheduler -- --nodes 2000 --pods 30000
 *   npm run bench:scheduler -- --nodes 5000 --cpu-prof prof  (a V8 CPU profile per run in prof/, top functions printed)
 *
 * The scheduler (agent/scheduler/) alone, fed in-process: a fake API hands its informers
 * the Nodes as their list and the Pods as watch events, and its bindings come back as
 * MODIFIED events (then one status update each, as a node agent writes), as the store
 * would send them. Nothing else runs, so the figures are the scheduler's own: pods
 * scheduled per second (from the first pod seen to the last binding) and CPU per pod.
 *
 * The workload exercises the plugins kube-scheduler enables by default that kubeql
 * implements: resource fit and the two resource scores, taints (NoSchedule filtered,
 * PreferNoSchedule scored), node selectors and required and preferred node affinity,
 * cordoned and not-ready nodes, and spreading of each controller's pods. Every binding
 * is checked against the constraints afterwards, and a summary says so.
 *
 * Anchor: Kubernetes' scheduler_perf SchedulingBasic, ~270 pods/s at 5,000 nodes.
 */
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { NodeObject, PodObject } from '../agent/objects.ts';
import { FakeSchedulerApi } from '../test/support/scheduler-api.ts';

const { values: flags } = parseArgs({
  options: {
    /** Comma-separated node counts, one run each. */
    nodes: { type: 'string', default: '500,2000,5000' },
    pods: { type: 'string', default: '10000' },
    /** Writes one V8 CPU profile per run into this directory and prints the heaviest functions. */
    'cpu-prof': { type: 'string' },
  },
});

const positive = (text: string) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`not a positive integer: ${text}`);
  return n;
};
const NODE_COUNTS = flags.nodes.split(',').map(positive);
const PODS = positive(flags.pods);
const OWNERS = 20;
const ZONES = 3;
const ZONE = 'topology.kubernetes.io/zone';
const INSTANCE_TYPE = 'node.kubernetes.io/instance-type';

const load = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

function makeNode(i: number): NodeObject {
  const name = `node-${i}`;
  const taints = [];
  if (i % 20 === 7) taints.push({ key: 'dedicated', value: 'infra', effect: 'NoSchedule' as const });
  if (i % 10 === 3) taints.push({ key: 'spot', value: 'true', effect: 'PreferNoSchedule' as const });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      uid: `uid-${name}`,
      resourceVersion: '1',
      labels: {
        'kubernetes.io/hostname': name,
        [ZONE]: `zone-${i % ZONES}`,
        [INSTANCE_TYPE]: i % 2 ? 'large' : 'small',
      },
    },
    spec: { taints, unschedulable: i % 100 === 42 || undefined },
    status: {
      allocatable: { cpu: '8', memory: '32Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: i % 100 === 43 ? 'False' : 'True' }],
    },
  };
}

/** One controller's pods share a spec object, as a ReplicaSet's pods share their template. */
function ownerSpec(owner: number): PodObject['spec'] {
  const spec: NonNullable<PodObject['spec']> = {
    containers: [{ name: 'app', image: 'app:1', resources: { requests: { cpu: '100m', memory: '256Mi' } } }],
  };
  if (owner % 4 === 0) {
    spec.affinity = {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 50,
            preference: {
              matchExpressions: [{ key: ZONE, operator: 'In', values: [`zone-${owner % ZONES}`] }],
            },
          },
        ],
      },
    };
  }
  if (owner % 5 === 1) spec.nodeSelector = { [INSTANCE_TYPE]: 'large' };
  if (owner % 5 === 2) {
    spec.affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE, operator: 'NotIn', values: ['zone-0'] }] }],
        },
      },
    };
  }
  if (owner % 7 === 2) spec.tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'infra' }];
  return spec;
}

function makePods(count: number): PodObject[] {
  const specs = Array.from({ length: OWNERS }, (_, owner) => ownerSpec(owner));
  return Array.from({ length: count }, (_, i) => {
    const owner = i % OWNERS;
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `pod-${i}`,
        namespace: 'bench',
        uid: `pod-uid-${i}`,
        resourceVersion: String(i + 2),
        labels: { app: `app-${owner}` },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: `app-${owner}`,
            uid: `rs-${owner}`,
            controller: true,
          },
        ],
      },
      spec: specs[owner],
      status: { phase: 'Pending' },
    };
  });
}

/** Bindings that break a constraint of the workload (none expected). */
function violations(api: FakeSchedulerApi, nodes: Map<string, NodeObject>, pods: PodObject[]): string[] {
  const out: string[] = [];
  const cpuPerNode = new Map<string, number>();
  for (const pod of pods) {
    const nodeName = api.bound.get(`bench/${pod.metadata.name}`);
    if (!nodeName) continue;
    const node = nodes.get(nodeName)!;
    const labels = node.metadata.labels!;
    const spec = pod.spec!;
    cpuPerNode.set(nodeName, (cpuPerNode.get(nodeName) ?? 0) + 100);
    const tainted = node.spec?.taints?.some((t) => t.effect === 'NoSchedule');
    if (tainted && !spec.tolerations) out.push(`${pod.metadata.name} on tainted ${nodeName}`);
    if (spec.nodeSelector && labels[INSTANCE_TYPE] !== 'large')
      out.push(`${pod.metadata.name} on small ${nodeName}`);
    if (
      spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution &&
      labels[ZONE] === 'zone-0'
    )
      out.push(`${pod.metadata.name} in zone-0`);
    if (node.spec?.unschedulable) out.push(`${pod.metadata.name} on cordoned ${nodeName}`);
    if (node.status?.conditions?.[0].status !== 'True')
      out.push(`${pod.metadata.name} on not-ready ${nodeName}`);
  }
  for (const [nodeName, cpu] of cpuPerNode) if (cpu > 8000) out.push(`${nodeName} overcommitted: ${cpu}m`);
  return out;
}

async function run(nodeCount: number, profileDir: string | undefined) {
  const nodeList = Array.from({ length: nodeCount }, (_, i) => makeNode(i));
  const pods = makePods(PODS);
  const api = new FakeSchedulerApi(nodeList);
  const logs: string[] = [];
  const scheduler = api.startScheduler({ log: (line) => logs.push(line) });
  await scheduler.synced;

  const done = new Promise<void>((resolve) => {
    api.onBound = () => api.bound.size === PODS && resolve();
  });
  const profiler = profileDir ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }
  const cpuBefore = process.cpuUsage();
  const t0 = performance.now();
  for (const pod of pods) api.add(pod);
  await done;
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  let top: string[] = [];
  if (profiler && profileDir) {
    const { profile } = await profiler.post('Profiler.stop');
    profiler.disconnect();
    fs.mkdirSync(profileDir, { recursive: true });
    const file = path.join(profileDir, `scheduler-${nodeCount}-nodes.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
    top = [`    profile: ${file}`, ...heaviest(profile, 12)];
  }

  await scheduler.stop();
  await api.close();
  const nodesByName = new Map(nodeList.map((n) => [n.metadata.name!, n]));
  return {
    nodes: nodeCount,
    podsPerSecond: PODS / (wallMs / 1000),
    cpuPerPodMs: cpuMs / PODS,
    cores: cpuMs / wallMs,
    violations: violations(api, nodesByName, pods),
    logs,
    top,
  };
}

interface ProfileNode {
  callFrame: { functionName: string; url: string };
  hitCount?: number;
}

/** The functions with the most self time, as "share  name  file" (line numbers are of tsx's output). */
function heaviest(profile: { nodes: ProfileNode[] }, count: number): string[] {
  const self = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    total += hits;
    const { functionName, url } = node.callFrame;
    const where = `${functionName || '(anonymous)'}  ${url.split('/').slice(-2).join('/')}`;
    self.set(where, (self.get(where) ?? 0) + hits);
  }
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([where, hits]) => `    ${((hits * 100) / total).toFixed(1).padStart(5)} %  ${where}`);
}

async function main() {
  console.log(
    `kubeql scheduler benchmark (${os.cpus().length} cores, load ${load()}, ${PODS} pods per run, ` +
      `${OWNERS} controllers)\n`,
  );
  const results = [];
  for (const nodeCount of NODE_COUNTS) {
    const result = await run(nodeCount, flags['cpu-prof']);
    results.push(result);
    console.log(
      `${String(nodeCount).padStart(6)} nodes  ${result.podsPerSecond.toFixed(0).padStart(6)} pods/s  ` +
        `${(result.cpuPerPodMs * 1000).toFixed(0).padStart(6)} µs CPU/pod  ${result.cores.toFixed(2)} cores  ` +
        `${result.violations.length ? `VIOLATIONS ${result.violations.length}: ${result.violations.slice(0, 3).join('; ')}` : 'constraints held'}` +
        `${result.logs.length ? `  (${result.logs.length} log lines, first: ${result.logs[0]})` : ''}`,
    );
    for (const line of result.top) console.log(line);
  }
  console.log(`\nload average at the end ${load()}`);
  console.log(
    JSON.stringify(
      results.map((r) => ({
        nodes: r.nodes,
        pods_per_s: +r.podsPerSecond.toFixed(1),
        cpu_us_per_pod: Math.round(r.cpuPerPodMs * 1000),
        violations: r.violations.length,
      })),
    ),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
