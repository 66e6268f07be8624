import { defineKind } from '../kind.ts';
import { required, s, type Infer } from '../shape.ts';
import { EndpointPort } from './endpoints.ts';
import { ObjectMeta, ObjectReference } from './meta.ts';

export const EndpointConditions = s.object(
  'EndpointConditions',
  {
    ready: s.bool('Whether the endpoint takes new traffic: serving and not terminating.'),
    serving: s.bool('Whether the endpoint passes its readiness checks, terminating or not.'),
    terminating: s.bool('Whether the endpoint is shutting down.'),
  },
  "An endpoint's state, as consumers of the slice route by it.",
);

export const ForZone = s.object('ForZone', { name: required(s.string()) });
export const ForNode = s.object('ForNode', { name: required(s.string()) });

export const EndpointHints = s.object(
  'EndpointHints',
  { forZones: s.list(ForZone), forNodes: s.list(ForNode) },
  'Where topology-aware routing should send traffic to this endpoint from.',
);

export const Endpoint = s.object(
  'Endpoint',
  {
    addresses: required(s.list(s.string(), 'The addresses of the endpoint, of the slice addressType: one.')),
    conditions: EndpointConditions,
    hostname: s.string(),
    targetRef: ObjectReference,
    nodeName: s.string('The node hosting the endpoint.'),
    zone: s.string("The node's topology.kubernetes.io/zone."),
    hints: EndpointHints,
  },
  'One backend of a Service: usually a pod.',
);
export type Endpoint = Infer<typeof Endpoint>;

export const EndpointSlice = s.object(
  'EndpointSlice',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    addressType: required(
      s.enum('AddressType', ['IPv4', 'IPv6', 'FQDN'], 'The type of every address in the slice; immutable.'),
    ),
    endpoints: s.list(Endpoint, 'At most 1000 endpoints.'),
    ports: s.list(EndpointPort, 'The ports every endpoint of the slice exposes; at most 100.'),
  },
  "A part of a Service's backends: the endpointslice controller keeps up to 100 endpoints in each slice of a selector Service.",
);
export type EndpointSlice = Infer<typeof EndpointSlice>;

export const endpointSliceKind = defineKind({
  kind: 'EndpointSlice',
  apiVersion: 'discovery.k8s.io/v1',
  plural: 'endpointslices',
  shortNames: [],
  namespaced: true,
  shape: EndpointSlice,
  description:
    "A part of a Service's backends: the endpointslice controller keeps up to 100 endpoints in each slice of a selector Service.",
});
