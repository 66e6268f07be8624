import { describe, expect, it } from 'vitest';
import type { Resource } from '../../client/index.ts';
import { endpointSliceController } from '../../agent/controllers/endpoint-slices.ts';
import { garbageCollector } from '../../agent/controllers/garbage-collector.ts';
import type { EndpointSlice } from '../../schema/kinds/endpointslice.ts';
import { controllerCluster, eventually, runningWebPod } from '../support/controller-cluster.ts';

/**
 * The endpointslice controller against a server: slices follow pods becoming ready, not
 * ready, terminating and gone, carry the node's zone, and go with their Service.
 */

type SliceObject = EndpointSlice & Resource;

describe('endpointslice controller', () => {
  const env = controllerCluster([endpointSliceController, garbageCollector]);

  const slicesOf = async (service: string) =>
    (
      await env.client.list<SliceObject>('EndpointSlice', {
        namespace: 'default',
        labelSelector: `kubernetes.io/service-name=${service}`,
      })
    ).items;

  it('follows pods becoming ready, not ready, terminating and deleted, and goes with the Service', async () => {
    const { writer } = env;
    await writer.create({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'slice-node', labels: { 'topology.kubernetes.io/zone': 'zone-a' } },
    });
    const service: Resource = await writer.create<Resource>({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default', labels: { team: 'a' } },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    // No pods yet: one placeholder slice, named after the Service, owned by it.
    let [slice] = await eventually(
      () => slicesOf('web'),
      (slices) => slices.length === 1,
    );
    expect(slice.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(slice.metadata.labels).toEqual({
      team: 'a',
      'kubernetes.io/service-name': 'web',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
    expect(slice.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Service',
        name: 'web',
        uid: service.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(slice.addressType).toBe('IPv4');
    expect(slice.endpoints ?? []).toEqual([]);

    const pods: Resource[] = [];
    for (const [name, ip] of [
      ['web-1', '10.244.0.11'],
      ['web-2', '10.244.0.12'],
    ]) {
      pods.push(await runningWebPod(writer, name, ip, 'slice-node'));
    }
    [slice] = await eventually(
      () => slicesOf('web'),
      (slices) => slices.length === 1 && slices[0].endpoints?.length === 2,
    );
    expect(slice.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(slice.endpoints).toEqual([
      {
        addresses: ['10.244.0.11'],
        conditions: { ready: false, serving: false, terminating: false },
        targetRef: { kind: 'Pod', namespace: 'default', name: 'web-1', uid: pods[0].metadata.uid },
        nodeName: 'slice-node',
        zone: 'zone-a',
      },
      {
        addresses: ['10.244.0.12'],
        conditions: { ready: false, serving: false, terminating: false },
        targetRef: { kind: 'Pod', namespace: 'default', name: 'web-2', uid: pods[1].metadata.uid },
        nodeName: 'slice-node',
        zone: 'zone-a',
      },
    ]);

    const setReady = (p: Resource, status: 'True' | 'False') =>
      writer.updateStatus(p, { ...(p.status as object), conditions: [{ type: 'Ready', status }] });
    const conditions = async () =>
      Object.fromEntries(
        ((await slicesOf('web'))[0]?.endpoints ?? []).map((e) => [e.targetRef!.name, e.conditions]),
      );
    pods[0] = await setReady(pods[0], 'True');
    await eventually(conditions, (c) => c['web-1']?.ready === true && c['web-2']?.ready === false);

    pods[1] = await setReady(pods[1], 'True');
    pods[0] = await setReady(pods[0], 'False');
    await eventually(conditions, (c) => c['web-1']?.ready === false && c['web-2']?.ready === true);

    // A terminating pod stays, serving but not ready (a finalizer holds it while it terminates).
    await writer.patch('Pod', 'web-2', 'default', { metadata: { finalizers: ['test/hold'] } });
    await writer.delete('Pod', 'web-2', 'default');
    const terminating = await eventually(conditions, (c) => c['web-2']?.terminating === true);
    expect(terminating['web-2']).toEqual({ ready: false, serving: true, terminating: true });

    // Gone (no finalizer, no grace period left): out of the slice.
    await writer.patch('Pod', 'web-2', 'default', { metadata: { finalizers: null } });
    await writer.delete('Pod', 'web-2', 'default', { gracePeriodSeconds: 0 });
    await eventually(conditions, (c) => Object.keys(c).join() === 'web-1');

    // A change that does not affect the endpoints does not rewrite the slice.
    const version = (await slicesOf('web'))[0].metadata.resourceVersion;
    await writer.patch('Pod', 'web-1', 'default', { metadata: { annotations: { touched: 'yes' } } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await slicesOf('web'))[0].metadata.resourceVersion).toBe(version);

    // Deleted with the Service: the garbage collector follows the owner reference.
    await writer.delete('Service', 'web', 'default');
    await eventually(
      () => slicesOf('web'),
      (slices) => slices.length === 0,
    );
  });

  it('leaves slices it does not manage alone, and serves them as a kind of its own', async () => {
    const own = await env.writer.create<SliceObject>({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'by-hand', namespace: 'default', labels: { 'kubernetes.io/service-name': 'manual' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.1.0.1'] }],
      ports: [{ port: 53, protocol: 'UDP' }],
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const read = await env.client.get<SliceObject>('EndpointSlice', 'by-hand', 'default');
    expect(read!.metadata.resourceVersion).toBe(own.metadata.resourceVersion);
    await expect(
      env.writer.create({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'bad', namespace: 'default' },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['not-an-ip'] }],
      }),
    ).rejects.toThrow(
      /endpoints\[0\]\.addresses\[0\]: Invalid value: "not-an-ip": must be a valid IPv4 address/,
    );
  });
});
