import YAML from 'yaml';
import { jsonValue, nested, ownKey } from './documents.ts';
import {
  EXTREME_NUMBER_TEXTS,
  EXTREME_NUMBERS,
  HOSTILE_KEYS,
  HOSTILE_STRINGS,
  Random,
  randomString,
} from './random.ts';

/**
 * The manifests family: valid manifests of every kind, then broken one field at a time
 * (deleted, retyped, made huge, deep, unicode, given hostile keys or extreme numbers),
 * sent to `apply` as JSON, a List or multi-document YAML, alone or several at once.
 */

type Manifest = Record<string, unknown>;

const container = (name: string) => ({
  name,
  image: 'kubeql/busybox',
  command: ['sh', '-c', 'sleep 3600'],
  ports: [{ containerPort: 8000, name: 'http' }],
  env: [{ name: 'A', value: 'b' }],
  resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '128Mi' } },
  readinessProbe: { httpGet: { path: '/', port: 8000 } },
});
const template = (app: string) => ({
  metadata: { labels: { app } },
  spec: { containers: [container('c')] },
});
const selector = (app: string) => ({ matchLabels: { app } });

/** One valid manifest per kind, named `name`; namespaced kinds carry no namespace (apply gives one). */
const KINDS: Record<string, { namespaced: boolean; make(name: string): Manifest }> = {
  ConfigMap: {
    namespaced: true,
    make: (name) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, labels: { a: 'b' } },
      data: { k: 'v' },
    }),
  },
  Secret: {
    namespaced: true,
    make: (name) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name },
      type: 'Opaque',
      data: { k: 'dmFsdWU=' },
      stringData: { s: 'plain' },
    }),
  },
  Pod: {
    namespaced: true,
    make: (name) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { app: name }, annotations: { note: 'x' } },
      spec: { containers: [container('c')], restartPolicy: 'Always' },
    }),
  },
  Deployment: {
    namespaced: true,
    make: (name) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name },
      spec: {
        replicas: 2,
        selector: selector(name),
        template: template(name),
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      },
    }),
  },
  ReplicaSet: {
    namespaced: true,
    make: (name) => ({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name },
      spec: { replicas: 1, selector: selector(name), template: template(name) },
    }),
  },
  StatefulSet: {
    namespaced: true,
    make: (name) => ({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name },
      spec: { serviceName: name, replicas: 1, selector: selector(name), template: template(name) },
    }),
  },
  DaemonSet: {
    namespaced: true,
    make: (name) => ({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name },
      spec: { selector: selector(name), template: template(name) },
    }),
  },
  Job: {
    namespaced: true,
    make: (name) => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name },
      spec: {
        backoffLimit: 2,
        template: { spec: { containers: [container('c')], restartPolicy: 'Never' } },
      },
    }),
  },
  CronJob: {
    namespaced: true,
    make: (name) => ({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name },
      spec: {
        schedule: '*/5 * * * *',
        jobTemplate: {
          spec: { template: { spec: { containers: [container('c')], restartPolicy: 'OnFailure' } } },
        },
      },
    }),
  },
  Service: {
    namespaced: true,
    make: (name) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec: {
        selector: { app: name },
        ports: [{ name: 'http', port: 80, targetPort: 8000, protocol: 'TCP' }],
      },
    }),
  },
  Endpoints: {
    namespaced: true,
    make: (name) => ({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name },
      subsets: [{ addresses: [{ ip: '10.244.0.5' }], ports: [{ name: 'http', port: 8000 }] }],
    }),
  },
  Lease: {
    namespaced: true,
    make: (name) => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name },
      spec: { holderIdentity: 'fuzz', leaseDurationSeconds: 15 },
    }),
  },
  HorizontalPodAutoscaler: {
    namespaced: true,
    make: (name) => ({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
        minReplicas: 1,
        maxReplicas: 3,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
          },
        ],
      },
    }),
  },
  Namespace: {
    namespaced: false,
    make: (name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { fuzz: 'yes' } } }),
  },
};

export const KIND_NAMES = Object.keys(KINDS);

/**
 * One object of every kind named `web` and a Node `node-1`: names the documents family
 * draws often, so that its reads, edges and writes also meet objects that exist.
 */
export function fixtures(): string {
  const items: Manifest[] = KIND_NAMES.map((kind) => KINDS[kind].make('web'));
  items.push({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } },
    spec: { podCIDR: '10.244.1.0/24' },
    status: { capacity: { cpu: '4', memory: '16Gi', pods: '110' } },
  });
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

