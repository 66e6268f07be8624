import type { MessageFields } from '../message-fields.ts';

/** The protobuf field numbers of k8s.io/api coordination/v1 (generated.proto), as message-fields.ts reads them. */
export const COORDINATION_FIELDS: MessageFields = {
  Lease: '1 metadata ObjectMeta, 2 spec LeaseSpec',
  LeaseSpec:
    '1 holderIdentity string?, 2 leaseDurationSeconds int32?, 3 acquireTime MicroTime, 4 renewTime MicroTime, 5 leaseTransitions int32?',
};
