import { describe, expect, it } from 'vitest';
import type { Resource } from '../../client/index.ts';
import { desiredPortGroups, planSlices } from '../../agent/controllers/endpoint-slices.ts';
import type { PodObject } from '../../agent/objects.ts';
import type { Endpoint, EndpointSlice } from '../../schema/kinds/endpointslice.ts';
import type { Service } from '../../schema/kinds/service.ts';

/** How the endpointslice controller lays a Service's endpoints out in slices. */

type SliceObject = EndpointSlice & Resource;

const service = (spec: Service['spec'] = {}) =>
  ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', uid: 'svc' },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }], ...spec },
  }) as Service & Resource;

function pod(
  name: string,
  ip: string | undefined,
  options: { ready?: boolean; deleting?: boolean; node?: string } = {},
) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels: { app: 'web' },
      ...(options.deleting ? { deletionTimestamp: '2030-01-01T00:00:00Z' } : {}),
    },
    spec: {
      nodeName: options.node,
      containers: [{ name: 'c', image: 'img', ports: [{ name: 'http', containerPort: 8080 }] }],
    },
    status: {
      phase: 'Running',
      podIP: ip,
      conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True' }],
    },
  } as PodObject;
}

const endpoint = (i: number): Endpoint => ({
  addresses: [`10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`],
  conditions: { ready: true, serving: true, terminating: false },
  targetRef: { kind: 'Pod', namespace: 'default', name: `p${String(i).padStart(4, '0')}`, uid: `u${i}` },
});
const ports = [{ name: 'http', port: 8080, protocol: 'TCP' as const }];
const slice = (name: string, endpoints: Endpoint[]): SliceObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name, namespace: 'default' },
  addressType: 'IPv4',
  endpoints,
  ports,
});
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => endpoint(from + i));

describe('endpointslice endpoints', () => {
  it('conditions: ready, not ready, and terminating (kept, not ready, still serving); zone from the node', () => {
    const [group] = desiredPortGroups(
      service(),
      [
        pod('a', '10.0.0.1', { node: 'n1' }),
        pod('b', '10.0.0.2', { ready: false }),
        pod('c', '10.0.0.3', { deleting: true }),
        pod('pending', undefined),
      ],
      (node) => (node === 'n1' ? 'zone-a' : undefined),
    );
    expect(group.ports).toEqual(ports);
    expect(group.endpoints).toEqual([
      {
        addresses: ['10.0.0.1'],
        conditions: { ready: true, serving: true, terminating: false },
        targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' },
        nodeName: 'n1',
        zone: 'zone-a',
      },
      {
        addresses: ['10.0.0.2'],
        conditions: { ready: false, serving: false, terminating: false },
        targetRef: { kind: 'Pod', namespace: 'default', name: 'b', uid: 'uid-b' },
      },
      {
        addresses: ['10.0.0.3'],
        conditions: { ready: false, serving: true, terminating: true },
        targetRef: { kind: 'Pod', namespace: 'default', name: 'c', uid: 'uid-c' },
      },
    ]);
  });

  it('publishNotReadyAddresses makes every endpoint ready', () => {
    const [group] = desiredPortGroups(
      service({ publishNotReadyAddresses: true }),
      [pod('b', '10.0.0.2', { ready: false })],
      () => undefined,
    );
    expect(group.endpoints[0].conditions).toEqual({ ready: true, serving: false, terminating: false });
  });
});

describe('endpointslice layout', () => {
  it('splits beyond 100 endpoints into slices of at most 100', () => {
    const { keep, remove } = planSlices([{ ports, endpoints: range(0, 250) }], []);
    expect(keep.map((plan) => [plan.existing, plan.endpoints.length])).toEqual([
      [undefined, 100],
      [undefined, 100],
      [undefined, 50],
    ]);
    expect(remove).toEqual([]);
  });

  it('keeps endpoints in their slices, fills slices with room first, and drops emptied slices', () => {
    const first = slice('web-aaaaa', range(0, 100));
    const second = slice('web-bbbbb', range(100, 150));
    // Endpoint 5 leaves the first slice; 150-209 are new.
    const wanted = [...range(0, 5), ...range(6, 210)];
    const { keep, remove } = planSlices([{ ports, endpoints: wanted }], [second, first]);
    expect(keep.map((plan) => [plan.existing?.metadata.name, plan.endpoints.length])).toEqual([
      ['web-aaaaa', 100],
      ['web-bbbbb', 100],
      [undefined, 9],
    ]);
    // The first slice keeps what it had (but 5) and takes one new endpoint in its place.
    expect(keep[0].endpoints.slice(0, 99)).toEqual([...range(0, 5), ...range(6, 100)]);
    expect(remove).toEqual([]);

    const emptied = planSlices([{ ports, endpoints: range(0, 10) }], [first, second]);
    expect(emptied.keep.map((plan) => plan.existing?.metadata.name)).toEqual(['web-aaaaa']);
    expect(emptied.remove.map((s) => s.metadata.name)).toEqual(['web-bbbbb']);
  });

  it('a Service without endpoints keeps one placeholder slice without ports', () => {
    expect(planSlices([], []).keep).toEqual([{ ports: [], endpoints: [] }]);
    const old = slice('web-aaaaa', range(0, 3));
    const { keep, remove } = planSlices([], [old]);
    expect(keep).toEqual([{ ports: [], endpoints: [] }]);
    expect(remove).toEqual([old]);
  });
});
