import { defineKind } from '../kind.ts';
import { s, type Infer } from '../shape.ts';
import { ObjectMeta } from './meta.ts';

export const LeaseSpec = s.object('LeaseSpec', {
  holderIdentity: s.string('Who holds the lease now.'),
  leaseDurationSeconds: s.int(
    'How long candidates wait after the last renewTime before they may take the lease over.',
  ),
  acquireTime: s.string('When the current holder acquired the lease (RFC 3339, microseconds).'),
  renewTime: s.string('When the holder last renewed the lease (RFC 3339, microseconds).'),
  leaseTransitions: s.int('How many times the lease changed holders.'),
});
export type LeaseSpec = Infer<typeof LeaseSpec>;

export const Lease = s.object(
  'Lease',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    spec: LeaseSpec,
  },
  'A lock with an expiry, for leader election and node heartbeats.',
);
export type Lease = Infer<typeof Lease>;

export const leaseKind = defineKind({
  kind: 'Lease',
  apiVersion: 'coordination.k8s.io/v1',
  plural: 'leases',
  shortNames: [],
  namespaced: true,
  shape: Lease,
  description: 'A lock with an expiry, for leader election and node heartbeats.',
});
