import { describe, expect, it } from 'vitest';
import type { Resource } from '../../client/index.ts';
import type { EndpointSubset } from '../../schema/kinds/endpoints.ts';
import { EndpointsController, endpointsController } from '../../agent/controllers/endpoints.ts';
import { controllerCluster, eventually, runningWebPod } from '../support/controller-cluster.ts';
import { fixtureContext } from '../support/controller-fixture.ts';

interface PodOptions {
  labels?: Record<string, string>;
  ip?: string;
  ready?: boolean;
  nodeName?: string;
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
  deleting?: boolean;
  phase?: string;
}

function pod(name: string, options: PodOptions = {}): Resource {
  const { labels = { app: 'web' }, ready = true, ports = [{ name: 'http', containerPort: 8080 }] } = options;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels,
      ...(options.deleting ? { deletionTimestamp: '2030-01-01T00:00:00Z' } : {}),
    },
    spec: { nodeName: options.nodeName, containers: [{ name: 'c', image: 'img', ports }] },
    status: {
      phase: options.phase ?? 'Running',
      podIP: options.ip,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  };
}

function service(name: string, spec: Record<string, unknown> = {}): Resource {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { team: 'a' } },
    spec: {
      selector: { app: 'web' },
      clusterIP: '10.96.0.10',
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
      ...spec,
    },
  };
}

