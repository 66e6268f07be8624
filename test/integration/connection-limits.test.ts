import net from 'node:net';
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/harness.ts';
import { openRaw, type Operation, type RawSession } from '../support/raw-ws.ts';

// Bounds on what connections may hold: WebSocket connections and subscriptions in all
// and per client (remote address: 127.0.0.x all reach the server on 127.0.0.1 here), HTTP
// connections that send nothing or too slowly, WebSocket peers that read too slowly.
// Each limit is set low through the server options so that the cases stay short.

const sessions: RawSession[] = [];

afterEach(() => {
  for (const session of sessions.splice(0)) session.ws.terminate();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An initialised connection from `from` (a loopback address), or how the server closed it. */
async function connect(cluster: TestCluster, from = '127.0.0.1'): Promise<RawSession> {
  const session = await openRaw(cluster.wsUrl, { localAddress: from });
  sessions.push(session);
  await session.init(cluster.token).catch(() => {});
  return session;
}

/** Connects from `from` until the server takes the connection: it frees places when it sees closes. */
async function connectOnceFree(cluster: TestCluster, from: string): Promise<RawSession> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const session = await connect(cluster, from);
    if (session.isOpen) return session;
    if (Date.now() > deadline)
      throw new Error(`no place for ${from}: ${JSON.stringify(await session.closed)}`);
    await sleep(50);
  }
}

const WATCH = 'subscription { watchConfigMaps(namespace: "default") { type object { metadata { name } } } }';

/** Starts a watch and waits for its first event (the seed ConfigMap), or its refusal. */
async function watch(session: RawSession, id: string): Promise<Operation> {
  const operation = session.subscribe(id, WATCH);
  await operation.until((messages) => messages.length > 0);
  return operation;
}

describe('caps on WebSocket connections and subscriptions', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster({
      connectionLimits: {
        maxConnections: 5,
        maxConnectionsPerClient: 3,
        maxSubscriptions: 5,
        maxSubscriptionsPerClient: 3,
      },
    });
    await cluster.ok(
      'mutation { createConfigMap(configMap: { metadata: { name: "seed" } }) { metadata { name } } }',
    );
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('closes a connection over the per-client cap with 1008 and one over the total with 1013', async () => {
    const mine = [await connect(cluster), await connect(cluster), await connect(cluster)];
    for (const session of mine) expect(session.isOpen).toBe(true);
    const fourth = await connect(cluster);
    expect(await fourth.closed).toEqual({ code: 1008, reason: 'Too many connections from this client' });

    // Another client still has room, up to the server's total.
    const theirs = [await connect(cluster, '127.0.0.2'), await connect(cluster, '127.0.0.2')];
    for (const session of theirs) expect(session.isOpen).toBe(true);
    const sixth = await connect(cluster, '127.0.0.3');
    expect(await sixth.closed).toEqual({ code: 1013, reason: 'Server connection limit reached' });

    // The connections taken are unharmed, and closing one frees its place.
    const query = mine[0].subscribe('q', '{ namespace(name: "default") { metadata { name } } }');
    await query.ended;
    expect(query.messages[0].payload.data.namespace.metadata.name).toBe('default');
    mine[1].ws.close();
    const again = await connectOnceFree(cluster, '127.0.0.3');
    expect(again.isOpen).toBe(true);
  });

  it('caps subscriptions across connections, per client and in all, and frees them as they end', async () => {
    const [a, b] = [await connectOnceFree(cluster, '127.0.0.1'), await connectOnceFree(cluster, '127.0.0.1')];
    const a1 = await watch(a, 'a1');
    await watch(a, 'a2');
    await watch(b, 'b1');
    const over = await watch(b, 'b2');
    expect(over.errors).toMatchObject([
      {
        message: 'too many operations from this client (at most 3)',
        extensions: { code: 'TOO_MANY_REQUESTS' },
      },
    ]);

    const c = await connectOnceFree(cluster, '127.0.0.2');
    await watch(c, 'c1');
    await watch(c, 'c2');
    const full = await watch(c, 'c3');
    expect(full.errors).toMatchObject([
      {
        message: 'too many operations on this server (at most 5)',
        extensions: { code: 'TOO_MANY_REQUESTS' },
      },
    ]);
    // A refusal fails that operation alone: the watches taken go on.
    expect([a.isOpen, b.isOpen, c.isOpen]).toEqual([true, true, true]);
    expect(a1.errors).toBeUndefined();

    // Ending a watch frees its place ...
    c.send({ id: 'c1', type: 'complete' });
    await expect.poll(async () => (await watch(c, `c-${Date.now()}`)).errors).toBeUndefined();
    // ... and so does closing a connection, for every watch it held.
    a.ws.close();
    await expect.poll(async () => (await watch(b, `b-${Date.now()}`)).errors).toBeUndefined();
    expect((await watch(b, 'b-last')).errors).toBeUndefined();
  });
});

