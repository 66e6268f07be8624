/**
 * managedFields tracking micro-benchmark: prints figures, never passes or fails.
 *
 *   npm run bench:managed-fields
 *   npm run bench:managed-fields -- --writes 20000 --runs 9
 *
 * Each case writes one object over and over as the store would (server/resources/writes.ts):
 * the new version's managedFields worked out from the stored one (server/apply/), then the
 * version frozen sharing the previous one's unchanged parts (server/store/freeze.ts), and
 * it becomes the stored one. The same loop runs once more without the tracking: the
 * difference is what tracking costs a write, managedFields' share of the freezing included.
 *
 * Cases: a pod created by its ReplicaSet's controller, its status written by its node's
 * agent (conditions and container states changing, the set of fields not), a Deployment
 * scaled through the scale subresource, a Deployment applied (server-side) with a
 * changing image.
 */
import { parseArgs } from 'node:util';
import type { Resource } from '../schema/kind.ts';
import { kindByName } from '../schema/kinds/index.ts';
import type { ManagedFieldsEntry } from '../schema/kinds/meta.ts';
import { prepareApply } from '../server/apply/server-side-apply.ts';
import { updateOwnership } from '../server/apply/update-tracking.ts';
import { freezeSharing } from '../server/store/freeze.ts';

const { values: flags } = parseArgs({
  options: {
    writes: { type: 'string', default: '5000' },
    /** Measurements of each case, the least of which is printed. */
    runs: { type: 'string', default: '5' },
  },
});
const count = (text: string) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`not a positive integer: ${text}`);
  return n;
};
const WRITES = count(flags.writes);
const RUNS = count(flags.runs);

const podKind = kindByName('Pod')!;
const deploymentKind = kindByName('Deployment')!;

/** A pod as its ReplicaSet creates it and admission defaults it. */
function pod(i: number): Resource {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `web-7d4b9c8f5-${i}`,
      generateName: 'web-7d4b9c8f5-',
      namespace: 'bench',
      uid: `0b6c3c1e-0000-4000-8000-${String(i).padStart(12, '0')}`,
      resourceVersion: String(i + 1),
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { app: 'web', 'pod-template-hash': '7d4b9c8f5' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web-7d4b9c8f5',
          uid: '5f2d9a40-0000-4000-8000-000000000001',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'nginx:1.27',
          imagePullPolicy: 'IfNotPresent',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      securityContext: {},
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      tolerations: [
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
        {
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
      ],
    },
    status: { phase: 'Pending', qosClass: 'Burstable' },
  };
}

/** The status a node agent writes for a pod, the `n`th time: the same fields, other values. */
function podStatus(n: number): Record<string, unknown> {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString().replace('.000', '');
  const ready = n % 2 === 0 ? 'True' : 'False';
  return {
    phase: 'Running',
    qosClass: 'Burstable',
    hostIP: '10.0.0.7',
    podIP: '10.244.7.12',
    podIPs: [{ ip: '10.244.7.12' }],
    startTime: '2026-01-01T00:00:00Z',
    conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(
      (type) => ({ type, status: type.endsWith('Ready') ? ready : 'True', lastTransitionTime: at }),
    ),
    containerStatuses: [
      {
        name: 'web',
        image: 'nginx:1.27',
        imageID: 'docker-pullable://nginx@sha256:0123456789abcdef',
        containerID: `containerd://${n.toString(16).padStart(16, '0')}`,
        ready: ready === 'True',
        started: true,
        restartCount: n,
        state: { running: { startedAt: at } },
      },
    ],
  };
}

function deployment(replicas: number, image: string): Resource {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'bench', labels: { app: 'web' } },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image,
              ports: [{ containerPort: 80 }],
              resources: { requests: { cpu: '100m', memory: '64Mi' } },
            },
          ],
        },
      },
    },
  };
}

/** The next version of a stored object, and the manager entries a tracked write gives it. */
interface Write {
  next: Resource;
  track: () => ManagedFieldsEntry[] | undefined;
}

/** How a case writes: from the stored version and the write's number to the next version. */
type Writer = (stored: Resource, n: number) => Write;

