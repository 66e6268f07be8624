import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PodObject } from '../../agent/objects.ts';
import {
  ProbeManager,
  type ProbeKill,
  type ProbeManagerOptions,
} from '../../agent/node/probes/probe-manager.ts';
import { runProbe, type ProbeTarget } from '../../agent/node/probes/prober.ts';
import type {
  ExecOptions,
  ExecResult,
  RuntimeContainer,
  RuntimePod,
} from '../../agent/node/runtime/runtime.ts';
import type { Container, Probe } from '../../schema/kinds/pod.ts';

/**
 * Probes against real servers on 127.0.0.1 (HTTP, TCP) and, for exec probes, a
 * runtime double that only implements `exec` (the runtimes' exec has its own tests).
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An HTTP server on a free port; `respond` decides each answer. */
async function httpServer(
  respond: http.RequestListener,
): Promise<{ port: number; requests: http.IncomingMessage[] }> {
  const requests: http.IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req);
    respond(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return { port: (server.address() as net.AddressInfo).port, requests };
}

/** A port nothing listens on (just freed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

type ExecHandler = (container: string, command: string[], options: ExecOptions) => Promise<ExecResult>;

/** A runtime that can only exec, recording every call. */
function execRuntime(handler: ExecHandler) {
  const calls: { uid: string; container: string; command: string[]; options: ExecOptions; at: number }[] = [];
  return {
    calls,
    exec(uid: string, container: string, command: string[], options: ExecOptions) {
      calls.push({ uid, container, command, options, at: Date.now() });
      return handler(container, command, options);
    },
  };
}

const exited = (code: number, stdout = '', stderr = ''): Promise<ExecResult> =>
  Promise.resolve({ stdout, stderr, exitCode: code });

const container = (extra: Partial<Container> = {}): Container => ({
  name: 'app',
  image: 'busybox',
  ...extra,
});

function target(extra: Partial<ProbeTarget> = {}): ProbeTarget {
  return {
    runtime: execRuntime(() => exited(0)),
    uid: 'uid-1',
    container: container(),
    podIP: '127.0.0.1',
    timeoutMs: 1000,
    ...extra,
  };
}

