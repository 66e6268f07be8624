import { describe, expect, it } from 'vitest';
import type { PodSpec } from '../../schema/kinds/pod.ts';
import {
  amountOf,
  nonZeroRequests,
  podInfo,
  podRequests,
  SchedulerCache,
} from '../../agent/scheduler/node-info.ts';
import { GiB, infoOf, node, ownedBy, pod, requesting } from '../support/scheduler-fixtures.ts';

// The scheduler's accounting: what pods request and what nodes hold (no server).

describe('node-info: what pods request and what nodes hold', () => {
  it('parses quantities into millicores and bytes, rounding up', () => {
    expect(amountOf('cpu', '100m')).toBe(100);
    expect(amountOf('cpu', '0.3')).toBe(300);
    expect(amountOf('cpu', 2)).toBe(2000);
    expect(amountOf('cpu', '1n')).toBe(1);
    expect(amountOf('memory', '1Gi')).toBe(GiB);
    expect(amountOf('memory', '1.5k')).toBe(1500);
    expect(amountOf('pods', '110')).toBe(110);
  });

  it('sums containers and takes the largest init container when that is more', () => {
    const p = pod('p', {
      containers: [
        { name: 'a', image: 'i', resources: { requests: { cpu: '500m', memory: '1Gi' } } },
        { name: 'b', image: 'i', resources: { requests: { cpu: '250m', 'example.com/gpu': '1' } } },
      ],
      initContainers: [{ name: 'init', image: 'i', resources: { requests: { cpu: '2', memory: '512Mi' } } }],
    });
    expect(podRequests(p)).toEqual({ cpu: 2000, memory: GiB, 'example.com/gpu': 1 });
    // Scores count a container without requests as 100m / 200Mi.
    expect(nonZeroRequests(pod('q'))).toEqual({ cpu: 100, memory: 200 * 2 ** 20 });
    expect(nonZeroRequests(p)).toEqual({ cpu: 2000, memory: GiB + 200 * 2 ** 20 });
  });

  it('keeps totals, ports and owner counts in step one pod at a time', () => {
    const n = infoOf(node('n1'));
    const a = podInfo({
      ...pod('a', {
        containers: [
          {
            name: 'c',
            image: 'i',
            resources: { requests: { cpu: '1' } },
            ports: [{ containerPort: 80, hostPort: 8080 }],
          },
        ],
      }),
      metadata: { name: 'a', namespace: 'default', ...ownedBy('rs-1') },
    });
    const b = podInfo({
      ...pod('b', requesting('500m', '1Gi')),
      metadata: { name: 'b', namespace: 'default', ...ownedBy('rs-1') },
    });
    n.addPod(a);
    n.addPod(b);
    n.addPod(b); // again: replaced, not counted twice
    expect(n.requested).toMatchObject({ cpu: 1500, memory: GiB });
    expect(n.pods.size).toBe(2);
    expect(n.ownerCount('rs-1')).toBe(2);
    expect(n.portTaken({ ip: '0.0.0.0', protocol: 'TCP', port: 8080 })).toBe(true);
    expect(n.portTaken({ ip: '10.0.0.1', protocol: 'TCP', port: 8080 })).toBe(true);
    expect(n.portTaken({ ip: '0.0.0.0', protocol: 'UDP', port: 8080 })).toBe(false);
    n.removePod(a.key);
    expect(n.requested.cpu).toBe(500);
    expect(n.ownerCount('rs-1')).toBe(1);
    expect(n.portTaken({ ip: '0.0.0.0', protocol: 'TCP', port: 8080 })).toBe(false);
  });

  it('the cache files bound pods by node, drops finished ones, and keeps assumed bindings until the informer shows them', () => {
    const cache = new SchedulerCache();
    cache.setNode(node('n1'));
    cache.setNode(node('n2'));
    const p = pod('p', requesting('1'));
    cache.updatePod(p); // pending: counted nowhere
    expect(cache.nodeInfo('n1')!.pods.size + cache.nodeInfo('n2')!.pods.size).toBe(0);

    cache.assume({ ...p, spec: { ...p.spec!, nodeName: 'n1' } }, 'n1');
    expect(cache.isAssumed('default/p')).toBe(true);
    // A late event from before the binding must not undo the assumption.
    cache.updatePod(p);
    expect(cache.nodeInfo('n1')!.requested.cpu).toBe(1000);
    // The binding arrives: no longer assumed, still counted once.
    cache.updatePod({ ...p, spec: { ...p.spec!, nodeName: 'n1' } });
    expect(cache.isAssumed('default/p')).toBe(false);
    expect(cache.nodeInfo('n1')!.requested.cpu).toBe(1000);
    // Finished: holds nothing.
    cache.updatePod({ ...p, spec: { ...p.spec!, nodeName: 'n1' }, status: { phase: 'Succeeded' } });
    expect(cache.nodeInfo('n1')!.requested.cpu).toBe(0);

    // Pods of a node the cache has not seen are kept, and the node is not offered.
    cache.updatePod({
      ...pod('q', requesting('1')),
      spec: { ...requesting('1'), nodeName: 'n3' } as PodSpec,
    });
    expect(
      cache
        .nodeInfos()
        .map((n) => n.name)
        .sort(),
    ).toEqual(['n1', 'n2']);
    cache.setNode(node('n3'));
    expect(cache.nodeInfo('n3')!.requested.cpu).toBe(1000);
    cache.removeNode('n2');
    expect(
      cache
        .nodeInfos()
        .map((n) => n.name)
        .sort(),
    ).toEqual(['n1', 'n3']);
  });
});