const address = (name: string, ip: string, nodeName?: string) => ({
  ip,
  ...(nodeName ? { nodeName } : {}),
  targetRef: { kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` },
});

describe('endpoints reconcile', () => {
  it('creates the Endpoints: ready pods in addresses, the others in notReadyAddresses, named ports resolved', async () => {
    const { ctx, writes } = fixtureContext([
      service('web'),
      pod('a', { ip: '10.0.0.2', nodeName: 'n1' }),
      pod('b', { ip: '10.0.0.1', nodeName: 'n1', ready: false }),
      pod('c', { ip: '10.0.0.3', ports: [{ name: 'http', containerPort: 9000 }] }),
      pod('other', { ip: '10.0.0.9', labels: { app: 'db' } }),
    ]);
    await new EndpointsController(ctx).reconcile('default/web');
    expect(writes).toEqual([
      {
        verb: 'create',
        kind: 'Endpoints',
        name: 'web',
        namespace: 'default',
        body: expect.objectContaining({
          metadata: expect.objectContaining({ name: 'web', namespace: 'default', labels: { team: 'a' } }),
          subsets: [
            {
              addresses: [address('a', '10.0.0.2', 'n1')],
              notReadyAddresses: [address('b', '10.0.0.1', 'n1')],
              ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
            },
            {
              addresses: [address('c', '10.0.0.3')],
              ports: [{ name: 'http', port: 9000, protocol: 'TCP' }],
            },
          ],
        }),
      },
    ]);
  });

  it('groups addresses by the ports they resolve, leaving a pod out of a named port it lacks', async () => {
    const svc = service('web', {
      ports: [
        { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
        { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP' },
      ],
    });
    const { ctx, writes } = fixtureContext([
      svc,
      pod('a', { ip: '10.0.0.1' }),
      pod('b', { ip: '10.0.0.2', ports: [{ name: 'admin', containerPort: 7000 }] }),
      pod('udp', { ip: '10.0.0.3', ports: [{ name: 'http', containerPort: 8080, protocol: 'UDP' }] }),
    ]);
    await new EndpointsController(ctx).reconcile('default/web');
    const subsets = (writes[0].body as { subsets: unknown[] }).subsets;
    expect(subsets).toEqual([
      {
        addresses: [address('a', '10.0.0.1')],
        ports: [
          { name: 'http', port: 8080, protocol: 'TCP' },
          { name: 'metrics', port: 9090, protocol: 'TCP' },
        ],
      },
      {
        addresses: [address('b', '10.0.0.2'), address('udp', '10.0.0.3')],
        ports: [{ name: 'metrics', port: 9090, protocol: 'TCP' }],
      },
    ]);
  });

  it('leaves out pods without an IP, being deleted or finished; publishNotReadyAddresses publishes the rest', async () => {
    const objects = [
      pod('ready', { ip: '10.0.0.1' }),
      pod('unready', { ip: '10.0.0.2', ready: false }),
      pod('no-ip'),
      pod('deleting', { ip: '10.0.0.3', deleting: true }),
      pod('done', { ip: '10.0.0.4', phase: 'Succeeded' }),
    ];
    const plain = fixtureContext([service('web'), ...objects]);
    await new EndpointsController(plain.ctx).reconcile('default/web');
    expect((plain.writes[0].body as { subsets: unknown[] }).subsets).toEqual([
      {
        addresses: [address('ready', '10.0.0.1')],
        notReadyAddresses: [address('unready', '10.0.0.2')],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);

    const publishing = fixtureContext([service('web', { publishNotReadyAddresses: true }), ...objects]);
    await new EndpointsController(publishing.ctx).reconcile('default/web');
    expect((publishing.writes[0].body as { subsets: unknown[] }).subsets).toEqual([
      {
        // Kubernetes keeps terminating pods too when publishing not-ready addresses.
        addresses: [
          address('ready', '10.0.0.1'),
          address('unready', '10.0.0.2'),
          address('deleting', '10.0.0.3'),
        ],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
  });

  it('gives a headless Service without ports its addresses and the headless label', async () => {
    const { ctx, writes } = fixtureContext([
      service('web', { clusterIP: 'None', ports: undefined }),
      pod('a', { ip: '10.0.0.1' }),
    ]);
    await new EndpointsController(ctx).reconcile('default/web');
    expect(writes[0].body).toMatchObject({
      metadata: { labels: { team: 'a', 'service.kubernetes.io/headless': '' } },
      subsets: [{ addresses: [address('a', '10.0.0.1')] }],
    });
  });

  it('writes only when something changed, replacing with the cached resourceVersion', async () => {
    const first = fixtureContext([service('web'), pod('a', { ip: '10.0.0.1' })]);
    await new EndpointsController(first.ctx).reconcile('default/web');
    const created = first.writes[0].body as Resource;
    const stored = { ...created, metadata: { ...created.metadata, uid: 'ep-uid', resourceVersion: '7' } };

    const same = fixtureContext([service('web'), pod('a', { ip: '10.0.0.1' }), stored]);
    await new EndpointsController(same.ctx).reconcile('default/web');
    expect(same.writes).toEqual([]);

    const changed = fixtureContext([service('web'), pod('a', { ip: '10.0.0.1', ready: false }), stored]);
    await new EndpointsController(changed.ctx).reconcile('default/web');
    expect(changed.writes).toHaveLength(1);
    expect(changed.writes[0]).toMatchObject({
      verb: 'replace',
      kind: 'Endpoints',
      body: {
        metadata: { resourceVersion: '7', uid: 'ep-uid' },
        subsets: [{ notReadyAddresses: [address('a', '10.0.0.1')] }],
      },
    });
  });

  it('deletes the Endpoints of a Service that is gone and leaves a selector-less Service alone', async () => {
    const endpoints: Resource = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'gone', namespace: 'default' },
      subsets: [],
    };
    const manual: Resource = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'manual', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '192.168.1.1' }] }],
    };
    const { ctx, writes } = fixtureContext([
      endpoints,
      manual,
      service('manual', { selector: undefined }),
      pod('a', { ip: '10.0.0.1' }),
    ]);
    const controller = new EndpointsController(ctx);
    await controller.reconcile('default/gone');
    await controller.reconcile('default/manual');
    expect(writes).toEqual([
      { verb: 'delete', kind: 'Endpoints', name: 'gone', namespace: 'default', body: undefined },
    ]);
  });
});

describe('endpoints controller against a server', () => {
  const env = controllerCluster([endpointsController]);

  it('follows pods becoming ready and not ready, and goes with the Service', async () => {
    const { writer } = env;
    await writer.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'ep-node' } });
    await writer.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    const getEndpoints = () =>
      env.client.get<Resource & { subsets?: EndpointSubset[] }>('Endpoints', 'web', 'default');
    await eventually(getEndpoints, (ep) => ep !== null && (ep.subsets ?? []).length === 0);

    const pods: Resource[] = [];
    for (const [name, ip] of [
      ['web-1', '10.244.0.11'],
      ['web-2', '10.244.0.12'],
    ]) {
      pods.push(await runningWebPod(writer, name, ip, 'ep-node'));
    }
    let ep = await eventually(getEndpoints, (e) => e?.subsets?.[0]?.notReadyAddresses?.length === 2);
    expect(ep!.subsets).toEqual([
      {
        notReadyAddresses: [
          {
            ip: '10.244.0.11',
            nodeName: 'ep-node',
            targetRef: expect.objectContaining({ kind: 'Pod', name: 'web-1', uid: pods[0].metadata.uid }),
          },
          {
            ip: '10.244.0.12',
            nodeName: 'ep-node',
            targetRef: expect.objectContaining({ kind: 'Pod', name: 'web-2', uid: pods[1].metadata.uid }),
          },
        ],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);

    const setReady = (p: Resource, status: 'True' | 'False') =>
      writer.updateStatus(p, { ...(p.status as object), conditions: [{ type: 'Ready', status }] });
    pods[0] = await setReady(pods[0], 'True');
    ep = await eventually(getEndpoints, (e) => e?.subsets?.[0]?.addresses?.length === 1);
    expect(ep!.subsets![0].addresses![0].ip).toBe('10.244.0.11');
    expect(ep!.subsets![0].notReadyAddresses!.map((a) => a.ip)).toEqual(['10.244.0.12']);

    pods[1] = await setReady(pods[1], 'True');
    pods[0] = await setReady(pods[0], 'False');
    ep = await eventually(
      getEndpoints,
      (e) =>
        e?.subsets?.[0]?.addresses?.[0]?.ip === '10.244.0.12' && e.subsets[0].notReadyAddresses?.length === 1,
    );

    // A pod that stops matching the selector leaves.
    await writer.patch('Pod', 'web-1', 'default', { metadata: { labels: { app: 'other' } } });
    ep = await eventually(getEndpoints, (e) => e?.subsets?.[0]?.notReadyAddresses === undefined);
    expect(ep!.subsets).toEqual([
      {
        addresses: [expect.objectContaining({ ip: '10.244.0.12' })],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);

    // A change that does not affect the endpoints does not rewrite them.
    const version = ep!.metadata.resourceVersion;
    await writer.patch('Pod', 'web-2', 'default', { metadata: { annotations: { touched: 'yes' } } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await getEndpoints())!.metadata.resourceVersion).toBe(version);

    await writer.delete('Service', 'web', 'default');
    await eventually(getEndpoints, (e) => e === null);
  });
});
