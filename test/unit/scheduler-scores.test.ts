import { describe, expect, it } from 'vitest';
import { podInfo } from '../../agent/scheduler/node-info.ts';
import {
  balancedAllocation,
  intolerablePreferNoScheduleRaw,
  leastAllocated,
  normalize,
  ownerSpreadRaw,
  pickBest,
  preferredAffinityRaw,
  scoreNodes,
} from '../../agent/scheduler/scores.ts';
import { infoOf, node, ownedBy, pod, requesting } from '../support/scheduler-fixtures.ts';

// The scheduler's scores: which of the nodes that fit a pod it prefers (no server).

describe('scores', () => {
  it('least allocated prefers the emptier node, counting cpu and memory equally', () => {
    const p = podInfo(pod('p', requesting('1', '2Gi')));
    const empty = infoOf(node('a', { cpu: '4', memory: '8Gi' }));
    const busy = infoOf(node('b', { cpu: '4', memory: '8Gi' }), pod('x', requesting('2', '4Gi')));
    expect(leastAllocated(p, empty)).toBeCloseTo(75);
    expect(leastAllocated(p, busy)).toBeCloseTo(25);
    // Balanced: a pod that keeps cpu and memory fractions equal scores 100.
    expect(balancedAllocation(p, empty)).toBeCloseTo(100);
    expect(balancedAllocation(podInfo(pod('q', requesting('4', '1Gi'))), empty)).toBeLessThan(60);
  });

  it('normalizes raw values to 0..100, reversed when fewer is better', () => {
    expect(normalize([0, 2, 4])).toEqual([0, 50, 100]);
    expect(normalize([0, 2, 4], true)).toEqual([100, 50, 0]);
    expect(normalize([0, 0], true)).toEqual([100, 100]);
    expect(normalize([0, 0])).toEqual([0, 0]);
  });

  it('spreads the pods of one controller: the node with the fewest of them wins', () => {
    const owned = (name: string) => pod(name, {}, ownedBy('rs-1'));
    const nodes = [
      infoOf(node('a'), owned('x1'), owned('x2')),
      infoOf(node('b'), owned('x3'), pod('other-1'), pod('other-2'), pod('other-3')),
      infoOf(node('c')),
    ];
    const p = podInfo(owned('new'));
    expect(ownerSpreadRaw(p, nodes)).toEqual([2, 1, 0]);
    const totals = scoreNodes(p, nodes);
    expect(pickBest(totals)).toBe(2);
    // Without an owner, spreading is neutral.
    expect(ownerSpreadRaw(podInfo(pod('lonely')), nodes)).toEqual([0, 0, 0]);
  });

  it('prefers nodes matching preferred affinity terms and avoids untolerated PreferNoSchedule taints', () => {
    const nodes = [
      infoOf(node('a', { labels: { zone: 'z1' }, taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] })),
      infoOf(node('b', { labels: { zone: 'z2' } })),
    ];
    const p = podInfo(
      pod('p', {
        affinity: {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 10,
                preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] },
              },
            ],
          },
        },
      }),
    );
    expect(preferredAffinityRaw(p, nodes)).toEqual([10, 0]);
    expect(intolerablePreferNoScheduleRaw(p, nodes)).toEqual([1, 0]);
    const tolerant = podInfo(pod('t', { tolerations: [{ key: 'soft', operator: 'Exists' }] }));
    expect(intolerablePreferNoScheduleRaw(tolerant, nodes)).toEqual([0, 0]);
  });

  it('breaks ties at random among the best', () => {
    expect(pickBest([1, 3, 2])).toBe(1);
    const picks = new Set<number>();
    for (let i = 0; i < 200; i++) picks.add(pickBest([5, 1, 5, 5]));
    expect([...picks].sort()).toEqual([0, 2, 3]);
    expect(pickBest([5, 5], () => 0.99)).toBe(0);
    expect(pickBest([5, 5], () => 0)).toBe(1);
  });
});