export function isNamespaced(kind: string): boolean {
  return KINDS[kind]?.namespaced ?? true;
}

/**
 * Text spliced into the serialised manifest where a placeholder stands: values JSON.stringify
 * and YAML.stringify cannot write (deep nesting that would overflow their stack, numbers
 * beyond a double). Placeholders are plain words so that both serialisers leave them intact.
 */
class Splices {
  private readonly texts: string[] = [];

  add(text: string): string {
    this.texts.push(text);
    return `KQFUZZSPLICE${this.texts.length - 1}X`;
  }

  apply(serialised: string): string {
    return serialised.replace(/"?KQFUZZSPLICE(\d+)X"?/g, (_, i: string) => this.texts[Number(i)]);
  }
}

interface Slot {
  parent: Record<string, unknown> | unknown[];
  key: string | number;
}

/** Every place in the manifest a value sits, to pick one to break. */
function slots(value: unknown, out: Slot[] = []): Slot[] {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push({ parent: value, key: i });
      slots(item, out);
    });
  } else if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      out.push({ parent: value as Record<string, unknown>, key });
      slots((value as Record<string, unknown>)[key], out);
    }
  }
  return out;
}

function setSlot(slot: Slot, value: unknown): void {
  if (Array.isArray(slot.parent)) slot.parent[slot.key as number] = value;
  else ownKey(slot.parent, slot.key as string, value);
}

/** The ways one manifest is broken; each names itself for the report. */
const BREAKS: Array<[number, string, (rng: Random, slot: Slot, splices: Splices) => void]> = [
  [
    3,
    'delete',
    (_rng, slot) => {
      if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
      else delete slot.parent[slot.key as string];
    },
  ],
  [
    4,
    'retype',
    (rng, slot) =>
      setSlot(
        slot,
        rng.pick<unknown>([
          null,
          true,
          0,
          -1,
          '',
          'x',
          [],
          {},
          ['a'],
          { a: 'b' },
          [[[]]],
          1.5,
          '123',
          'true',
        ]),
      ),
  ],
  [2, 'huge-string', (rng, slot) => setSlot(slot, 'x'.repeat(rng.sized([300, 70_000, 1_000_000])))],
  [
    2,
    'deep',
    (rng, slot, splices) =>
      setSlot(
        slot,
        splices.add(
          nested(rng.sized([100, 1000, 5000, 50_000, 500_000]), rng.chance(0.5) ? 'array' : 'object'),
        ),
      ),
  ],
  [2, 'unicode', (rng, slot) => setSlot(slot, rng.pick(HOSTILE_STRINGS) + randomString(rng))],
  [
    3,
    'hostile-key',
    (rng, slot) => {
      const target = Array.isArray(slot.parent) ? undefined : slot.parent;
      const value = rng.pick<unknown>([
        { polluted: 'yes' },
        { kind: 'Secret', metadata: { name: 'x' } },
        'x',
        1,
        null,
        [],
        { prototype: { polluted: 'yes' } },
      ]);
      const holder = target ?? {};
      ownKey(holder, rng.pick(HOSTILE_KEYS), value);
      if (!target) setSlot(slot, holder);
    },
  ],
  [
    3,
    'extreme-number',
    (rng, slot, splices) =>
      setSlot(
        slot,
        rng.chance(0.5) ? rng.pick(EXTREME_NUMBERS) : splices.add(rng.pick(EXTREME_NUMBER_TEXTS)),
      ),
  ],
  [1, 'random-json', (rng, slot) => setSlot(slot, jsonValue(rng))],
  [
    1,
    'wide',
    // Written as flow text: serialising it here would cost this process more than the server.
    (rng, slot, splices) => {
      const keys = Array.from({ length: rng.sized([1000, 30_000]) }, (_, i) => `"k${i}":"v"`);
      setSlot(slot, splices.add(`{${keys.join(',')}}`));
    },
  ],
  [
    1,
    'long-array',
    (rng, slot, splices) =>
      setSlot(
        slot,
        splices.add(
          `[${Array(rng.sized([1000, 100_000]))
            .fill('{"name":"c","image":"i"}')
            .join(',')}]`,
        ),
      ),
  ],
];