describe('runProbe: httpGet', () => {
  it('succeeds on 2xx, sending the path, the kube-probe user agent and the given headers', async () => {
    const server = await httpServer((_req, res) => res.end('ok'));
    const result = await runProbe(
      { httpGet: { port: server.port, path: '/healthz', httpHeaders: [{ name: 'X-Probe', value: 'yes' }] } },
      target(),
    );
    expect(result).toEqual({ result: 'success', message: '' });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request.method).toBe('GET');
    expect(request.url).toBe('/healthz');
    expect(request.headers['user-agent']).toMatch(/^kube-probe\//);
    expect(request.headers['x-probe']).toBe('yes');
  });

  it('fails on 5xx with the kubelet message', async () => {
    const server = await httpServer((_req, res) => {
      res.statusCode = 500;
      res.end('boom');
    });
    expect(await runProbe({ httpGet: { port: server.port, path: '/healthz' } }, target())).toEqual({
      result: 'failure',
      message: 'HTTP probe failed with statuscode: 500',
    });
  });

  it('counts a redirect as success without following it', async () => {
    const server = await httpServer((req, res) => {
      if (req.url === '/healthz') {
        res.writeHead(302, { Location: '/elsewhere' });
        res.end();
      } else {
        res.statusCode = 500;
        res.end();
      }
    });
    expect((await runProbe({ httpGet: { port: server.port, path: '/healthz' } }, target())).result).toBe(
      'success',
    );
    expect(server.requests.map((r) => r.url)).toEqual(['/healthz']);
  });

  it('resolves a named container port and fails clearly on an unknown one', async () => {
    const server = await httpServer((_req, res) => res.end());
    const named = target({ container: container({ ports: [{ name: 'http', containerPort: server.port }] }) });
    expect((await runProbe({ httpGet: { port: 'http' } }, named)).result).toBe('success');
    expect(await runProbe({ httpGet: { port: 'metrics' } }, named)).toEqual({
      result: 'failure',
      message: "couldn't find port: metrics in container app",
    });
  });

  it('fails with "connection refused" when nothing listens', async () => {
    const port = await closedPort();
    expect(await runProbe({ httpGet: { port, path: '/healthz' } }, target())).toEqual({
      result: 'failure',
      message: `Get "http://127.0.0.1:${port}/healthz": dial tcp 127.0.0.1:${port}: connect: connection refused`,
    });
  });

  it('times out on a server that does not answer', async () => {
    const server = await httpServer(() => {
      /* never answers */
    });
    const began = Date.now();
    const result = await runProbe(
      { httpGet: { port: server.port, path: '/slow' } },
      target({ timeoutMs: 300 }),
    );
    expect(Date.now() - began).toBeGreaterThanOrEqual(290);
    expect(Date.now() - began).toBeLessThan(2000);
    expect(result).toEqual({
      result: 'failure',
      message: `Get "http://127.0.0.1:${server.port}/slow": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
    });
  });

  it('uses the given host, and fails when there is neither a host nor a pod IP', async () => {
    const server = await httpServer((_req, res) => res.end());
    const noIP = target({ podIP: undefined });
    expect((await runProbe({ httpGet: { port: server.port, host: '127.0.0.1' } }, noIP)).result).toBe(
      'success',
    );
    expect(await runProbe({ httpGet: { port: server.port } }, noIP)).toEqual({
      result: 'failure',
      message: 'pod has no IP yet',
    });
  });
});

describe('runProbe: tcpSocket, exec, grpc', () => {
  it('tcpSocket succeeds when the port accepts and fails when it refuses', async () => {
    const server = await httpServer((_req, res) => res.end());
    expect(await runProbe({ tcpSocket: { port: server.port } }, target())).toEqual({
      result: 'success',
      message: '',
    });
    const port = await closedPort();
    expect(await runProbe({ tcpSocket: { port } }, target())).toEqual({
      result: 'failure',
      message: `dial tcp 127.0.0.1:${port}: connect: connection refused`,
    });
  });

  it('exec runs the command in the container through the runtime: exit 0 passes, anything else fails with the output', async () => {
    const runtime = execRuntime((_c, command) =>
      command[1] === '/tmp/healthy'
        ? exited(0, 'fine\n')
        : exited(1, '', "cat: can't open '/tmp/gone': No such file or directory\n"),
    );
    expect(await runProbe({ exec: { command: ['cat', '/tmp/healthy'] } }, target({ runtime }))).toEqual({
      result: 'success',
      message: 'fine',
    });
    expect(await runProbe({ exec: { command: ['cat', '/tmp/gone'] } }, target({ runtime }))).toEqual({
      result: 'failure',
      message: "cat: can't open '/tmp/gone': No such file or directory",
    });
    expect(runtime.calls.map(({ uid, container, options }) => ({ uid, container, options }))).toEqual([
      { uid: 'uid-1', container: 'app', options: { timeoutMs: 1000 } },
      { uid: 'uid-1', container: 'app', options: { timeoutMs: 1000 } },
    ]);
  });

  it('exec fails when the command outlives the timeout', async () => {
    const runtime = execRuntime(() => new Promise(() => {}));
    const began = Date.now();
    expect(
      await runProbe({ exec: { command: ['sleep', '10'] } }, target({ runtime, timeoutMs: 200 })),
    ).toEqual({
      result: 'failure',
      message: 'command "sleep 10" timed out',
    });
    expect(Date.now() - began).toBeLessThan(2000);
  });

  it('exec fails with the runtime error when the runtime cannot exec', async () => {
    const runtime = execRuntime(() => Promise.reject(new Error('container app is not running')));
    expect(await runProbe({ exec: { command: ['true'] } }, target({ runtime }))).toEqual({
      result: 'failure',
      message: 'container app is not running',
    });
  });

  it('grpc is not supported, and says so', async () => {
    const result = await runProbe({ grpc: { port: 9090 } }, target());
    expect(result.result).toBe('failure');
    expect(result.message).toMatch(/gRPC probes are not supported/);
  });
});

// --- ProbeManager -----------------------------------------------------------------

/** Probe seconds last this long in these tests. */
const SECOND = 40;

function pod(containers: Container[], restartPolicy?: 'Always' | 'OnFailure' | 'Never'): PodObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-1' },
    spec: { containers, ...(restartPolicy ? { restartPolicy } : {}) },
  };
}

function instance(name: string, attempt: number, state: RuntimeContainer['state']): RuntimeContainer {
  const now = new Date().toISOString();
  return {
    name,
    id: `docker://${name}-${attempt}`,
    attempt,
    init: false,
    image: 'busybox',
    imageID: 'sha256:1',
    state,
    createdAt: now,
    ...(state === 'created' ? {} : { startedAt: now }),
    ...(state === 'exited' ? { finishedAt: now, exitCode: 137 } : {}),
  };
}

const runtimePod = (...containers: RuntimeContainer[]): RuntimePod => ({
  uid: 'uid-1',
  namespace: 'default',
  name: 'web',
  ip: '127.0.0.1',
  ready: true,
  containers,
});

const execProbe = (command: string, extra: Partial<Probe> = {}): Probe => ({
  exec: { command: ['check', command] },
  periodSeconds: 1,
  ...extra,
});

/** A manager over a runtime whose exec probes pass while `health[command]` is true. */
function manager(extra: Partial<ProbeManagerOptions> = {}) {
  const health: Record<string, boolean> = {};
  /** Whether the container was ready when each probe ran (the results of the runs before it). */
  const readyBefore: boolean[] = [];
  const runtime = execRuntime((container, command) => {
    readyBefore.push(probes.state('uid-1', container).ready);
    return exited(health[command[1]] ? 0 : 1, '', `${command[1]} unhealthy`);
  });
  const changes: string[] = [];
  const kills: { container: string; message: string; kill: ProbeKill }[] = [];
  const events: string[] = [];
  const probes = new ProbeManager({
    runtime,
    onChange: (key) => changes.push(key),
    onLivenessFailure: (_pod, name, message, kill) => kills.push({ container: name, message, kill }),
    recordEvent: (_pod, type, reason, message) => events.push(`${type} ${reason} ${message}`),
    secondMs: SECOND,
    ...extra,
  });
  cleanups.push(() => probes.stop());
  const callsOf = (command: string) => runtime.calls.filter((c) => c.command[1] === command);
  return { probes, health, runtime, changes, kills, events, callsOf, readyBefore };
}

const waitFor = (check: () => void, timeout = 4000) => vi.waitFor(check, { timeout, interval: 10 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ProbeManager', () => {
  it('without probes, a container is ready and started exactly while it runs', () => {
    const { probes } = manager();
    const p = pod([container()]);
    expect(probes.state('uid-1', 'app')).toEqual({ ready: false, started: false });
    probes.sync(p, runtimePod(instance('app', 0, 'created')));
    expect(probes.state('uid-1', 'app')).toEqual({ ready: false, started: false });
    probes.sync(p, runtimePod(instance('app', 0, 'running')));
    expect(probes.state('uid-1', 'app')).toEqual({ ready: true, started: true });
    probes.sync(p, runtimePod(instance('app', 0, 'exited')));
    expect(probes.state('uid-1', 'app')).toEqual({ ready: false, started: false });
  });

  it('readiness starts false, flips on the first success and back after failureThreshold failures', async () => {
    const { probes, health, changes, events, callsOf } = manager();
    const p = pod([container({ readinessProbe: execProbe('ready') })]);
    probes.sync(p, runtimePod(instance('app', 0, 'running')));
    expect(probes.state('uid-1', 'app')).toEqual({ ready: false, started: true });
    await waitFor(() => expect(callsOf('ready').length).toBeGreaterThanOrEqual(2));
    expect(probes.state('uid-1', 'app').ready).toBe(false);
    expect(events).toContain('Warning Unhealthy Readiness probe failed: ready unhealthy');
    expect(changes).toEqual([]);

    health.ready = true;
    await waitFor(() => expect(probes.state('uid-1', 'app').ready).toBe(true));
    expect(changes).toEqual(['default/web']);

    // Three failures in a row (the default threshold) before it is unready again.
    health.ready = false;
    const before = callsOf('ready').length;
    await waitFor(() => expect(probes.state('uid-1', 'app').ready).toBe(false));
    expect(callsOf('ready').length - before).toBe(3);
    expect(changes).toEqual(['default/web', 'default/web']);
  });

  it('readiness needs successThreshold successes in a row', async () => {
    const { probes, health, readyBefore } = manager();
    health.ready = true;
    probes.sync(
      pod([container({ readinessProbe: execProbe('ready', { successThreshold: 3 }) })]),
      runtimePod(instance('app', 0, 'running')),
    );
    await waitFor(() => expect(readyBefore.length).toBeGreaterThanOrEqual(4));
    expect(readyBefore.slice(0, 4)).toEqual([false, false, false, true]);
  });

  it('probes every period after initialDelaySeconds, one timer per worker', async () => {
    const { probes, callsOf } = manager();
    const began = Date.now();
    probes.sync(
      pod([container({ readinessProbe: execProbe('ready', { initialDelaySeconds: 5, periodSeconds: 2 }) })]),
      runtimePod(instance('app', 0, 'running')),
    );
    // Syncing again and again must not add workers.
    for (let i = 0; i < 5; i++)
      probes.sync(
        pod([
          container({ readinessProbe: execProbe('ready', { initialDelaySeconds: 5, periodSeconds: 2 }) }),
        ]),
        runtimePod(instance('app', 0, 'running')),
      );
    await waitFor(() => expect(callsOf('ready').length).toBeGreaterThanOrEqual(3));
    const [first, second, third] = callsOf('ready').map((c) => c.at);
    expect(first - began).toBeGreaterThanOrEqual(5 * SECOND - 15);
    expect(second - first).toBeGreaterThanOrEqual(2 * SECOND - 15);
    expect(third - second).toBeGreaterThanOrEqual(2 * SECOND - 15);
  });

  it('a startup probe holds started, readiness and liveness back until it passes', async () => {
    const { probes, health, changes, callsOf } = manager();
    health.live = false; // would kill the container if it ran before startup
    const p = pod([
      container({
        startupProbe: execProbe('boot', { failureThreshold: 30 }),
        readinessProbe: execProbe('ready', { periodSeconds: 30 }),
        livenessProbe: execProbe('live'),
      }),
    ]);
    probes.sync(p, runtimePod(instance('app', 0, 'running')));
    await waitFor(() => expect(callsOf('boot').length).toBeGreaterThanOrEqual(3));
    expect(probes.state('uid-1', 'app')).toEqual({ ready: false, started: false });
    expect(callsOf('live')).toHaveLength(0);
    expect(callsOf('ready')).toHaveLength(0);

    health.live = true;
    health.ready = true;
    health.boot = true;
    await waitFor(() => expect(probes.state('uid-1', 'app').started).toBe(true));
    // Readiness runs at once on startup (not a 30 s period later), then liveness on its period.
    await waitFor(
      () => expect(probes.state('uid-1', 'app')).toEqual({ ready: true, started: true }),
      8 * SECOND,
    );
    await waitFor(() => expect(callsOf('live').length).toBeGreaterThanOrEqual(1));
    expect(changes).toEqual(['default/web', 'default/web']);
    // The startup probe is done with this instance.
    const boots = callsOf('boot').length;
    await sleep(4 * SECOND);
    expect(callsOf('boot')).toHaveLength(boots);
  });

  it('kills on failureThreshold liveness failures, once, then stops probing the instance', async () => {
    const { probes, kills, events, callsOf } = manager();
    probes.sync(
      pod([container({ livenessProbe: execProbe('live', { failureThreshold: 2 }) })]),
      runtimePod(instance('app', 0, 'running')),
    );
    await waitFor(() => expect(kills).toHaveLength(1));
    expect(kills[0]).toEqual({
      container: 'app',
      message: 'Container app failed liveness probe, will be restarted',
      kill: { containerID: 'docker://app-0', gracePeriodSeconds: 30 },
    });
    expect(callsOf('live')).toHaveLength(2);
    expect(events).toEqual([
      'Warning Unhealthy Liveness probe failed: live unhealthy',
      'Warning Unhealthy Liveness probe failed: live unhealthy',
    ]);
    // Liveness does not touch readiness: it is still running (until the kill lands).
    expect(probes.state('uid-1', 'app')).toEqual({ ready: true, started: true });
    await sleep(4 * SECOND);
    expect(callsOf('live')).toHaveLength(2);
    expect(kills).toHaveLength(1);
  });

  it('a failed startup probe takes the startup kill path; restartPolicy Never says nothing of a restart', async () => {
    const startupKills: string[] = [];
    const { probes, kills } = manager({
      onStartupFailure: (_pod, _name, message, kill) =>
        startupKills.push(`${message} (${kill.gracePeriodSeconds}s)`),
    });
    probes.sync(
      pod(
        [
          container({
            startupProbe: execProbe('boot', { failureThreshold: 2, terminationGracePeriodSeconds: 5 }),
          }),
        ],
        'Never',
      ),
      runtimePod(instance('app', 0, 'running')),
    );
    await waitFor(() => expect(startupKills).toEqual(['Container app failed startup probe (5s)']));
    expect(kills).toEqual([]);
    expect(probes.state('uid-1', 'app')).toEqual({ ready: false, started: false });
  });

  it('a new instance is probed afresh and the old one no more; exited instances and removed pods are not probed', async () => {
    const { probes, health, runtime } = manager();
    health.ready = true;
    const p = pod([container({ readinessProbe: execProbe('ready') })]);
    probes.sync(p, runtimePod(instance('app', 0, 'running')));
    await waitFor(() => expect(probes.state('uid-1', 'app').ready).toBe(true));

    // Restarted: the old instance exited, a new one runs, not ready until probed.
    probes.sync(p, runtimePod(instance('app', 0, 'exited'), instance('app', 1, 'running')));
    expect(probes.state('uid-1', 'app')).toEqual({ ready: false, started: true });
    await waitFor(() => expect(probes.state('uid-1', 'app').ready).toBe(true));
    // One worker left: at most one probe per period.
    const before = runtime.calls.length;
    await sleep(10 * SECOND);
    expect(runtime.calls.length - before).toBeLessThanOrEqual(11);
    expect(runtime.calls.length - before).toBeGreaterThanOrEqual(3);

    probes.sync(p, runtimePod(instance('app', 1, 'exited')));
    expect(probes.state('uid-1', 'app')).toEqual({ ready: false, started: false });
    const afterExit = runtime.calls.length;
    await sleep(4 * SECOND);
    expect(runtime.calls.length).toBe(afterExit);

    probes.sync(p, runtimePod(instance('app', 2, 'running')));
    await waitFor(() => expect(probes.state('uid-1', 'app').ready).toBe(true));
    probes.removePod('uid-1');
    expect(probes.state('uid-1', 'app')).toEqual({ ready: false, started: false });
    const afterRemove = runtime.calls.length;
    await sleep(4 * SECOND);
    expect(runtime.calls.length).toBe(afterRemove);
  });

  it('stop cancels probes in flight and ends all probing', async () => {
    const server = await httpServer(() => {
      /* never answers: the probe is in flight when the manager stops */
    });
    const { probes } = manager();
    probes.sync(
      pod([
        container({
          readinessProbe: { httpGet: { port: server.port }, periodSeconds: 1, timeoutSeconds: 100 },
        }),
      ]),
      runtimePod(instance('app', 0, 'running')),
    );
    await waitFor(() => expect(server.requests).toHaveLength(1));
    const began = Date.now();
    await probes.stop();
    expect(Date.now() - began).toBeLessThan(1000);
    await sleep(4 * SECOND);
    expect(server.requests).toHaveLength(1);
  });

  it('a failing callback is logged and probing goes on', async () => {
    const logged: string[] = [];
    const { probes, health, callsOf } = manager({
      onChange: () => {
        throw new Error('queue closed');
      },
      log: (line) => logged.push(line),
    });
    health.ready = true;
    probes.sync(
      pod([container({ readinessProbe: execProbe('ready') })]),
      runtimePod(instance('app', 0, 'running')),
    );
    await waitFor(() => expect(callsOf('ready').length).toBeGreaterThanOrEqual(3));
    expect(probes.state('uid-1', 'app').ready).toBe(true);
    expect(logged).toEqual(['pod default/web: readiness probe of app: queue closed']);
  });

  it('probes httpGet readiness against the pod IP', async () => {
    let status = 200;
    const server = await httpServer((_req, res) => {
      res.statusCode = status;
      res.end();
    });
    const { probes, events } = manager();
    const p = pod([
      container({
        readinessProbe: {
          httpGet: { port: server.port, path: '/ready' },
          periodSeconds: 1,
          // A second of 40 ms is too short for HTTP on a busy machine.
          timeoutSeconds: 25,
          failureThreshold: 1,
        },
      }),
    ]);
    probes.sync(p, runtimePod(instance('app', 0, 'running')));
    await waitFor(() => expect(probes.state('uid-1', 'app').ready).toBe(true));
    status = 503;
    await waitFor(() => expect(probes.state('uid-1', 'app').ready).toBe(false));
    expect(events).toContain(
      'Warning Unhealthy Readiness probe failed: HTTP probe failed with statuscode: 503',
    );
  });
});
