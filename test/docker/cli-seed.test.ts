import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type KubeqlClient } from '../../client/index.ts';
import { kqEnv, kqProcess, kqStream } from '../support/cli.ts';
import { httpGet, startDockerCluster, type DockerCluster } from '../support/docker.ts';
import { waitFor } from '../support/wait.ts';
import type { DeploymentObject, PodObject } from '../support/e2e.ts';
import type { Service } from '../../schema/kinds/service.ts';
import type { Resource } from '../../client/index.ts';

type ServiceObject = Service & Resource;

// The seed article's command sequence with the real `kq` process, on real containers:
// run → expose → get svc,deploy,pod → requests over the NodePort → logs, exec, top →
// scale up and down → set image → rollout status → rollout history →
// rollout undo --to-revision=1 → delete. Each step checks what kq printed and, through
// the SDK and HTTP, what it did.

let cluster: DockerCluster;
let api: KubeqlClient;
let env: Record<string, string>;
let nodePort = 0;
beforeAll(async () => {
  cluster = await startDockerCluster({ nodeOptions: { metricsIntervalMs: 1000 } });
  api = createClient({ url: cluster.url, token: cluster.token });
  env = kqEnv(cluster);
}, 120_000);
afterAll(async () => {
  await api?.close();
  await cluster?.stop();
}, 60_000);

const V1 = 'kubeql/demo-web:v1';
const V2 = 'kubeql/demo-web:v2';
const versionServed = async () =>
  /Version (\S+)/.exec((await httpGet(`http://127.0.0.1:${nodePort}/`)).body)?.[1];

