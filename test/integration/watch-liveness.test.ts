import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, type KubeqlClient, type RemoteTransportOptions } from '../../client/index.ts';
import type { Watch } from '../../client/watch.ts';
import { BOOKMARK_INTERVAL_ANNOTATION } from '../../schema/watch-bookmarks.ts';
import { configMapEvent, FakeGraphQLWs } from '../support/fake-graphql-ws.ts';
import { ServerProcess } from '../support/server-process.ts';

// A watch must never stall silently. Two layers see to it: the connection's keepalive
// (a ping every keepAliveMs, dropped without a pong within pongTimeoutMs; a connection
// not acknowledged within connectTimeoutMs is given up) notices a dead server or link,
// and the watch's progress deadline (neither events nor bookmarks for that long)
// notices a subscription the server no longer feeds on a connection that lives on.
// Either way the watch resubscribes from the last resourceVersion it received.

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fake(): Promise<FakeGraphQLWs> {
  const server = await FakeGraphQLWs.start();
  cleanups.push(() => server.close());
  return server;
}

function client(url: string, options: Partial<RemoteTransportOptions> = {}): KubeqlClient {
  const made = createClient({ url, token: 'test', ...options });
  cleanups.push(() => made.close());
  return made;
}

/** Pulls a watch in the background: what it yields, and how it ended. */
function consume(watch: Watch) {
  const events: string[] = [];
  const state: { error?: unknown; done: boolean } = { done: false };
  const running = (async () => {
    try {
      for await (const event of watch) {
        events.push(
          `${event.type} ${event.object.metadata.name ?? ''}@${event.object.metadata.resourceVersion}`,
        );
      }
    } catch (error) {
      state.error = error;
    }
    state.done = true;
  })();
  cleanups.push(async () => {
    await watch.return();
    await running;
  });
  return { events, state };
}

