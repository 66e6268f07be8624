import type { MessageFields } from '../message-fields.ts';

/**
 * The protobuf field numbers of k8s.io/api discovery/v1 (generated.proto), as message-fields.ts
 * reads them. Its EndpointPort numbers its fields unlike core's: named apart here. The
 * deprecated topology map (5) of an Endpoint is left out, as the shapes have no such field.
 */
export const DISCOVERY_FIELDS: MessageFields = {
  EndpointSlice:
    '1 metadata ObjectMeta, 2 endpoints []Endpoint, 3 ports []DiscoveryEndpointPort, 4 addressType',
  Endpoint:
    '1 addresses []string, 2 conditions EndpointConditions, 3 hostname string?, 4 targetRef ObjectReference, 6 nodeName string?, 7 zone string?, 8 hints EndpointHints',
  EndpointConditions: '1 ready bool?, 2 serving bool?, 3 terminating bool?',
  EndpointHints: '1 forZones []ForZone, 2 forNodes []ForNode',
  ForZone: '1 name',
  ForNode: '1 name',
  DiscoveryEndpointPort: '1 name string?, 2 protocol string?, 3 port int32?, 4 appProtocol string?',
};
