import { describe, expect, it } from 'vitest';
import {
  matchesNodeSelectorAndAffinity,
  matchesRequirement,
  toleratesTaint,
} from '../../agent/node-eligibility.ts';
import {
  DEFAULT_FILTERS,
  describeTaint,
  nodeAffinity,
  nodePorts,
  nodeReady,
  nodeUnschedulable,
  resourcesFit,
  runFilters,
  taintToleration,
  unschedulableMessage,
} from '../../agent/scheduler/filters.ts';
import { podInfo } from '../../agent/scheduler/node-info.ts';
import type { PodSpec } from '../../schema/kinds/pod.ts';
import { infoOf, node, pod, requesting } from '../support/scheduler-fixtures.ts';

// The scheduler's filters: which nodes a pod may go to, and the reasons for those it may not (no server).

describe('filters', () => {
  it('Ready must be True; a node with no conditions yet is not ready', () => {
    const p = podInfo(pod('p'));
    expect(nodeReady.check(p, infoOf(node('n')))).toBeUndefined();
    expect(nodeReady.check(p, infoOf(node('n', { ready: false })))).toEqual(['node(s) were not ready']);
    expect(nodeReady.check(p, infoOf(node('n', { ready: 'none' })))).toEqual(['node(s) were not ready']);
    const tolerant = podInfo(
      pod('t', { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }] }),
    );
    expect(nodeReady.check(tolerant, infoOf(node('n', { ready: false })))).toBeUndefined();
  });

  it('a cordoned node takes only pods tolerating node.kubernetes.io/unschedulable', () => {
    const cordoned = infoOf(node('n', { unschedulable: true }));
    expect(nodeUnschedulable.check(podInfo(pod('p')), cordoned)).toEqual(['node(s) were unschedulable']);
    const tolerant = pod('t', {
      tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }],
    });
    expect(nodeUnschedulable.check(podInfo(tolerant), cordoned)).toBeUndefined();
  });

  it('tolerations match taints as Kubernetes does', () => {
    const taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' as const };
    expect(toleratesTaint({ key: 'dedicated', value: 'gpu' }, taint)).toBe(true);
    expect(
      toleratesTaint({ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, taint),
    ).toBe(true);
    expect(toleratesTaint({ key: 'dedicated', value: 'cpu' }, taint)).toBe(false);
    expect(toleratesTaint({ key: 'dedicated', operator: 'Exists' }, taint)).toBe(true);
    expect(toleratesTaint({ operator: 'Exists' }, taint)).toBe(true);
    expect(toleratesTaint({ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, taint)).toBe(false);
    expect(toleratesTaint({ key: 'other', operator: 'Exists' }, taint)).toBe(false);
    expect(describeTaint(taint)).toBe('{dedicated: gpu}');
    expect(describeTaint({ key: 'k', effect: 'NoExecute' })).toBe('{k: }');
  });

  it('NoSchedule and NoExecute taints need a toleration, PreferNoSchedule does not', () => {
    const n = infoOf(
      node('n', {
        taints: [
          { key: 'soft', effect: 'PreferNoSchedule' },
          { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' },
          { key: 'evict', effect: 'NoExecute' },
        ],
      }),
    );
    expect(taintToleration.check(podInfo(pod('p')), n)).toEqual([
      'node(s) had untolerated taint {dedicated: gpu}',
    ]);
    const half = pod('h', { tolerations: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
    expect(taintToleration.check(podInfo(half), n)).toEqual(['node(s) had untolerated taint {evict: }']);
    const both = pod('b', {
      tolerations: [
        { key: 'dedicated', operator: 'Exists' },
        { key: 'evict', operator: 'Exists', effect: 'NoExecute' },
      ],
    });
    expect(taintToleration.check(podInfo(both), n)).toBeUndefined();
  });

  it('node selector requirements: In, NotIn, Exists, DoesNotExist, Gt, Lt', () => {
    expect(matchesRequirement({ key: 'k', operator: 'In', values: ['a', 'b'] }, 'b')).toBe(true);
    expect(matchesRequirement({ key: 'k', operator: 'In', values: ['a'] }, undefined)).toBe(false);
    expect(matchesRequirement({ key: 'k', operator: 'NotIn', values: ['a'] }, undefined)).toBe(true);
    expect(matchesRequirement({ key: 'k', operator: 'NotIn', values: ['a'] }, 'a')).toBe(false);
    expect(matchesRequirement({ key: 'k', operator: 'Exists' }, '')).toBe(true);
    expect(matchesRequirement({ key: 'k', operator: 'DoesNotExist' }, 'x')).toBe(false);
    expect(matchesRequirement({ key: 'k', operator: 'Gt', values: ['4'] }, '8')).toBe(true);
    expect(matchesRequirement({ key: 'k', operator: 'Gt', values: ['8'] }, '8')).toBe(false);
    expect(matchesRequirement({ key: 'k', operator: 'Lt', values: ['8'] }, '-1')).toBe(true);
    expect(matchesRequirement({ key: 'k', operator: 'Lt', values: ['8'] }, 'x')).toBe(false);
    expect(matchesRequirement({ key: 'k', operator: 'Gt', values: ['1', '2'] }, '5')).toBe(false);
  });

  it('nodeSelector and required node affinity (terms ORed, expressions and fields ANDed)', () => {
    const ssd = node('n1', { labels: { disk: 'ssd', cores: '16' } });
    const hdd = node('n2', { labels: { disk: 'hdd', cores: '4' } });
    const selector = pod('p', { nodeSelector: { disk: 'ssd' } });
    expect(matchesNodeSelectorAndAffinity(selector.spec, ssd)).toBe(true);
    expect(matchesNodeSelectorAndAffinity(selector.spec, hdd)).toBe(false);

    const affinity = (terms: NonNullable<PodSpec['affinity']>) => pod('a', { affinity: terms });
    const big = affinity({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] },
            { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n3'] }] },
          ],
        },
      },
    });
    expect(matchesNodeSelectorAndAffinity(big.spec, ssd)).toBe(true);
    expect(matchesNodeSelectorAndAffinity(big.spec, hdd)).toBe(false);
    expect(matchesNodeSelectorAndAffinity(big.spec, node('n3'))).toBe(true);

    const byName = affinity({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }],
              matchExpressions: [{ key: 'disk', operator: 'Exists' }],
            },
          ],
        },
      },
    });
    expect(matchesNodeSelectorAndAffinity(byName.spec, ssd)).toBe(false);
    expect(matchesNodeSelectorAndAffinity(byName.spec, hdd)).toBe(true);
    expect(matchesNodeSelectorAndAffinity(byName.spec, node('n3'))).toBe(false); // no disk label

    const empty = affinity({
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } },
    });
    expect(matchesNodeSelectorAndAffinity(empty.spec, ssd)).toBe(false);
    expect(nodeAffinity.check(podInfo(selector), infoOf(hdd))).toEqual([
      "node(s) didn't match Pod's node affinity/selector",
    ]);
  });

  it('host ports conflict on the same protocol and port unless both IPs are specific and differ', () => {
    const withPort = (name: string, hostPort: number, hostIP?: string, protocol?: 'TCP' | 'UDP') =>
      pod(name, {
        containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, hostPort, hostIP, protocol }] }],
      });
    const n = infoOf(node('n'), withPort('a', 8080, '10.0.0.1'));
    expect(nodePorts.check(podInfo(withPort('b', 8080)), n)).toEqual([
      "node(s) didn't have free ports for the requested pod ports",
    ]);
    expect(nodePorts.check(podInfo(withPort('c', 8080, '10.0.0.1')), n)).toHaveLength(1);
    expect(nodePorts.check(podInfo(withPort('d', 8080, '10.0.0.2')), n)).toBeUndefined();
    expect(nodePorts.check(podInfo(withPort('e', 8080, undefined, 'UDP')), n)).toBeUndefined();
    expect(nodePorts.check(podInfo(withPort('f', 9090)), n)).toBeUndefined();
  });

  it('requests must fit in allocatable minus what bound pods request, one reason per resource', () => {
    const n = infoOf(node('n', { cpu: '2', memory: '4Gi', pods: '3' }), pod('a', requesting('1500m', '3Gi')));
    // Fits: no reasons (a filter answers undefined or an empty list).
    expect(resourcesFit.check(podInfo(pod('p', requesting('500m', '1Gi'))), n) ?? []).toEqual([]);
    expect(resourcesFit.check(podInfo(pod('p', requesting('501m'))), n)).toEqual(['Insufficient cpu']);
    expect(resourcesFit.check(podInfo(pod('p', requesting('1', '2Gi'))), n)).toEqual([
      'Insufficient cpu',
      'Insufficient memory',
    ]);
    const gpu = pod('g', {
      containers: [{ name: 'c', image: 'i', resources: { requests: { 'example.com/gpu': '1' } } }],
    });
    expect(resourcesFit.check(podInfo(gpu), n)).toEqual(['Insufficient example.com/gpu']);
    // A pod without requests still takes one of the node's pod slots.
    const full = infoOf(node('m', { pods: '2' }), pod('x'), pod('y'));
    expect(resourcesFit.check(podInfo(pod('p')), full)).toEqual(['Too many pods']);
  });

  it('runs the filters in order and stops at the first that fails', () => {
    const n = infoOf(node('n', { ready: false, cpu: '1' }));
    expect(runFilters(podInfo(pod('p', requesting('2'))), n)).toEqual(['node(s) were not ready']);
    expect(runFilters(podInfo(pod('p', requesting('1'))), infoOf(node('m', { cpu: '1' })))).toBeUndefined();
    expect(DEFAULT_FILTERS.map((f) => f.name)).toEqual([
      'NodeReady',
      'NodeUnschedulable',
      'TaintToleration',
      'NodeAffinity',
      'NodePorts',
      'NodeResourcesFit',
    ]);
  });

  it("words the FailedScheduling message as Kubernetes' FitError", () => {
    const reasons = new Map([
      ['Insufficient cpu', 2],
      ['node(s) had untolerated taint {dedicated: gpu}', 1],
    ]);
    expect(unschedulableMessage(3, reasons)).toBe(
      '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu.',
    );
    expect(unschedulableMessage(0, new Map())).toBe('no nodes available to schedule pods');
  });
});