const kq = async (...argv: string[]) => {
  const result = await kqProcess(argv, { env });
  if (result.code !== 0) throw new Error(`kq ${argv.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
};

const deployment = async () => (await api.get<DeploymentObject>('Deployment', 'hello', 'default'))!;
const readyPods = async (image: string) => {
  const { items } = await api.list<PodObject>('Pod', { namespace: 'default', labelSelector: 'run=hello' });
  return items.filter(
    (p) =>
      !p.metadata.deletionTimestamp &&
      p.spec?.containers[0].image === image &&
      (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
  );
};

describe('the seed scenario with kq', () => {
  it('run, expose, get', async () => {
    expect(await kq('run', 'hello', `--image=${V1}`, '--replicas=2', '--port=8000')).toBe(
      'deployment.apps/hello created\n',
    );
    expect((await deployment()).spec?.template.metadata?.labels).toEqual({ run: 'hello' });
    expect(await kq('expose', 'deployment', 'hello', '--port=8000', '--type=NodePort')).toBe(
      'service/hello exposed\n',
    );
    const svc = (await api.get<ServiceObject>('Service', 'hello', 'default'))!;
    expect(svc.spec).toMatchObject({
      type: 'NodePort',
      selector: { run: 'hello' },
      ports: [{ port: 8000, targetPort: 8000 }],
    });
    nodePort = svc.spec!.ports![0].nodePort!;

    await waitFor(async () => (await readyPods(V1)).length === 2, {
      ms: 30_000,
      what: 'two ready pods',
    });
    const out = await kq('get', 'svc,deploy,pod');
    const [services, deployments, pods] = out.split('\n\n');
    expect(services.split('\n')[0]).toMatch(/^NAME +TYPE +CLUSTER-IP +EXTERNAL-IP {3}PORT\(S\) +AGE$/);
    expect(services).toMatch(
      new RegExp(
        `service/hello +NodePort +${svc.spec!.clusterIP!.replace(/\./g, '\\.')} +<none> +8000:${nodePort}/TCP +\\d+s`,
      ),
    );
    expect(deployments).toMatch(
      /^NAME +READY {3}UP-TO-DATE {3}AVAILABLE {3}AGE\ndeployment\.apps\/hello +2\/2 +2 +2 +\d+s$/,
    );
    const podLines = pods.trim().split('\n');
    expect(podLines[0]).toMatch(/^NAME +READY {3}STATUS {4}RESTARTS {3}AGE$/);
    expect(podLines.slice(1)).toHaveLength(2);
    for (const line of podLines.slice(1))
      expect(line).toMatch(/^pod\/hello-[a-z0-9]+-[a-z0-9]{5} +1\/1 +Running +0 +\d+s$/);
    await waitFor(async () => (await versionServed()) === '1.0', {
      ms: 10_000,
      what: 'v1 over the NodePort',
    });
  });

  it('logs, exec and top on the pods', async () => {
    const [pod] = await readyPods(V1);
    const name = pod.metadata.name!;
    expect(await kq('exec', name, '--', 'sh', '-c', 'echo $HOSTNAME')).toBe(`${name}\n`);
    await httpGet(`http://${pod.status!.podIP}:8000/from-test`);
    await waitFor(async () => (await kq('logs', name)).includes('Accessing: /from-test'), {
      ms: 10_000,
      what: 'the request in the log',
    });
    expect((await kq('logs', name, '--tail=1')).split('\n')).toHaveLength(2);
    const top = await waitFor(
      async () => {
        const out = await kqProcess(['top', 'pods'], { env });
        return out.code === 0 && out.stdout.includes(name) && out.stdout;
      },
      { ms: 20_000, every: 500, what: 'kq top pods' },
    );
    expect(top.split('\n')[0]).toMatch(/^NAME +CPU\(cores\) +MEMORY\(bytes\)$/);
    expect(top).toMatch(new RegExp(`${name} +\\d+m +\\d+Mi`));
  });

  it('scale up and down', async () => {
    expect(await kq('scale', 'deployment', 'hello', '--replicas=4')).toBe('deployment.apps/hello scaled\n');
    await waitFor(async () => (await readyPods(V1)).length === 4, {
      ms: 30_000,
      what: 'four pods',
    });
    expect(await kq('scale', 'deployment/hello', '--replicas=2')).toBe('deployment.apps/hello scaled\n');
    expect((await deployment()).spec!.replicas).toBe(2);
    await waitFor(
      async () =>
        (await api.list('Pod', { namespace: 'default', labelSelector: 'run=hello' })).items.length === 2,
      {
        ms: 15_000,
        what: 'back to two pods',
      },
    );
  });

  it('set image, then rollout status streams until it is rolled out', async () => {
    // Watch the rollout from another kq process while it happens.
    const watch = kqStream(['get', 'deploy', 'hello', '-w'], env);
    await watch.waitFor(/hello +2\/2/);
    expect(await kq('set', 'image', 'deployment/hello', `hello=${V2}`, '--record')).toBe(
      'deployment.apps/hello image updated\n',
    );
    const status = await kq('rollout', 'status', 'deployment/hello', '--timeout=60s');
    expect(status.trim().split('\n').at(-1)).toBe('deployment "hello" successfully rolled out');
    expect((await readyPods(V2)).length).toBe(2);
    await waitFor(async () => (await versionServed()) === '2.0', {
      ms: 10_000,
      what: 'v2 over the NodePort',
    });
    await watch.waitFor(/\n(hello +\S+ +\S+ +\S+ +\S+\n){2,}/);
    await watch.stop();
  });

  it('rollout history, then undo to revision 1', async () => {
    const history = await kq('rollout', 'history', 'deployment/hello');
    expect(history).toBe(
      `deployment.apps/hello \nREVISION  CHANGE-CAUSE\n1         <none>\n2         kq set image deployment/hello hello=${V2}\n\n`,
    );
    expect(await kq('rollout', 'undo', 'deployment/hello', '--to-revision=1')).toBe(
      'deployment.apps/hello rolled back\n',
    );
    expect((await deployment()).spec!.template.spec!.containers[0].image).toBe(V1);
    await waitFor(async () => (await readyPods(V1)).length === 2, {
      ms: 30_000,
      what: 'rolled back pods',
    });
    await waitFor(async () => (await versionServed()) === '1.0', { ms: 10_000, what: 'v1 again' });
  });

  it('delete', async () => {
    expect(await kq('delete', 'service', 'hello')).toBe('service "hello" deleted\n');
    expect(await kq('delete', 'deployment', 'hello')).toBe('deployment.apps "hello" deleted\n');
    expect(await deployment()).toBeNull();
    await waitFor(
      async () =>
        (await api.list('Pod', { namespace: 'default', labelSelector: 'run=hello' })).items.length === 0,
      {
        ms: 30_000,
        what: 'the pods to go',
      },
    );
    // What is left is the API server's own Service, as in any Kubernetes cluster.
    const result = await kqProcess(['get', 'deploy,svc', '-o', 'name'], { env });
    expect(result.stdout).toBe('service/kubernetes\n');
  });
});
