import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createClient,
  resourceWriter,
  type KubeqlClient,
  type Resource,
  type ResourceWriter,
} from '../../client/index.ts';
import { startHollowCluster, type HollowCluster } from '../support/hollow.ts';
import { waitFor } from '../support/wait.ts';
import type { PodObject } from '../support/e2e.ts';

// A hollow node runs no processes, but it tells the truth about what a pod names: a
// missing ConfigMap, Secret or key keeps the pod from Running exactly as on a Docker
// node (CreateContainerConfigError, or FailedMount for a volume), until it appears.

const NS = 'config-errors';
let cluster: HollowCluster;
let api: KubeqlClient;
let writer: ResourceWriter;

beforeAll(async () => {
  // Events on, as a real node records them (hollow nodes leave them out by default, for scale).
  cluster = await startHollowCluster({ nodes: 2, nodeOptions: { recordEvents: true } });
  api = createClient({ url: cluster.url, token: cluster.token });
  writer = resourceWriter(api);
  await writer.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
});
afterAll(async () => {
  await api?.close();
  await cluster?.stop();
});

function pod(name: string, spec: Record<string, unknown>): Resource {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS },
    spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }], ...spec },
  } as Resource;
}

async function getPod(name: string): Promise<PodObject> {
  return (await api.get<PodObject>('Pod', name, NS))!;
}

async function waiting(name: string): Promise<{ reason?: string; message?: string } | undefined> {
  return (await getPod(name)).status?.containerStatuses?.[0]?.state?.waiting ?? undefined;
}

async function warnings(name: string): Promise<string[]> {
  const events = await api.list<Resource & { reason?: string; message?: string; type?: string }>('Event', {
    namespace: NS,
    fieldSelector: `involvedObject.name=${name}`,
  });
  return events.items.filter((e) => e.type === 'Warning').map((e) => `${e.reason}: ${e.message}`);
}

async function running(name: string): Promise<void> {
  await waitFor(async () => (await getPod(name)).status?.phase === 'Running', {
    ms: 15_000,
    what: `${name} Running`,
  });
}

describe('the simulated runtime and the objects pods name', () => {
  it('holds a container whose env names a missing ConfigMap in CreateContainerConfigError, then starts it', async () => {
    await writer.create(
      pod('env-ref', {
        containers: [
          {
            name: 'main',
            image: 'busybox',
            command: ['sleep', '3600'],
            env: [{ name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } }],
          },
        ],
      }),
    );
    await waitFor(async () => (await waiting('env-ref'))?.reason === 'CreateContainerConfigError', {
      ms: 15_000,
      what: 'CreateContainerConfigError',
    });
    expect(await waiting('env-ref')).toEqual({
      reason: 'CreateContainerConfigError',
      message: 'configmap "settings" not found',
    });
    expect((await getPod('env-ref')).status?.phase).toBe('Pending');
    expect(await warnings('env-ref')).toContain('Failed: Error: configmap "settings" not found');

    // The object without the key: the kubelet's other message.
    await writer.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: NS },
      data: { other: 'x' },
    } as Resource);
    await waitFor(async () => (await waiting('env-ref'))?.message?.includes("couldn't find key") === true, {
      ms: 15_000,
      what: 'the missing key reported',
    });
    expect((await waiting('env-ref'))?.message).toBe(`couldn't find key mode in ConfigMap ${NS}/settings`);

    await writer.patch('ConfigMap', 'settings', NS, { data: { mode: 'fast' } });
    await running('env-ref');
  });

  it('keeps a pod whose Secret volume is missing ContainerCreating with FailedMount, then runs it', async () => {
    await writer.create(
      pod('secret-volume', {
        volumes: [{ name: 'creds', secret: { secretName: 'creds' } }],
        containers: [
          {
            name: 'main',
            image: 'busybox',
            command: ['sleep', '3600'],
            volumeMounts: [{ name: 'creds', mountPath: '/creds' }],
          },
        ],
      }),
    );
    await waitFor(async () => (await warnings('secret-volume')).some((w) => w.startsWith('FailedMount')), {
      ms: 15_000,
      what: 'FailedMount',
    });
    expect(await warnings('secret-volume')).toContain(
      'FailedMount: MountVolume.SetUp failed for volume "creds" : secret "creds" not found',
    );
    const held = await getPod('secret-volume');
    expect(held.status?.phase).toBe('Pending');
    expect(held.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('ContainerCreating');

    await writer.create({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds', namespace: NS },
      stringData: { token: 's3cret' },
    } as Resource);
    await running('secret-volume');
  });

  it('runs a pod whose missing references are all optional', async () => {
    await writer.create(
      pod('optional-refs', {
        volumes: [
          { name: 'maybe', configMap: { name: 'nowhere', optional: true } },
          {
            name: 'bundle',
            projected: { sources: [{ secret: { name: 'nowhere-either', optional: true } }] },
          },
        ],
        containers: [
          {
            name: 'main',
            image: 'busybox',
            command: ['sleep', '3600'],
            envFrom: [{ secretRef: { name: 'absent', optional: true } }],
            env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'absent', key: 'x', optional: true } } }],
          },
        ],
      }),
    );
    await running('optional-refs');
    expect(await warnings('optional-refs')).toEqual([]);
  });

  it('leaves a pod whose claim does not exist unscheduled, with the scheduler’s reason', async () => {
    await writer.create(
      pod('no-claim', { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'missing' } }] }),
    );
    await waitFor(
      async () =>
        (await getPod('no-claim')).status?.conditions?.some(
          (c) => c.type === 'PodScheduled' && c.status === 'False',
        ) === true,
      { ms: 15_000, what: 'PodScheduled False' },
    );
    const held = await getPod('no-claim');
    expect(held.spec?.nodeName).toBeFalsy();
    expect(held.status?.phase).toBe('Pending');
    expect(held.status?.conditions?.find((c) => c.type === 'PodScheduled')?.message).toContain(
      'persistentvolumeclaim "missing" not found',
    );
  });
});
