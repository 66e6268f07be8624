import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PodObject } from '../../agent/objects.ts';
import { startDockerNode, type DockerNode } from '../../agent/node/docker-node.ts';
import { BUSYBOX_IMAGE } from '../../agent/node/images.ts';
import { CLUSTER_POD_CIDR, portalChain } from '../../agent/node/proxy/iptables.ts';
import { removeNodeResources } from '../../agent/node/runtime/docker-cleanup.ts';
import { LABEL } from '../../agent/node/runtime/docker-labels.ts';
import { podRangeInUse } from '../../agent/node/runtime/docker-network.ts';
import { kqEnv, kqStream } from '../support/cli.ts';
import { startDockerCluster, type DockerCluster } from '../support/docker.ts';
import { run } from '../support/docker-network.ts';
import { waitFor } from '../support/wait.ts';

/**
 * What a clean stop of a Docker node leaves on the machine: the pods' containers (as the
 * kubelet does, for the next agent), their network while they use it, and nothing else;
 * and the demo image, tagged, runs without any registry being tried.
 */
describe('a Docker node stopped cleanly', () => {
  let c: DockerCluster;
  const engine = new Docker();
  const prefix = `cleanup-${crypto.randomBytes(2).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeql-cleanup-'));
  const ns = 'default';
  const logs: string[] = [];
  /** The images the node's engine client was asked to pull. */
  const pulls: string[] = [];

  /** A node agent in this process over an engine client that records every pull. */
  const startNode = (name: string) => {
    const docker = new Docker();
    const pull = docker.pull.bind(docker);
    vi.spyOn(docker, 'pull').mockImplementation((image: string) => {
      pulls.push(image);
      return pull(image);
    });
    return startDockerNode(c.client, name, {
      dataDir: path.join(dataDir, name),
      docker,
      leaseRenewIntervalMs: 2000,
      log: (line) => logs.push(line),
    });
  };
  const pod = (name: string, nodeName: string, extra: Record<string, unknown> = {}) =>
    c.writer.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns },
      spec: {
        nodeName,
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'main',
            image: BUSYBOX_IMAGE,
            command: ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'],
            ...extra,
          },
        ],
      },
    });
  const running = (name: string) =>
    waitFor(
      async () => {
        const p = await c.client.get<PodObject>('Pod', name, ns);
        return p?.status?.phase === 'Running' && p;
      },
      { ms: 30_000, every: 100, what: `pod ${name} running` },
    );
  const networkNames = async () =>
    (await run('docker', ['network', 'ls', '--format', '{{.Name}}'])).split('\n');
  const runningContainers = (node: string) =>
    engine.listContainers({ filters: { label: [`${LABEL.node}=${node}`] } });
  /** Every rule and chain of both tables, as `iptables -S` prints them. */
  const rules = async () =>
    (await run('iptables', ['-w', '-S'])) + (await run('iptables', ['-w', '-t', 'nat', '-S']));
  /** What names the node in iptables: its portal chain, its podCIDR and its bridge. */
  const ofNode = (all: string, node: DockerNode) =>
    all
      .split('\n')
      .filter(
        (line) =>
          line.includes(portalChain(node.name)) ||
          line.includes(node.network.subnet) ||
          line.includes(node.network.bridge),
      );

  beforeAll(async () => {
    c = await startDockerCluster({ nodes: 0 });
  }, 120_000);
  afterAll(async () => {
    await c?.stop();
    await removeNodeResources(engine, (name) => name.startsWith(prefix));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  const name = `${prefix}-1`;
  let node: DockerNode;

  it('runs a pod of the tagged busybox with pull policy IfNotPresent, trying no registry', async () => {
    expect(BUSYBOX_IMAGE).not.toMatch(/:latest$/);
    expect(BUSYBOX_IMAGE).toMatch(/:[\w.-]+$/);
    node = await startNode(name);
    await pod('tagged', name);
    const started = await running('tagged');
    expect(started.spec?.containers[0].imagePullPolicy).toBe('IfNotPresent');
    expect(pulls).toEqual([]);
    expect(logs.filter((line) => /pull/i.test(line))).toEqual([]);

    // The spy does see pulls: under Always the agent tries (and, with no registry, runs the image it has).
    await pod('always', name, { imagePullPolicy: 'Always' });
    await running('always');
    expect(pulls).toContain(BUSYBOX_IMAGE);
  }, 60_000);

  it("keeps the network while the pods' containers run, and removes the proxy's rules", async () => {
    expect(ofNode(await rules(), node).some((line) => line.includes(portalChain(name)))).toBe(true);
    await node.stop();
    expect(await runningContainers(name)).not.toHaveLength(0);
    expect(await networkNames()).toContain(`kubeql-${name}`);
    expect(logs.some((line) => line.includes(`keeping network kubeql-${name}`))).toBe(true);
    // Docker's own rules for the bridge stay with it; nothing of the proxy does.
    const left = ofNode(await rules(), node);
    expect(left.filter((line) => line.includes(portalChain(name)))).toEqual([]);
    expect(left.filter((line) => line.includes('PREROUTING'))).toEqual([]);
  }, 60_000);

  it('removes the network and every iptables rule of the node once its containers are gone', async () => {
    // The next agent of that name adopts the pods; deleting them stops their containers.
    node = await startNode(name);
    await c.writer.delete('Pod', 'tagged', ns);
    await c.writer.delete('Pod', 'always', ns);
    await waitFor(async () => (await runningContainers(name)).length === 0, {
      ms: 30_000,
      every: 200,
      what: `no running container of ${name}`,
    });
    await node.stop();
    expect(await networkNames()).not.toContain(`kubeql-${name}`);
    expect(ofNode(await rules(), node)).toEqual([]);
    // The pod-to-pod rules are the machine's: they go with the last pod network (other
    // test files may hold one meanwhile).
    if (!(await podRangeInUse(engine))) {
      expect((await rules()).split('\n').filter((line) => line.includes(CLUSTER_POD_CIDR))).toEqual([]);
    }
  }, 60_000);

  it('does the same when `kq agent` is stopped with SIGTERM', async () => {
    const agentName = `${prefix}-2`;
    const agent = kqStream(
      [
        'agent',
        '--name',
        agentName,
        '--server',
        c.url,
        '--token',
        c.token,
        '--root-dir',
        path.join(dataDir, agentName),
      ],
      kqEnv(undefined),
    );
    try {
      await agent.waitFor(/registered/, 60_000);
      expect(await networkNames()).toContain(`kubeql-${agentName}`);
      expect(await rules()).toContain(portalChain(agentName));
    } finally {
      await agent.stop();
    }
    expect(agent.stdout).toContain('shutting down');
    expect(await networkNames()).not.toContain(`kubeql-${agentName}`);
    expect(await rules()).not.toContain(portalChain(agentName));
  }, 90_000);
});
