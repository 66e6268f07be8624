import { systemClock } from '../../../lib/clock.ts';
import type { Endpoints } from '../../../schema/kinds/endpoints.ts';

/** One ready endpoint of a service port. */
export interface Backend {
  ip: string;
  port: number;
}

export const backendKey = (b: Backend) => `${b.ip}:${b.port}`;

/**
 * The ready endpoints of the service port called `portName` ('' for an unnamed port): the
 * endpoints controller has already resolved targetPort per subset, so each subset that
 * has a TCP port of that name contributes its addresses at that port. Sorted, so that
 * round-robin keeps its place across unrelated updates.
 */
export function backendsOf(endpoints: Endpoints | undefined, portName: string): Backend[] {
  const found = new Map<string, Backend>();
  for (const subset of endpoints?.subsets ?? []) {
    const port = subset.ports?.find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === 'TCP');
    if (!port) continue;
    for (const address of subset.addresses ?? []) {
      const backend = { ip: address.ip, port: port.port };
      found.set(backendKey(backend), backend);
    }
  }
  return [...found.values()].sort((a, b) => compareBackends(a, b));
}

function compareBackends(a: Backend, b: Backend): number {
  const octets = (ip: string) => ip.split('.').map(Number);
  const [x, y] = [octets(a.ip), octets(b.ip)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  }
  return a.port - b.port;
}

/**
 * Picks backends for new connections of one service port: round-robin, with ClientIP
 * session affinity when `affinityMs` is set (a client returns to its last backend until
 * it has been idle that long, as kube-proxy's userspace mode does).
 */
export class RoundRobin {
  private next = 0;
  private readonly sticky = new Map<string, { backend: string; lastUsed: number }>();

  constructor(public affinityMs?: number) {}

  /** Every backend, in the order one connection should try them. */
  order(backends: Backend[], clientIP: string, now = systemClock.now()): Backend[] {
    if (backends.length === 0) return [];
    const sticky = this.stickyBackend(backends, clientIP, now);
    // A sticky client goes back to its backend and does not use up anyone's turn.
    if (sticky) return [sticky, ...backends.filter((b) => b !== sticky)];
    const start = this.next++ % backends.length;
    return [...backends.slice(start), ...backends.slice(0, start)];
  }

  /** Tells that `clientIP` got through to `backend`. */
  connected(clientIP: string, backend: Backend, now = systemClock.now()): void {
    if (this.affinityMs !== undefined)
      this.sticky.set(clientIP, { backend: backendKey(backend), lastUsed: now });
  }

  private stickyBackend(backends: Backend[], clientIP: string, now: number): Backend | undefined {
    if (this.affinityMs === undefined) return undefined;
    for (const [ip, entry] of this.sticky) {
      if (now - entry.lastUsed > this.affinityMs) this.sticky.delete(ip);
    }
    const previous = this.sticky.get(clientIP)?.backend;
    return previous === undefined ? undefined : backends.find((b) => backendKey(b) === previous);
  }
}
