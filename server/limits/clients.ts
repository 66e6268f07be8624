import type { IncomingMessage } from 'node:http';
import net from 'node:net';

/**
 * The client an address stands for, as every per-client cap and rate limit counts them:
 * an IPv4 address, or an IPv6 /64 (one subscriber's network: one machine can use
 * billions of its addresses). Requests without an address share one key, `*`.
 */
export function clientKey(address: string | undefined): string {
  if (!address) return '*';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (!net.isIPv6(address)) return address;
  const [head, tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/**
 * The client a request comes from: its remote address; or, when that is one of the
 * `trustedProxies`, the address the proxies say they forward for: `X-Forwarded-For` read
 * from the right, past every trusted proxy (each appends the address it heard from, so
 * only the entries after the first untrusted one could be forged). Behind a proxy that
 * is not trusted, every client shares the proxy's address.
 */
export function clientOf(request: IncomingMessage, trustedProxies: readonly string[] = []): string {
  const remote = request.socket.remoteAddress;
  if (!remote || !trustedProxies.some((proxy) => clientKey(proxy) === clientKey(remote)))
    return clientKey(remote);
  const header = request.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => net.isIP(hop) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!trustedProxies.some((proxy) => clientKey(proxy) === clientKey(hops[i]))) return clientKey(hops[i]);
  }
  return clientKey(hops[0] ?? remote);
}
