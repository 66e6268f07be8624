import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodObject } from '../../agent/objects.ts';
import { startDockerCluster, type DockerCluster } from '../support/docker.ts';
import { waitFor } from '../support/wait.ts';

// Native sidecars (initContainers with restartPolicy: Always) on real containers: started
// before the pod's containers and running beside them, stopped after them — when they are
// done (a Job-like pod still completes) and when the pod is deleted. Each container writes
// what happens to it into one file on the host, in the order it happens.

const BUSYBOX = 'kubeql/busybox:stable';

/** A container that notes its start, and on TERM waits `stopSeconds`, notes its stop and exits. */
function noting(name: string, stopSeconds: number, extra: Record<string, unknown> = {}) {
  const stop = `${stopSeconds ? `sleep ${stopSeconds}; ` : ''}echo ${name}-stop >> /host/order; exit 0`;
  return {
    name,
    image: BUSYBOX,
    command: [
      'sh',
      '-c',
      `echo ${name}-start >> /host/order; trap "${stop}" TERM; while true; do sleep 0.1; done`,
    ],
    volumeMounts: [{ name: 'host', mountPath: '/host' }],
    ...extra,
  };
}

describe('native sidecars on Docker', () => {
  let c: DockerCluster;
  const ns = 'default';
  const dirs: string[] = [];

  const hostDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-sidecar-'));
    fs.chmodSync(dir, 0o777);
    dirs.push(dir);
    return dir;
  };
  const order = (dir: string) =>
    fs.existsSync(path.join(dir, 'order'))
      ? fs.readFileSync(path.join(dir, 'order'), 'utf8').trim().split('\n')
      : [];
  const getPod = (name: string) => c.client.get<PodObject>('Pod', name, ns);

  beforeAll(async () => {
    c = await startDockerCluster();
    // The sidecars share a hostPath volume with the test: beyond the baseline default.
    await c.writer.patch('Namespace', ns, undefined, {
      metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } },
    });
  }, 120_000);
  afterAll(async () => {
    await c?.stop();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('a pod whose container finishes completes: the sidecar ran before and beside it, and is stopped after it', async () => {
    const dir = hostDir();
    await c.writer.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'batch', namespace: ns },
      spec: {
        restartPolicy: 'Never',
        volumes: [{ name: 'host', hostPath: { path: dir } }],
        initContainers: [noting('proxy', 0, { restartPolicy: 'Always' })],
        containers: [
          {
            name: 'work',
            image: BUSYBOX,
            command: ['sh', '-c', 'echo work-start >> /host/order; sleep 1; echo work-done >> /host/order'],
            volumeMounts: [{ name: 'host', mountPath: '/host' }],
          },
        ],
      },
    });
    const done = await waitFor(
      async () => {
        const pod = await getPod('batch');
        const proxy = pod?.status?.initContainerStatuses?.[0];
        return pod?.status?.phase === 'Succeeded' && proxy?.state?.terminated && pod;
      },
      { ms: 60_000, every: 200, what: 'pod batch Succeeded with its sidecar stopped' },
    );
    expect(order(dir)).toEqual(['proxy-start', 'work-start', 'work-done', 'proxy-stop']);
    expect(done.status?.containerStatuses?.[0].state?.terminated?.exitCode).toBe(0);
    expect(done.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'Initialized', status: 'True' }),
    );
  });

  it('a deleted pod stops its containers first, then its sidecars, last started first', async () => {
    const dir = hostDir();
    await c.writer.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'served', namespace: ns },
      spec: {
        terminationGracePeriodSeconds: 10,
        volumes: [{ name: 'host', hostPath: { path: dir } }],
        initContainers: [
          noting('proxy', 0, { restartPolicy: 'Always' }),
          noting('shipper', 0, { restartPolicy: 'Always' }),
        ],
        // Slow to stop: were the sidecars stopped with it, they would note their stop first.
        containers: [noting('app', 1)],
      },
    });
    await waitFor(
      async () => {
        const pod = await getPod('served');
        return (
          pod?.status?.phase === 'Running' &&
          pod.status.conditions?.find((x) => x.type === 'Ready')?.status === 'True'
        );
      },
      { ms: 60_000, every: 200, what: 'pod served ready' },
    );
    expect(order(dir)).toEqual(['proxy-start', 'shipper-start', 'app-start']);
    await c.writer.delete('Pod', 'served', ns);
    await waitFor(async () => !(await getPod('served')), { ms: 60_000, every: 200, what: 'pod served gone' });
    expect(order(dir)).toEqual([
      'proxy-start',
      'shipper-start',
      'app-start',
      'app-stop',
      'shipper-stop',
      'proxy-stop',
    ]);
  });
});
