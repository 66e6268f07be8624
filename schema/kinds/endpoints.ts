import { defineKind } from '../kind.ts';
import { described, required, s, type Infer } from '../shape.ts';
import { ObjectMeta, ObjectReference, Protocol } from './meta.ts';

export const EndpointAddress = s.object('EndpointAddress', {
  ip: required(s.string('The IPv4 address of the backend.')),
  hostname: s.string(),
  nodeName: s.string('The node hosting the backend.'),
  targetRef: ObjectReference,
});

export const EndpointPort = s.object('EndpointPort', {
  name: s.string("Matches the service port's name; required when there is more than one port."),
  port: required(s.int()),
  protocol: described(Protocol, 'Defaults to TCP.'),
  appProtocol: s.string(),
});

export const EndpointSubset = s.object(
  'EndpointSubset',
  {
    addresses: s.list(EndpointAddress, 'Ready backends: they receive traffic.'),
    notReadyAddresses: s.list(EndpointAddress, 'Backends that are not ready yet, or are shutting down.'),
    ports: s.list(EndpointPort),
  },
  'Addresses that all expose the same ports.',
);
export type EndpointSubset = Infer<typeof EndpointSubset>;

export const Endpoints = s.object(
  'Endpoints',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    subsets: s.list(EndpointSubset),
  },
  "A service's backends: maintained by the endpoints controller for services with a selector, by hand otherwise.",
);
export type Endpoints = Infer<typeof Endpoints>;

export const endpointsKind = defineKind({
  kind: 'Endpoints',
  apiVersion: 'v1',
  plural: 'endpoints',
  shortNames: ['ep'],
  namespaced: true,
  shape: Endpoints,
  description:
    "A service's backends: maintained by the endpoints controller for services with a selector, by hand otherwise.",
});
