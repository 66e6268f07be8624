import http from 'node:http';
import net from 'node:net';
import { systemClock, type Clock } from '../../../lib/clock.ts';
import type { Container, Probe } from '../../../schema/kinds/pod.ts';
import type { ContainerRuntime } from '../runtime/runtime.ts';

/**
 * Runs one probe once, as the kubelet's prober does, and says whether it passed with a
 * message worded like the kubelet's (the message ends up in Unhealthy events, where
 * people compare it with what they know from Kubernetes). Never throws: anything that
 * goes wrong, including the probe's own misconfiguration, is a failure with a message.
 */

export interface ProbeResult {
  result: 'success' | 'failure';
  /** Why it failed (or the exec output on success); worded like the kubelet's. */
  message: string;
}

/** The handler part of a probe: exactly one of these is set (lifecycle hooks share the first three). */
export type ProbeAction = Pick<Probe, 'exec' | 'httpGet' | 'tcpSocket' | 'grpc'>;

export interface ProbeTarget {
  /** Runs exec probes in the container. */
  runtime: Pick<ContainerRuntime, 'exec'>;
  /** The pod's uid, as the runtime knows it. */
  uid: string;
  /** The container's spec: its name, and its ports for named probe ports. */
  container: Container;
  /** Where httpGet and tcpSocket connect when they name no host. */
  podIP?: string;
  timeoutMs: number;
  /** Abandons the probe (its worker stopped); it then fails. */
  signal?: AbortSignal;
  /** Where the time an exec probe took is read (the system clock by default). */
  clock?: Clock;
}

/** What the kubelet sends as User-Agent, so probed apps can tell probes from traffic. */
const USER_AGENT = 'kube-probe/kubeql';
/** The kubelet reads at most this much of a probed response's body. */
const MAX_BODY_BYTES = 10 * 1024;

export async function runProbe(action: ProbeAction, target: ProbeTarget): Promise<ProbeResult> {
  try {
    if (action.exec) return await execProbe(action.exec.command ?? [], target);
    if (action.httpGet) return await httpProbe(action.httpGet, target);
    if (action.tcpSocket) return await tcpProbe(action.tcpSocket, target);
    if (action.grpc) {
      return failure(`gRPC probes are not supported by this node agent (port ${action.grpc.port})`);
    }
    return failure('probe has no handler: set one of exec, httpGet, tcpSocket or grpc');
  } catch (error) {
    return failure(error instanceof Error ? error.message : String(error));
  }
}

const success = (message = ''): ProbeResult => ({ result: 'success', message });
const failure = (message: string): ProbeResult => ({ result: 'failure', message });

/** A port number, or the number of the container port of that name. */
export function resolvePort(port: number | string, container: Container): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = container.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`couldn't find port: ${port} in container ${container.name}`);
  return named.containerPort;
}

function probeHost(host: string | undefined, target: ProbeTarget): string {
  const resolved = host || target.podIP;
  if (!resolved) throw new Error('pod has no IP yet');
  return resolved;
}

/** host:port as Go writes it (IPv6 in brackets), for URLs and messages. */
const joinHostPort = (host: string, port: number) =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