/** Breaks one manifest in one to three places; returns what was done. */
function breakManifest(rng: Random, manifest: Manifest, splices: Splices): string[] {
  const done: string[] = [];
  for (
    let n = rng.weighted([
      [6, 1],
      [2, 2],
      [1, 3],
    ]);
    n > 0;
    n--
  ) {
    const all = slots(manifest);
    // Top-level slots (kind, metadata, spec) as often as deep ones: both matter.
    const slot = rng.chance(0.3)
      ? { parent: manifest, key: rng.pick(Object.keys(manifest).concat(['kind', 'metadata'])) }
      : rng.pick(all.length ? all : [{ parent: manifest, key: 'spec' }]);
    const [, name, apply] = rng.weighted(BREAKS.map((b) => [b[0], b] as const));
    apply(rng, slot, splices);
    done.push(`${name}@${String(slot.key)}`);
  }
  return done;
}

/** An object apply is asked to create, so that the all-or-none check can look for it afterwards. */
export interface Expected {
  kind: string;
  name: string;
  namespaced: boolean;
  /** Whether the fuzzer broke it (it may then be named or kinded otherwise: not looked for). */
  broken: boolean;
}

export interface ApplyCase {
  manifests: string;
  /** The namespace argument of apply. */
  namespace: string;
  dryRun: boolean;
  format: string;
  objects: Expected[];
  shape: string;
}

/**
 * A call to apply with one to six manifests, named `prefix-<i>` (unique to the case, so
 * that nothing of an earlier case can be mistaken for them); most carry one broken manifest.
 */
export function applyCase(rng: Random, prefix: string, namespace: string): ApplyCase {
  const count = rng.weighted([
    [3, 1],
    [4, rng.int(2, 3)],
    [2, rng.int(4, 6)],
  ]);
  const splices = new Splices();
  const manifests: Manifest[] = [];
  const objects: Expected[] = [];
  const breaks: string[] = [];
  const brokenIndex = rng.chance(0.85) ? rng.int(0, count - 1) : -1;
  for (let i = 0; i < count; i++) {
    const kind = rng.pick(KIND_NAMES);
    const name = `${prefix}-${i}`;
    const manifest = KINDS[kind].make(name);
    const broken = i === brokenIndex;
    if (broken) breaks.push(`${kind}:${breakManifest(rng, manifest, splices).join(',')}`);
    manifests.push(manifest);
    objects.push({ kind, name, namespaced: KINDS[kind].namespaced, broken });
  }
  const format = rng.weighted([
    [3, 'yaml'],
    [2, 'json-array'],
    [2, 'json-list'],
    [1, 'json-lines'],
    [1, 'yaml-flow'],
  ] as const);
  return {
    manifests: splices.apply(serialise(rng, manifests, format)),
    namespace,
    dryRun: rng.chance(0.1),
    format,
    objects,
    shape: `${count}x ${format}${breaks.length ? ` broken ${breaks.join(' ')}` : ''}`,
  };
}

function serialise(rng: Random, manifests: Manifest[], format: string): string {
  switch (format) {
    case 'json-array':
      return JSON.stringify(manifests.length === 1 && rng.chance(0.5) ? manifests[0] : manifests);
    case 'json-list':
      return JSON.stringify(
        { apiVersion: 'v1', kind: 'List', items: manifests },
        null,
        rng.chance(0.5) ? 2 : 0,
      );
    case 'json-lines':
      // JSON documents one after another: not JSON, so the server reads them as YAML.
      return manifests.map((m) => JSON.stringify(m)).join('\n---\n');
    case 'yaml-flow':
      return manifests.map((m) => YAML.stringify(m, { collectionStyle: 'flow' })).join('---\n');
    default:
      return manifests.map((m) => YAML.stringify(m)).join('---\n');
  }
}

/** A create<Kind> mutation with the object as a variable: the same breaks through GraphQL input coercion. */
export function createCase(rng: Random, name: string, namespace: string) {
  const kind = rng.pick(KIND_NAMES.filter((k) => k !== 'HorizontalPodAutoscaler' || rng.chance(0.5)));
  const manifest = KINDS[kind].make(name);
  const splices = new Splices();
  const breaks = rng.chance(0.9) ? breakManifest(rng, manifest, splices) : [];
  const arg = kind[0].toLowerCase() + kind.slice(1);
  const field = `create${kind}`;
  const ns = KINDS[kind].namespaced ? ', namespace: $ns' : '';
  const nsDef = KINDS[kind].namespaced ? ', $ns: String' : '';
  return {
    query: `mutation($o: ${kind}Input!${nsDef}) { ${field}(${arg}: $o${ns}) { kind metadata { name } } }`,
    /** The variables as JSON text, spliced (see Splices). */
    variablesJson: splices.apply(JSON.stringify({ o: manifest, ns: namespace })),
    shape: `${field} ${breaks.join(',')}`,
  };
}