async function until(probe: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('a watch whose stream goes silent', () => {
  it('resubscribes from its last resourceVersion within the progress deadline when the server stops feeding it (the connection alive)', async () => {
    const server = await fake();
    server.onSubscribe = (sub) => {
      // The first subscription gets one event and then nothing, ever; the next one carries on.
      if (server.subscriptions.length === 1) sub.next(configMapEvent('ADDED', 'a', 11));
      else sub.next(configMapEvent('MODIFIED', 'a', 12));
    };
    const deadline = 1_000;
    const watch = client(server.url, { keepAliveMs: 200, watchProgressDeadlineMs: deadline }).watch(
      'ConfigMap',
      {
        namespace: 'default',
        resourceVersion: '10',
      },
    );
    const { events, state } = consume(watch);

    await until(() => events.length === 1, 5_000, 'the first event');
    const silentFrom = Date.now();
    await server.until(() => server.subscriptions.length === 2, 10_000, 'a second subscribe');
    const detectedAfter = server.subscriptions[1].at - silentFrom;
    await until(() => events.length === 2, 5_000, 'the event after the resubscription');

    expect(detectedAfter).toBeGreaterThanOrEqual(deadline - 50);
    // The deadline, plus the first retry's back-off (under 100 ms) and a loaded machine's lag.
    expect(detectedAfter).toBeLessThan(deadline + 1_500);
    expect(server.subscriptions.map((s) => s.variables.resourceVersion)).toEqual(['10', '11']);
    // The silent subscription was ended on the server (graphql-ws then closes the connection
    // it was alone on, and the next subscription opens another).
    expect(server.subscriptions[0].completed).toBe(true);
    expect(events).toEqual(['ADDED a@11', 'MODIFIED a@12']);
    expect(state.error).toBeUndefined();
    expect(watch.resourceVersion).toBe('12');
  });

  it('takes its deadline from the bookmark interval the server announces: quiet but bookmarked is alive', async () => {
    const server = await fake();
    const interval = 150;
    let feeding = true;
    let lastBookmark = 20;
    server.onSubscribe = (sub) => {
      if (server.subscriptions.length > 1) return sub.next(configMapEvent('ADDED', 'b', 100));
      // As the hub does: a bookmark as soon as the watch has caught up, then one per interval.
      const bookmark = () =>
        sub.next(
          configMapEvent('BOOKMARK', '', ++lastBookmark, {
            [BOOKMARK_INTERVAL_ANNOTATION]: String(interval),
          }),
        );
      bookmark();
      const timer = setInterval(() => (feeding ? bookmark() : clearInterval(timer)), interval);
      cleanups.push(async () => clearInterval(timer));
    };
    // No watchProgressDeadlineMs: two intervals plus 5 s once the first bookmark has told the interval.
    const watch = client(server.url, { keepAliveMs: 200 }).watch('ConfigMap', {
      namespace: 'default',
      resourceVersion: '20',
    });
    const { events } = consume(watch);

    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(server.subscriptions).toHaveLength(1);
    expect(Number(watch.resourceVersion)).toBeGreaterThan(25);
    expect(events).toEqual([]); // bookmarks move the resume point, unseen

    feeding = false;
    const silentFrom = Date.now();
    await server.until(() => server.subscriptions.length === 2, 15_000, 'a second subscribe');
    const detectedAfter = server.subscriptions[1].at - silentFrom;
    expect(detectedAfter).toBeGreaterThanOrEqual(2 * interval + 5_000 - interval - 50);
    expect(detectedAfter).toBeLessThan(2 * interval + 5_000 + 1_500);
    // It resumed from the last bookmark: bookmarks move the resume point.
    expect(server.subscriptions[1].variables.resourceVersion).toBe(String(lastBookmark));
    await until(() => events.length === 1, 5_000, 'the event after the resubscription');
    expect(events).toEqual(['ADDED b@100']);
  });

  it('drops a connection whose server stops answering pings, and resumes on a new one', async () => {
    const server = await fake();
    // The first connection goes silent altogether, as a stopped process would; the next is healthy.
    server.behaviour = (n) => ({ ack: true, pong: n > 1 });
    server.onSubscribe = (sub) => {
      if (sub.connection === 1) sub.next(configMapEvent('ADDED', 'c', 41));
      else sub.next(configMapEvent('MODIFIED', 'c', 42));
    };
    const keepAliveMs = 300;
    const pongTimeoutMs = 300;
    const watch = client(server.url, { keepAliveMs, pongTimeoutMs, watchProgressDeadlineMs: 60_000 }).watch(
      'ConfigMap',
      { namespace: 'default', resourceVersion: '40' },
    );
    const { events } = consume(watch);

    await until(() => events.length === 1, 5_000, 'the first event');
    const opened = Date.now();
    await server.until(
      () => server.connections[0].closedAt !== undefined,
      10_000,
      'the dead connection dropped',
    );
    expect(server.connections[0].closedAt! - opened).toBeLessThan(keepAliveMs + pongTimeoutMs + 1_500);
    await until(() => events.length === 2, 5_000, 'the event on the new connection');
    expect(server.subscriptions.map((s) => [s.connection, s.variables.resourceVersion])).toEqual([
      [1, '40'],
      [2, '41'],
    ]);
    expect(events).toEqual(['ADDED c@41', 'MODIFIED c@42']);
  });

  it('gives up on a connection the server never acknowledges, and subscribes on the next', async () => {
    const server = await fake();
    server.behaviour = (n) => ({ ack: n > 1, pong: n > 1 });
    server.onSubscribe = (sub) => sub.next(configMapEvent('ADDED', 'd', 51));
    const connectTimeoutMs = 500;
    const watch = client(server.url, { connectTimeoutMs, keepAliveMs: 10_000 }).watch('ConfigMap', {
      namespace: 'default',
      resourceVersion: '50',
    });
    const { events } = consume(watch);

    await server.until(() => server.connections.length === 1, 5_000, 'the first connection');
    const opened = Date.now();
    await until(() => events.length === 1, 10_000, 'the event on the second connection');
    expect(server.connections[0].closedAt! - opened).toBeGreaterThanOrEqual(connectTimeoutMs - 50);
    expect(server.connections[0].closedAt! - opened).toBeLessThan(connectTimeoutMs + 1_500);
    expect(server.subscriptions.map((s) => s.connection)).toEqual([2]);
    expect(events).toEqual(['ADDED d@51']);
  });
});

describe('a real server process paused with SIGSTOP', () => {
  it('is noticed within keepAlive + pongTimeout, and the watch resumes without a gap or a repeat once it runs again', async () => {
    const server = new ServerProcess();
    await server.start();
    cleanups.push(() => server.dispose());
    // The sockets the SDK opens, to see when it drops them.
    const sockets: WebSocket[] = [];
    const closedAt = new Map<WebSocket, number>();
    const Recording = new Proxy(WebSocket, {
      construct(target, args, newTarget) {
        const socket = Reflect.construct(target, args, newTarget) as WebSocket;
        sockets.push(socket);
        socket.on('close', () => closedAt.set(socket, Date.now()));
        return socket;
      },
    });
    const keepAliveMs = 500;
    const pongTimeoutMs = 500;
    const sdk = client(server.url, {
      token: server.token,
      webSocketImpl: Recording,
      keepAliveMs,
      pongTimeoutMs,
      connectTimeoutMs: 1_000,
      requestTimeoutMs: 5_000,
    });
    const write = (name: string) =>
      sdk.request(`mutation($m: String!) { apply(manifests: $m) { metadata { resourceVersion } } }`, {
        m: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: default}\n`,
      });
    const start = (await sdk.list('ConfigMap', { namespace: 'default' })).resourceVersion;
    const watch = sdk.watch('ConfigMap', { namespace: 'default', resourceVersion: start });
    const { events, state } = consume(watch);
    await write('before');
    await until(() => events.length === 1, 10_000, 'the event before the pause');
    const first = sockets.at(-1)!;

    server.pause();
    const pausedAt = Date.now();
    try {
      await until(() => closedAt.has(first), 10_000, 'the connection to the stopped server dropped');
      expect(closedAt.get(first)! - pausedAt).toBeLessThan(keepAliveMs + pongTimeoutMs + 1_500);
      // Reconnecting meanwhile: the kernel accepts the connections, the stopped server never
      // upgrades them, and each is given up after connectTimeoutMs.
      await until(() => sockets.length >= 3, 10_000, 'reconnection attempts');
    } finally {
      server.resume();
    }
    await write('after');
    await until(() => events.length === 2, 20_000, 'the event after the pause');
    expect(events.map((e) => e.split('@')[0])).toEqual(['ADDED before', 'ADDED after']);
    expect(state.error).toBeUndefined();
  }, 60_000);
});
