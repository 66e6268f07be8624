import { Readable, Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodObject } from '../../agent/objects.ts';
import { startCluster, type TestCluster } from '../support/harness.ts';
import { startHollowCluster, type HollowCluster } from '../support/hollow.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { waitFor } from '../support/wait.ts';

// The Kubernetes JavaScript client (@kubernetes/client-node) against the REST API that
// kubeql serves beside GraphQL: typed lists and reads, a raw watch, the informer (list,
// then watch from the list's resourceVersion; resumed after a dropped connection, listed
// again when the server answers 410 Gone), and exec into a hollow node's pod. Objects are
// written through GraphQL, so every check is also one across the two surfaces.

let cluster: TestCluster;
let proxy: TcpProxy;

beforeAll(async () => {
  // A short event history, so that a watch resumed after a long outage meets a 410.
  cluster = await startCluster({ retainEvents: 5, compactEveryMs: 50 });
  proxy = await startTcpProxy(Number(new URL(cluster.url).port));
});

afterAll(async () => {
  await proxy?.close();
  await cluster?.stop();
});

/** A KubeConfig for `server` with the admin token, as a kubeconfig file would hold it. */
function kubeConfig(server: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    // client-node refuses plain http unless told to skip TLS verification: these tests talk to a
    // loopback server over http (TLS is tested with kubectl and the SDK).
    clusters: [{ name: 'kubeql', server, skipTLSVerify: true }],
    users: [{ name: 'admin', token: cluster.token }],
    contexts: [{ name: 'kubeql', cluster: 'kubeql', user: 'admin' }],
    currentContext: 'kubeql',
  });
  return kc;
}

const direct = () => kubeConfig(new URL(cluster.url).origin);
const throughProxy = () => kubeConfig(`http://127.0.0.1:${proxy.port}`);

async function createConfigMap(name: string, data: Record<string, string> = {}): Promise<string> {
  const body = await cluster.ok(
    `mutation($name: String!, $data: StringMap) { createConfigMap(configMap: { metadata: { name: $name }, data: $data }) { metadata { resourceVersion } } }`,
    { name, data },
  );
  return body.createConfigMap.metadata.resourceVersion as string;
}

describe('typed API clients', () => {
  it('list and read objects written through GraphQL, with the same resourceVersion', async () => {
    const rv = await createConfigMap('typed', { greeting: 'hello' });
    const core = direct().makeApiClient(k8s.CoreV1Api);
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    const found = list.items.find((cm) => cm.metadata?.name === 'typed');
    expect(found?.data).toEqual({ greeting: 'hello' });
    expect(found?.metadata?.resourceVersion).toBe(rv);
    expect(list.metadata?.resourceVersion).toMatch(/^\d+$/);

    const read = await core.readNamespacedConfigMap({ namespace: 'default', name: 'typed' });
    expect(read.metadata?.uid).toBe(found?.metadata?.uid);

    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((ns) => ns.metadata?.name)).toEqual(
      expect.arrayContaining(['default', 'kube-system']),
    );
  });

  it('reject a missing object with the Status Kubernetes sends', async () => {
    const core = direct().makeApiClient(k8s.CoreV1Api);
    const failure = await core
      .readNamespacedConfigMap({ namespace: 'default', name: 'nope' })
      .catch((e) => e);
    expect(failure).toBeInstanceOf(k8s.ApiException);
    expect((failure as k8s.ApiException<string>).code).toBe(404);
    const status = JSON.parse((failure as k8s.ApiException<string>).body) as k8s.V1Status;
    expect(status).toMatchObject({
      kind: 'Status',
      reason: 'NotFound',
      message: 'configmaps "nope" not found',
    });
  });
});

describe('Watch', () => {
  it('streams an object created through GraphQL as ADDED', async () => {
    const seen: Array<{ type: string; name?: string }> = [];
    const request = await new k8s.Watch(direct()).watch(
      '/api/v1/namespaces/default/configmaps',
      { resourceVersion: String(await currentRevision()) },
      (type, obj: k8s.V1ConfigMap) => seen.push({ type, name: obj.metadata?.name }),
      () => {},
    );
    try {
      await createConfigMap('watched');
      await waitFor(() => seen.some((event) => event.type === 'ADDED' && event.name === 'watched'));
      expect(seen.filter((event) => event.name === 'watched')).toHaveLength(1);
    } finally {
      request.abort();
    }
  });
});