/** A mutable copy of a frozen stored object, as the write path makes one. */
const copy = (obj: Resource): Resource => structuredClone(obj);

const store = (obj: Resource, entries: ManagedFieldsEntry[] | undefined): Resource => {
  if (entries?.length) obj.metadata.managedFields = entries;
  else delete obj.metadata.managedFields;
  return obj;
};

const podCreate: Writer = (_stored, n) => {
  const next = pod(n);
  const ownership = updateOwnership(podKind, { fieldManager: 'kube-controller-manager' }, '');
  return { next, track: () => ownership(undefined, next) };
};

const podStatusUpdate: Writer = (stored, n) => {
  const next = { ...stored, metadata: { ...stored.metadata }, status: podStatus(n) };
  const ownership = updateOwnership(podKind, { fieldManager: 'kq-agent' }, 'status');
  return { next, track: () => ownership(stored, next) };
};

const deploymentScale: Writer = (stored, n) => {
  const next = copy(stored);
  (next.spec as { replicas: number }).replicas = 2 + (n % 5);
  const ownership = updateOwnership(deploymentKind, { fieldManager: 'kubectl', subresource: 'scale' }, '');
  return { next, track: () => ownership(stored, next) };
};

const deploymentApply: Writer = (stored, n) => {
  const config = deployment(3, `nginx:1.${n % 7}`);
  const { merged, ownership } = prepareApply(deploymentKind, stored, config, { fieldManager: 'kubectl' });
  return { next: merged, track: () => ownership(stored, merged) };
};

/** The stored version each case starts from, with the managers a live cluster would have given it. */
function seeded(obj: Resource, writers: Writer[]): Resource {
  let stored = freezeSharing(store(obj, undefined), undefined);
  for (const [n, writer] of writers.entries()) {
    const { next, track } = writer(stored, n);
    stored = freezeSharing(store(next, track()), stored);
  }
  return stored;
}

/** CPU microseconds (this process's, all threads: the machine may be shared) since `since`. */
const cpuMicros = (since?: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(since);
  return user + system;
};

/** CPU microseconds per write of `writer` from `start`, with the tracking or without it. */
function measure(start: Resource, writer: Writer, tracked: boolean): number {
  let stored = start;
  const begin = process.cpuUsage();
  for (let n = 0; n < WRITES; n++) {
    const { next, track } = writer(stored, n);
    stored = freezeSharing(store(next, tracked ? track() : stored.metadata.managedFields), stored);
  }
  return cpuMicros(begin) / WRITES;
}

/** The least of `runs` measurements: the one least disturbed by the rest of the machine. */
const best = (runs: number, run: () => number) => Math.min(...Array.from({ length: runs }, run));

const cases: Array<[string, Resource, Writer]> = [
  ['pod create', pod(0), podCreate],
  ['pod status update', seeded(pod(0), [podCreate, (stored) => podStatusUpdate(stored, 0)]), podStatusUpdate],
  [
    'deployment scale',
    seeded(deployment(3, 'nginx:1.27'), [deploymentApply, deploymentScale]),
    deploymentScale,
  ],
  ['apply', seeded(deployment(3, 'nginx:1.27'), [deploymentApply]), deploymentApply],
];

console.log(`managedFields tracking, least of ${RUNS} runs of ${WRITES} writes a case (CPU µs per write)\n`);
console.log(
  `${'case'.padEnd(20)}${'tracked'.padStart(10)}${'untracked'.padStart(12)}${'tracking'.padStart(11)}`,
);
for (const [name, start, writer] of cases) {
  // Warm-up, so that the figures are of optimized code.
  measure(start, writer, true);
  measure(start, writer, false);
  const tracked = best(RUNS, () => measure(start, writer, true));
  const untracked = best(RUNS, () => measure(start, writer, false));
  console.log(
    `${name.padEnd(20)}${tracked.toFixed(1).padStart(10)}${untracked.toFixed(1).padStart(12)}${(tracked - untracked).toFixed(1).padStart(11)}`,
  );
}
