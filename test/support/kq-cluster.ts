import { afterAll, beforeAll } from 'vitest';
import { createClient, type KubeqlClient, type Resource } from '../../client/index.ts';
import type { PodObject } from '../../agent/objects.ts';
import type { ConfigMapObject, SecretObject } from '../../agent/node/config-sources.ts';
import type { Deployment } from '../../schema/kinds/deployment.ts';
import type { Service } from '../../schema/kinds/service.ts';
import { kq, kqEnv } from './cli.ts';
import { startHollowCluster, type HollowCluster, type HollowClusterOptions } from './hollow.ts';

// Shared by the cli-verbs-*.test.ts files: every kq verb in-process (the same runVerb the
// binary runs, with captured streams) against a hollow cluster over HTTP and WebSocket,
// asserting what it printed and, through the SDK, what it did.

/** What the tests read back through the SDK, typed by their kind's schema. */
export type DeploymentObject = Resource & Pick<Deployment, 'spec'>;
export type ServiceObject = Resource & Pick<Service, 'spec'>;
export type { ConfigMapObject, PodObject, SecretObject };

export interface KqCluster {
  /** The hollow cluster (2 nodes): its URL and token are kq's target. */
  cluster: HollowCluster;
  /** An SDK client of it, to check what kq did. */
  api: KubeqlClient;
  /** kq's environment: the cluster as KQ_SERVER and KQ_TOKEN, and a HOME of its own. */
  env: Record<string, string>;
}

/**
 * For a test file of kq verbs: before its tests, starts a hollow cluster and hands it to
 * `use`; after them, stops it. Returns helpers that work on it once the tests run.
 */
export function kqCluster(use: (started: KqCluster) => void, options: HollowClusterOptions = { nodes: 2 }) {
  let started: KqCluster | undefined;
  const get = (): KqCluster => {
    if (!started) throw new Error('the kq cluster is not started (used outside a test or hook?)');
    return started;
  };
  beforeAll(async () => {
    const cluster = await startHollowCluster(options);
    started = { cluster, api: createClient({ url: cluster.url, token: cluster.token }), env: kqEnv(cluster) };
    use(started);
  });
  afterAll(async () => {
    await started?.api.close();
    await started?.cluster.stop();
  });

  let seq = 0;
  return {
    /** A new namespace, `prefix-N`: each test works in one of its own. */
    async namespace(prefix: string): Promise<string> {
      const name = `${prefix}-${++seq}`;
      await get().cluster.writer.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      return name;
    },

    /** kq in-process; a failure fails the test with kq's own error line. */
    async ok(argv: string[], options: Parameters<typeof kq>[2] = {}): Promise<string> {
      const { cluster, env } = get();
      const result = await kq(cluster, argv, { env, ...options });
      if (result.code !== 0) throw new Error(`kq ${argv.join(' ')} exited ${result.code}: ${result.stderr}`);
      return result.stdout;
    },

    /** The pods in `ns` matching `selector` whose Ready condition is True. */
    async readyPods(ns: string, selector: string): Promise<PodObject[]> {
      const { items } = await get().api.list<PodObject>('Pod', { namespace: ns, labelSelector: selector });
      return items.filter((p) =>
        (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
      );
    },
  };
}

export const deploymentYAML = (name: string, replicas = 1, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {app: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
${extra}  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: app
        image: nginx:1.25
        ports: [{containerPort: 80}]
`;
