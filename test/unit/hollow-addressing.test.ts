import { describe, expect, it } from 'vitest';
import { hollowNodeAddressing, MAX_HOLLOW_NODES } from '../../agent/node/hollow.ts';

const octets = (ip: string) => ip.split('.').map(Number);
const toInt = (ip: string) => octets(ip).reduce((n, octet) => n * 256 + octet, 0);

describe('hollow node addressing', () => {
  it('gives every node of the largest cluster a valid, distinct /24 in 10.244.0.0-10.255.255.255 and a distinct address', () => {
    const ranges = new Set<string>();
    const addresses = new Set<string>();
    for (let index = 0; index < MAX_HOLLOW_NODES; index++) {
      const { address, podCIDR } = hollowNodeAddressing(index);
      const [network, bits] = podCIDR.split('/');
      expect(bits).toBe('24');
      for (const ip of [address, network]) {
        expect(octets(ip)).toHaveLength(4);
        expect(octets(ip).every((octet) => Number.isInteger(octet) && octet >= 0 && octet <= 255)).toBe(true);
      }
      expect(octets(network)[3]).toBe(0);
      // Above the 10.96.0.0/12 Service range, inside 10.0.0.0/8.
      expect(toInt(network)).toBeGreaterThanOrEqual(toInt('10.244.0.0'));
      expect(toInt(network)).toBeLessThanOrEqual(toInt('10.255.255.0'));
      expect(address.startsWith('10.0.')).toBe(true);
      ranges.add(network);
      addresses.add(address);
    }
    expect(ranges.size).toBe(MAX_HOLLOW_NODES);
    expect(addresses.size).toBe(MAX_HOLLOW_NODES);
    // The first 256 keep the usual 10.244.0.0/16.
    expect(hollowNodeAddressing(0).podCIDR).toBe('10.244.0.0/24');
    expect(hollowNodeAddressing(255).podCIDR).toBe('10.244.255.0/24');
    expect(hollowNodeAddressing(256).podCIDR).toBe('10.245.0.0/24');
  });

  it('refuses a node beyond the ranges it has, rather than an invalid range', () => {
    expect(() => hollowNodeAddressing(MAX_HOLLOW_NODES)).toThrow(/room for 3072 hollow nodes/);
  });
});