describe('informer', () => {
  it('lists, follows, resumes after a dropped connection and lists again after a 410', async () => {
    const kc = throughProxy();
    const core = kc.makeApiClient(k8s.CoreV1Api);
    let lists = 0;
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/configmaps', () => {
      lists++;
      return core.listNamespacedConfigMap({ namespace: 'default' });
    });
    const names = () => informer.list('default').map((cm) => cm.metadata!.name!);
    // As client-node's documentation advises: an informer stops on an error; start it again.
    informer.on('error', () => setTimeout(() => void informer.start().catch(() => {}), 200));
    await informer.start();
    try {
      await createConfigMap('inf-a');
      await waitFor(() => names().includes('inf-a'));
      expect(lists).toBe(1);

      // A short outage: the informer resumes its watch from its resourceVersion, no list.
      proxy.cut();
      await createConfigMap('inf-b');
      await new Promise((resolve) => setTimeout(resolve, 300));
      proxy.restore();
      await waitFor(() => names().includes('inf-b'), { ms: 10_000 });
      expect(lists).toBe(1);

      // A long one: its resourceVersion is compacted away meanwhile, the server answers 410, it lists again.
      const lastSeen = await currentRevision();
      proxy.cut();
      for (let i = 0; i < 12; i++) await createConfigMap(`inf-late-${i}`);
      await waitFor(async () => (await compactedRevision()) > lastSeen);
      proxy.restore();
      await waitFor(() => names().includes('inf-late-11'), { ms: 10_000 });
      expect(lists).toBe(2);
      expect(names()).toEqual(expect.arrayContaining(['inf-a', 'inf-b', 'inf-late-0', 'inf-late-11']));
    } finally {
      await informer.stop();
    }
  }, 30_000);
});

async function metric(name: string): Promise<number> {
  const text = await (
    await fetch(cluster.url.replace(/\/graphql$/, '/metrics'), {
      headers: { authorization: `Bearer ${cluster.token}` },
    })
  ).text();
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
}

const currentRevision = () => metric('kubeql_store_revision');
const compactedRevision = () => metric('kubeql_store_compacted_revision');

describe('Exec', () => {
  let hollow: HollowCluster;
  beforeAll(async () => {
    hollow = await startHollowCluster({ nodes: 1 });
    await hollow.writer.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'shell', namespace: 'default' },
      spec: { containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'sleep infinity'] }] },
    });
    await waitFor(
      async () => (await hollow.client.get<PodObject>('Pod', 'shell'))?.status?.phase === 'Running',
      { what: 'pod shell running' },
    );
  }, 60_000);
  afterAll(() => hollow?.stop());

  it('runs a command in a container: stdout, stderr, stdin and the exit status', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'kubeql', server: new URL(hollow.url).origin, skipTLSVerify: true }],
      users: [{ name: 'admin', token: hollow.token }],
      contexts: [{ name: 'kubeql', cluster: 'kubeql', user: 'admin' }],
      currentContext: 'kubeql',
    });
    const run = (command: string[], input?: string) =>
      new Promise<{ stdout: string; stderr: string; status: k8s.V1Status }>((resolve, reject) => {
        let stdout = '';
        let stderr = '';
        const out = new Writable({ write: (chunk, _enc, done) => ((stdout += chunk), done()) });
        const err = new Writable({ write: (chunk, _enc, done) => ((stderr += chunk), done()) });
        const stdin = input === undefined ? null : Readable.from([input]);
        new k8s.Exec(kc)
          .exec('default', 'shell', 'main', command, out, err, stdin, false, (status) =>
            // The status arrives before the last output may have been written: let it drain.
            setTimeout(() => resolve({ stdout, stderr, status }), 50),
          )
          .catch(reject);
      });
    expect(await run(['echo', 'hi'])).toMatchObject({
      stdout: 'hi\n',
      stderr: '',
      status: { status: 'Success' },
    });
    const failed = await run(['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(failed).toMatchObject({
      stdout: 'out\n',
      stderr: 'err\n',
      status: { status: 'Failure', reason: 'NonZeroExitCode' },
    });
    expect(failed.status.details?.causes).toEqual([{ reason: 'ExitCode', message: '3' }]);
    expect((await run(['cat'], 'hello\n')).stdout).toBe('hello\n');
  });
});
