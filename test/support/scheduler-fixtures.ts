import type { Resource } from '../../client/index.ts';
import type { NodeObject, PodObject } from '../../agent/objects.ts';
import { NodeInfo, podInfo } from '../../agent/scheduler/node-info.ts';
import type { Taint } from '../../schema/kinds/node.ts';
import type { PodSpec } from '../../schema/kinds/pod.ts';

// Shared by the scheduler-*.test.ts files: Nodes and Pods as the scheduler sees them, no
// server needed.

export interface NodeFixture {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  ready?: boolean | 'none';
  unschedulable?: boolean;
}

export function node(name: string, f: NodeFixture = {}): NodeObject {
  const ready = f.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-${name}`, labels: { 'kubernetes.io/hostname': name, ...f.labels } },
    spec: { taints: f.taints, unschedulable: f.unschedulable },
    status: {
      allocatable: { cpu: f.cpu ?? '4', memory: f.memory ?? '8Gi', pods: f.pods ?? '110' },
      conditions: ready === 'none' ? [] : [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  };
}

let counter = 0;
export function pod(
  name: string,
  spec: Partial<PodSpec> = {},
  meta: Partial<Resource['metadata']> = {},
): PodObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `pod-uid-${counter++}`, ...meta },
    spec: { containers: [{ name: 'c', image: 'img' }], ...spec },
    status: { phase: 'Pending' },
  };
}

export function requesting(cpu?: string, memory?: string): Partial<PodSpec> {
  const requests: Record<string, string> = {};
  if (cpu) requests.cpu = cpu;
  if (memory) requests.memory = memory;
  return { containers: [{ name: 'c', image: 'img', resources: { requests } }] };
}

export function ownedBy(uid: string): Partial<Resource['metadata']> {
  return { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid, controller: true }] };
}

export function infoOf(n: NodeObject, ...pods: PodObject[]): NodeInfo {
  const info = new NodeInfo(n.metadata.name!);
  info.setNode(n);
  for (const p of pods) info.addPod(podInfo({ ...p, spec: { ...p.spec!, nodeName: n.metadata.name } }));
  return info;
}

export const GiB = 2 ** 30;
