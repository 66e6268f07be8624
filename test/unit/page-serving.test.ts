import { describe, expect, it } from 'vitest';
import { accepts, notModified } from '../../server/http/compressed-files.ts';
import { compressInTurn } from '../../server/http/compression-queue.ts';
import { TokenBuckets } from '../../server/http/rate-limit.ts';
import type { IncomingMessage } from 'node:http';
import { clientKey, clientOf } from '../../server/limits/clients.ts';

describe('TokenBuckets', () => {
  it('lets a burst through, then one request per refilled token, and says how long to wait', () => {
    let now = 0;
    const buckets = new TokenBuckets({ burst: 3, perSecond: 2 }, () => now);
    expect([buckets.take('a'), buckets.take('a'), buckets.take('a')]).toEqual([0, 0, 0]);
    expect(buckets.take('a')).toBe(1);
    // Another client has a bucket of its own.
    expect(buckets.take('b')).toBe(0);
    now += 500;
    expect(buckets.take('a')).toBe(0);
    expect(buckets.take('a')).toBe(1);
    // Idle for long, a client gets its burst back, no more.
    now += 60_000;
    expect(Array.from({ length: 4 }, () => buckets.take('a'))).toEqual([0, 0, 0, 1]);
  });

  it('rounds Retry-After up to whole seconds', () => {
    const buckets = new TokenBuckets({ burst: 1, perSecond: 0.25 }, () => 0);
    expect(buckets.take('a')).toBe(0);
    expect(buckets.take('a')).toBe(4);
  });

  it('tracks a bounded number of clients: refilled buckets are forgotten, the rest of the crowd shares one', () => {
    let now = 0;
    const buckets = new TokenBuckets({ burst: 1, perSecond: 1, maxClients: 2 }, () => now);
    expect(buckets.take('a')).toBe(0);
    expect(buckets.take('b')).toBe(0);
    // The table is full and nobody has refilled: c and d share the overflow bucket.
    expect(buckets.take('c')).toBe(0);
    expect(buckets.take('d')).toBe(1);
    now += 5000;
    // a and b are full again: swept, so e gets a bucket of its own.
    expect(buckets.take('e')).toBe(0);
    expect(buckets.take('e')).toBe(1);
  });
});

describe('clientOf', () => {
  const request = (remoteAddress: string, forwardedFor?: string) =>
    ({
      socket: { remoteAddress },
      headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
    }) as unknown as IncomingMessage;

  it('is the remote address unless that is a trusted proxy', () => {
    expect(clientOf(request('203.0.113.9', '198.51.100.1'))).toBe('203.0.113.9');
    expect(clientOf(request('203.0.113.9', '198.51.100.1'), ['10.0.0.1'])).toBe('203.0.113.9');
  });

  it('behind trusted proxies, the address the last untrusted hop names; forged hops before it do not count', () => {
    const trusted = ['10.0.0.1', '10.0.0.2'];
    expect(clientOf(request('::ffff:10.0.0.1', '198.51.100.7'), trusted)).toBe('198.51.100.7');
    expect(clientOf(request('10.0.0.1', '1.2.3.4, 198.51.100.7, 10.0.0.2'), trusted)).toBe('198.51.100.7');
    expect(clientOf(request('10.0.0.1', '2001:db8:1:2::7'), trusted)).toBe('2001:db8:1:2::/64');
    // A proxy that names no one (or only itself) stands for its clients.
    expect(clientOf(request('10.0.0.1'), trusted)).toBe('10.0.0.1');
    expect(clientOf(request('10.0.0.1', 'garbage, 10.0.0.2'), trusted)).toBe('10.0.0.2');
  });
});

describe('clientKey', () => {
  it('is the IPv4 address (mapped or not), and an IPv6 address its /64', () => {
    expect(clientKey('127.0.0.1')).toBe('127.0.0.1');
    expect(clientKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:DB8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey(undefined)).toBe('*');
  });
});

describe('content negotiation', () => {
  it('reads Accept-Encoding with its q-values and *', () => {
    expect(accepts('gzip, deflate, br', 'br')).toBe(true);
    expect(accepts('gzip', 'br')).toBe(false);
    expect(accepts('br;q=0, gzip', 'br')).toBe(false);
    expect(accepts('*', 'gzip')).toBe(true);
    expect(accepts('*;q=0', 'gzip')).toBe(false);
    expect(accepts('gzip;q=0.5, *;q=0', 'gzip')).toBe(true);
    expect(accepts('identity', 'gzip')).toBe(false);
    expect(accepts(undefined, 'gzip')).toBe(false);
  });

  it('matches If-None-Match weakly, in a list, or *', () => {
    expect(notModified('W/"abc"', 'W/"abc"')).toBe(true);
    expect(notModified('"abc"', 'W/"abc"')).toBe(true);
    expect(notModified('"x", W/"abc"', 'W/"abc"')).toBe(true);
    expect(notModified('*', 'W/"abc"')).toBe(true);
    expect(notModified('"abd"', 'W/"abc"')).toBe(false);
    expect(notModified(undefined, 'W/"abc"')).toBe(false);
  });
});

describe('compressInTurn', () => {
  it('runs one job at a time, the urgent ones first, each priority in order', async () => {
    const order: string[] = [];
    let release!: () => void;
    const blocker = compressInTurn(1, () => new Promise<void>((resolve) => (release = resolve)));
    const jobs = [
      compressInTurn(5000, async () => order.push('brotli big')),
      compressInTurn(0, async () => order.push('gzip 1')),
      compressInTurn(2000, async () => order.push('brotli small')),
      compressInTurn(5000, async () => order.push('brotli big 2')),
      compressInTurn(0, async () => order.push('gzip 2')),
    ];
    await Promise.resolve();
    expect(order).toEqual([]);
    release();
    await Promise.all([blocker, ...jobs]);
    expect(order).toEqual(['gzip 1', 'gzip 2', 'brotli small', 'brotli big', 'brotli big 2']);
  });

  it('goes on after a failed job', async () => {
    await expect(compressInTurn(0, () => Promise.reject(new Error('broken')))).rejects.toThrow('broken');
    await expect(compressInTurn(0, async () => 'next')).resolves.toBe('next');
  });
});
