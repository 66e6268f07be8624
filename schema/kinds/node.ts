import { defineKind } from '../kind.ts';
import { described, keyedBy, required, s, type Infer } from '../shape.ts';
import { conditionShape, ObjectMeta, TaintEffect } from './meta.ts';

export const Taint = s.object(
  'Taint',
  {
    key: required(s.string('A label-style key.')),
    value: s.string(),
    effect: required(
      described(
        TaintEffect,
        'What happens to pods that do not tolerate the taint: not scheduled here, avoided, or also evicted.',
      ),
    ),
    timeAdded: s.string('When a NoExecute taint was added; set by the system.'),
  },
  'Repels pods that do not tolerate it.',
);
export type Taint = Infer<typeof Taint>;

export const NodeSpec = s.object('NodeSpec', {
  podCIDR: s.string('The pod IP range assigned to the node; the first of podCIDRs.'),
  podCIDRs: s.list(s.string()),
  unschedulable: s.bool('Cordons the node: no new pods are scheduled on it; running pods stay.'),
  taints: s.list(Taint),
  providerID: s.string(
    'The node as the infrastructure provider knows it: <ProviderName>://<ProviderSpecificNodeID>.',
  ),
});
export type NodeSpec = Infer<typeof NodeSpec>;

export const NodeAddress = s.object('NodeAddress', {
  type: required(
    s.enum('NodeAddressType', ['InternalIP', 'ExternalIP', 'Hostname', 'InternalDNS', 'ExternalDNS']),
  ),
  address: required(s.string()),
});

export const DaemonEndpoint = s.object('DaemonEndpoint', { Port: required(s.int()) });

export const NodeDaemonEndpoints = s.object(
  'NodeDaemonEndpoints',
  { kubeletEndpoint: DaemonEndpoint },
  'Ports of the daemons on the node; kubeletEndpoint is where the node agent listens.',
);

export const NodeSystemInfo = s.object('NodeSystemInfo', {
  machineID: s.string(),
  systemUUID: s.string(),
  bootID: s.string(),
  kernelVersion: s.string(),
  osImage: s.string(),
  containerRuntimeVersion: s.string(),
  kubeletVersion: s.string(),
  kubeProxyVersion: s.string(),
  operatingSystem: s.string(),
  architecture: s.string(),
});

export const ContainerImage = s.object('ContainerImage', {
  names: s.list(s.string()),
  sizeBytes: s.int(),
});

export const NodeStatus = s.object('NodeStatus', {
  capacity: s.resources('Total resources of the node, as quantities ("4", "16Gi", "110" pods).'),
  allocatable: s.resources('The part of capacity pods may request; defaults to capacity.'),
  conditions: keyedBy(
    s.list(
      conditionShape('NodeCondition'),
      'Reported by the node agent; Ready is what the scheduler and the node lifecycle controller look at.',
    ),
    'type',
  ),
  addresses: keyedBy(s.list(NodeAddress), 'type'),
  daemonEndpoints: NodeDaemonEndpoints,
  nodeInfo: NodeSystemInfo,
  images: s.list(ContainerImage, 'Images present on the node.'),
});
export type NodeStatus = Infer<typeof NodeStatus>;

export const Node = s.object(
  'Node',
  {
    apiVersion: s.string(),
    kind: s.string(),
    metadata: ObjectMeta,
    spec: NodeSpec,
    status: NodeStatus,
  },
  'A machine that runs pods, registered by its node agent.',
);
export type Node = Infer<typeof Node>;

export const nodeKind = defineKind({
  kind: 'Node',
  apiVersion: 'v1',
  plural: 'nodes',
  shortNames: ['no'],
  namespaced: false,
  shape: Node,
  description: 'A machine that runs pods, registered by its node agent.',
  fieldSelectors: { 'spec.unschedulable': (node) => String(node.spec?.unschedulable ?? false) },
});