describe('connections that send too little or read too slowly', () => {
  const HEADERS_MS = 300;
  const REQUEST_MS = 1000;
  const KEEP_ALIVE_MS = 300;
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster({
      connectionLimits: {
        headersTimeoutMs: HEADERS_MS,
        requestTimeoutMs: REQUEST_MS,
        keepAliveTimeoutMs: KEEP_ALIVE_MS,
        maxBufferedBytes: 64 * 1024,
        slowConsumerMs: 300,
      },
    });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  /** Opens a TCP connection, runs `talk` on it, and resolves with what came back and when the server closed it. */
  function tcp(talk: (socket: net.Socket) => void): Promise<{ ms: number; received: string }> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      let received = '';
      const socket = net.connect(cluster.server.port, '127.0.0.1', () => talk(socket));
      // Far past every timeout: the server never closed it.
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`still open; received ${JSON.stringify(received)}`));
      }, 10_000);
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (received += chunk));
      socket.on('error', () => {});
      socket.on('close', () => {
        clearTimeout(timer);
        resolve({ ms: Date.now() - started, received });
      });
    });
  }

  /** Sends `text` one byte every 100 ms. */
  function trickle(socket: net.Socket, text: string): void {
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < text.length) socket.write(text[sent++]);
    }, 100);
    socket.once('close', () => clearInterval(timer));
  }

  it('closes a TCP connection that never sends a byte', async () => {
    const { ms, received } = await tcp(() => {});
    expect(ms).toBeGreaterThanOrEqual(HEADERS_MS - 50);
    expect(ms).toBeLessThan(HEADERS_MS + 2000);
    expect(received === '' || received.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('cuts off headers sent a byte at a time', async () => {
    const { ms } = await tcp((socket) =>
      trickle(
        socket,
        'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n',
      ),
    );
    expect(ms).toBeLessThan(HEADERS_MS + 2000);
  });

  it('cuts off a request body trickled in, with 408', async () => {
    const body = JSON.stringify({ query: '{ __typename }', pad: 'a'.repeat(200) });
    const { ms, received } = await tcp((socket) => {
      socket.write(
        `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer ${cluster.token}\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      trickle(socket, body);
    });
    expect(ms).toBeGreaterThanOrEqual(REQUEST_MS - 100);
    expect(ms).toBeLessThan(REQUEST_MS + 2000);
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes an idle keep-alive connection after its last response', async () => {
    let answered = 0;
    const { ms, received } = await tcp((socket) => {
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
      socket.once('data', () => (answered = Date.now()));
    });
    expect(received).toMatch(/^HTTP\/1\.1 200/);
    expect(answered).toBeGreaterThan(0);
    expect(ms).toBeLessThan(KEEP_ALIVE_MS + 2000);
  });

  it('lets ordinary requests and long-lived WebSockets be', async () => {
    const session = await connect(cluster);
    const events = session.subscribe('watch', WATCH);
    // Longer than every HTTP timeout: they are for requests, not for what an upgrade became.
    await sleep(REQUEST_MS + 1000);
    await cluster.ok(
      'mutation { createConfigMap(configMap: { metadata: { name: "long-lived" } }) { metadata { name } } }',
    );
    await events.until((messages) =>
      messages.some((m) => m.payload?.data?.watchConfigMaps.object.metadata.name === 'long-lived'),
    );
    expect(session.isOpen).toBe(true);
  });

  it('closes a WebSocket that reads too slowly with 4001 once it reads again', async () => {
    let raw: net.Socket | undefined;
    const session = await openRaw(cluster.wsUrl, {
      createConnection: (options) => (raw = net.connect(options as net.NetConnectOpts)),
    });
    sessions.push(session);
    await session.init(cluster.token);
    const query =
      'subscription { watchConfigMaps(namespace: "default") { type object { metadata { name } data } } }';
    const watches = Array.from({ length: 8 }, (_, i) => session.subscribe(`w${i}`, query));
    await cluster.ok(
      'mutation { createConfigMap(configMap: { metadata: { name: "slow-seed" } }) { metadata { name } } }',
    );
    for (const w of watches)
      await w.until((messages) =>
        messages.some((m) => m.payload?.data?.watchConfigMaps.object.metadata.name === 'slow-seed'),
      );

    // Stop reading: the kernel's buffers fill, then the server's.
    raw!.pause();
    const blob = 'x'.repeat(200 * 1024);
    // 8 watches × 12 objects × 200 KB: several times what the kernel's buffers hold.
    for (let i = 0; i < 12; i++)
      await cluster.ok(
        'mutation ($cm: ConfigMapInput!) { createConfigMap(configMap: $cm) { metadata { name } } }',
        { cm: { metadata: { name: `slow-${i}` }, data: { blob } } },
      );
    await sleep(1500);
    raw!.resume();
    expect(await session.closed).toEqual({
      code: 4001,
      reason: 'Slow consumer: resume from the last resourceVersion received',
    });

    // The server goes on: a new connection watches as before.
    const fresh = await connect(cluster);
    const resumed = fresh.subscribe('again', WATCH);
    await resumed.until((messages) => messages.length > 0);
    expect(resumed.errors).toBeUndefined();
  }, 60_000);
});

describe('subscriptions over server-sent events', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster({ connectionLimits: { maxSubscriptions: 5, maxSubscriptionsPerClient: 3 } });
    await cluster.ok(
      'mutation { createConfigMap(configMap: { metadata: { name: "seed" } }) { metadata { name } } }',
    );
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  /** A watch over SSE from `from`, once its first event (or its refusal) has come. */
  function sseWatch(from: string): Promise<{ status: number; first: string; close(): void }> {
    return new Promise((resolve, reject) => {
      const request = http.request(cluster.url, {
        method: 'POST',
        localAddress: from,
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          authorization: `Bearer ${cluster.token}`,
        },
      });
      request.on('response', (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          const data = /^data: (.+)$/m.exec(text);
          if (data) resolve({ status: response.statusCode!, first: data[1], close: () => request.destroy() });
        });
      });
      request.on('error', reject);
      request.end(JSON.stringify({ query: WATCH }));
    });
  }

  it('counts against the same caps as WebSocket operations, and frees them when the client goes', async () => {
    const held = [await sseWatch('127.0.0.1'), await sseWatch('127.0.0.1'), await sseWatch('127.0.0.1')];
    for (const stream of held)
      expect(JSON.parse(stream.first)).toMatchObject({ data: { watchConfigMaps: { type: 'ADDED' } } });
    const over = await sseWatch('127.0.0.1');
    expect(JSON.parse(over.first).errors).toMatchObject([
      {
        message: 'too many operations from this client (at most 3)',
        extensions: { code: 'TOO_MANY_REQUESTS' },
      },
    ]);
    over.close();
    // One quota for both transports: this client has no room over WebSocket either ...
    const ws = await connect(cluster);
    expect((await watch(ws, 'w1')).errors).toMatchObject([{ extensions: { code: 'TOO_MANY_REQUESTS' } }]);
    // ... and another client fills what is left of the server's total.
    const theirs = await connect(cluster, '127.0.0.2');
    expect((await watch(theirs, 't1')).errors).toBeUndefined();
    expect((await watch(theirs, 't2')).errors).toBeUndefined();
    const full = await sseWatch('127.0.0.2');
    expect(JSON.parse(full.first).errors).toMatchObject([
      { message: 'too many operations on this server (at most 5)' },
    ]);

    // A stream whose client goes away frees its place.
    held[0].close();
    await expect.poll(async () => (await watch(ws, `w-${Date.now()}`)).errors).toBeUndefined();
    for (const stream of held) stream.close();
  });
});

describe('behind a trusted proxy', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startCluster({
      connectionLimits: { maxConnectionsPerClient: 1, trustedProxies: ['127.0.0.1'] },
    });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  /** A connection as a proxy on `from` forwards it for `forwardedFor`. */
  async function forwarded(from: string, forwardedFor: string): Promise<RawSession> {
    const session = await openRaw(cluster.wsUrl, {
      localAddress: from,
      headers: { 'x-forwarded-for': forwardedFor },
    });
    sessions.push(session);
    await session.init(cluster.token).catch(() => {});
    return session;
  }

  it('counts the clients the proxy names, and ignores what an untrusted peer claims', async () => {
    // Through the trusted proxy, one connection for each client it names.
    expect((await forwarded('127.0.0.1', '198.51.100.1')).isOpen).toBe(true);
    expect((await forwarded('127.0.0.1', '198.51.100.2')).isOpen).toBe(true);
    const again = await forwarded('127.0.0.1', '198.51.100.1');
    expect(await again.closed).toEqual({ code: 1008, reason: 'Too many connections from this client' });
    // From elsewhere the header is the peer's word only: it counts as its own address.
    expect((await forwarded('127.0.0.2', '198.51.100.3')).isOpen).toBe(true);
    const forged = await forwarded('127.0.0.2', '198.51.100.4');
    expect(await forged.closed).toEqual({ code: 1008, reason: 'Too many connections from this client' });
  });
});
