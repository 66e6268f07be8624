import dgram from 'node:dgram';
import net from 'node:net';

/** At most this many upstreams are tried per query, as resolv.conf's MAXNS. */
const MAX_UPSTREAMS = 3;

/** `ip`, `ip:port` or `[ipv6]:port`; port 53 when none is given. */
export function parseUpstream(text: string): { host: string; port: number } {
  const bracketed = text.match(/^\[(.+)\](?::(\d+))?$/);
  if (bracketed) return { host: bracketed[1], port: Number(bracketed[2] ?? 53) };
  const withPort = text.match(/^([^:]+):(\d+)$/);
  if (withPort) return { host: withPort[1], port: Number(withPort[2]) };
  return { host: text, port: 53 };
}

/**
 * Sends a query as received (raw bytes) to the upstream resolvers in turn and returns
 * the first response, or undefined when none answered within `timeoutMs` each. Over TCP
 * for a client that asked over TCP (typically after a truncated UDP answer).
 */
export async function forwardQuery(
  query: Buffer,
  upstreams: string[],
  options: { timeoutMs: number; tcp: boolean },
): Promise<Buffer | undefined> {
  for (const server of upstreams.slice(0, MAX_UPSTREAMS)) {
    const exchange = options.tcp ? tcpExchange : udpExchange;
    const response = await exchange(query, parseUpstream(server), options.timeoutMs);
    if (response) return response;
  }
  return undefined;
}

type Upstream = ReturnType<typeof parseUpstream>;

function udpExchange(query: Buffer, server: Upstream, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(net.isIPv6(server.host) ? 'udp6' : 'udp4');
    let finished = false;
    const finish = (response?: Buffer) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.close();
      resolve(response);
    };
    const timer = setTimeout(() => finish(), timeoutMs);
    socket.on('error', () => finish());
    // Only the answer to this query: its id matches.
    socket.on('message', (message) => {
      if (message.length >= 12 && message.readUInt16BE(0) === query.readUInt16BE(0)) finish(message);
    });
    socket.send(query, server.port, server.host, (error) => error && finish());
  });
}

function tcpExchange(query: Buffer, server: Upstream, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(server);
    let received = Buffer.alloc(0);
    let finished = false;
    const finish = (response?: Buffer) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(response);
    };
    const timer = setTimeout(() => finish(), timeoutMs);
    socket.on('error', () => finish());
    socket.on('close', () => finish());
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0))
        finish(received.subarray(2, 2 + received.readUInt16BE(0)));
    });
    const length = Buffer.alloc(2);
    length.writeUInt16BE(query.length);
    socket.write(Buffer.concat([length, query]));
  });
}