/** Go's net errors, as the kubelet's probe messages show them. */
function dialError(error: NodeJS.ErrnoException, host: string, port: number): string {
  const address = joinHostPort(host, port);
  switch (error.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${address}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `dial tcp ${address}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${address}: connect: network is unreachable`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${host}: no such host`;
    case 'ECONNRESET':
      return `read tcp ${address}: read: connection reset by peer`;
    default:
      return error.message;
  }
}

async function execProbe(command: string[], target: ProbeTarget): Promise<ProbeResult> {
  if (command.length === 0) return failure('exec probe has no command');
  const timedOut = `command ${JSON.stringify(command.join(' '))} timed out`;
  const clock = target.clock ?? systemClock;
  const started = clock.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  // The runtime kills the command at the timeout too; whichever comes first, it timed out.
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), target.timeoutMs);
  });
  try {
    const outcome = await Promise.race([
      target.runtime
        .exec(target.uid, target.container.name, command, { timeoutMs: target.timeoutMs })
        .catch((error: unknown) => {
          if (clock.now() - started >= target.timeoutMs) return 'timeout' as const;
          throw error;
        }),
      deadline,
    ]);
    if (outcome === 'timeout' || clock.now() - started >= target.timeoutMs) return failure(timedOut);
    // The kubelet reports the combined output (what `cat` or the health script printed).
    const output = (outcome.stdout + outcome.stderr).trimEnd();
    if (outcome.exitCode === 0) return success(output);
    return failure(output || `command ${JSON.stringify(command.join(' '))} exited with ${outcome.exitCode}`);
  } finally {
    clearTimeout(timer);
  }
}

async function httpProbe(action: NonNullable<Probe['httpGet']>, target: ProbeTarget): Promise<ProbeResult> {
  if ((action.scheme ?? 'HTTP') !== 'HTTP') return failure(`${action.scheme} probes are not supported`);
  const host = probeHost(action.host, target);
  const port = resolvePort(action.port, target.container);
  let path = action.path ?? '';
  if (path && !path.startsWith('/')) path = `/${path}`;
  const url = `http://${joinHostPort(host, port)}${path}`;
  // Given headers replace the defaults of the same name; repeated ones are all sent.
  const given = new Map<string, { name: string; values: string[] }>();
  for (const { name, value } of action.httpHeaders ?? []) {
    const entry = given.get(name.toLowerCase()) ?? { name, values: [] };
    entry.values.push(value);
    given.set(name.toLowerCase(), entry);
  }
  const headers: Record<string, string | string[]> = {};
  if (!given.has('user-agent')) headers['User-Agent'] = USER_AGENT;
  if (!given.has('accept')) headers.Accept = '*/*';
  for (const { name, values } of given.values()) headers[name] = values.length === 1 ? values[0] : values;
  const prefix = `Get ${JSON.stringify(url)}`;
  return attempt(
    target,
    {
      timeout: `${prefix}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
      canceled: `${prefix}: context canceled`,
    },
    (done) => {
      // Redirects are not followed: a 3xx is a success in itself.
      const request = http.get(url, { headers, agent: false }, (response) => {
        const status = response.statusCode ?? 0;
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size >= MAX_BODY_BYTES) finish();
        });
        response.on('end', () => finish());
        response.on('error', () => finish());
        function finish() {
          if (status >= 200 && status < 400) done(success());
          else done(failure(`HTTP probe failed with statuscode: ${status}`));
        }
      });
      request.on('error', (error: NodeJS.ErrnoException) =>
        done(failure(`${prefix}: ${dialError(error, host, port)}`)),
      );
      return () => request.destroy();
    },
  );
}

async function tcpProbe(action: NonNullable<Probe['tcpSocket']>, target: ProbeTarget): Promise<ProbeResult> {
  const host = probeHost(action.host, target);
  const port = resolvePort(action.port, target.container);
  const address = joinHostPort(host, port);
  return attempt(
    target,
    { timeout: `dial tcp ${address}: i/o timeout`, canceled: `dial tcp ${address}: operation was canceled` },
    (done) => {
      const socket = net.connect({ host, port });
      socket.on('connect', () => done(success()));
      socket.on('error', (error: NodeJS.ErrnoException) => done(failure(dialError(error, host, port))));
      return () => socket.destroy();
    },
  );
}

/**
 * One network probe: `start` opens its connection and returns how to close it; the first
 * of its own result, the probe's timeout and the target's abort signal settles it, and
 * the connection is closed then.
 */
function attempt(
  target: ProbeTarget,
  messages: { timeout: string; canceled: string },
  start: (done: (result: ProbeResult) => void) => () => void,
): Promise<ProbeResult> {
  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    // Set once `start` returns; a result given during `start` closes the connection then.
    const connection: { close?: () => void } = {};
    const done = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      target.signal?.removeEventListener('abort', onAbort);
      connection.close?.();
      resolve(result);
    };
    const timer = setTimeout(() => done(failure(messages.timeout)), target.timeoutMs);
    const onAbort = () => done(failure(messages.canceled));
    connection.close = start(done);
    if (settled) connection.close();
    if (target.signal?.aborted) onAbort();
    target.signal?.addEventListener('abort', onAbort);
  });
}
