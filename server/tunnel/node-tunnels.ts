import crypto from 'node:crypto';
import { ApiError } from '../errors.ts';
import {
  AGENT_ERROR_CODES,
  type TunnelExecInput,
  type TunnelExecOutput,
  type TunnelExecResult,
  type TunnelLogLine,
  type TunnelReply,
  type TunnelRequest,
} from './messages.ts';
import { Channel } from '../../lib/channel.ts';

/** Where the answers to one request go (the user's subscription or mutation). */
export interface TunnelSink {
  /** Resolves once the consumer has room for more: the agent's next reply waits for it. */
  lines(lines: TunnelLogLine[]): Promise<void>;
  /** An EXEC_STREAM's output; resolves once the consumer has room for more. */
  output?(output: TunnelExecOutput[]): Promise<void>;
  /** A PORT_FORWARD's bytes from the pod; resolves once the consumer has room for more. */
  bytes?(data: Buffer): Promise<void>;
  /** The agent took the request up (its first answer, unless that is an error). */
  started?(): void;
  done(exec?: TunnelExecResult): void;
  fail(error: ApiError): void;
}

interface Pending {
  id: string;
  nodeName: string;
  connection: AgentConnection;
  sink: TunnelSink;
  pickupTimer?: ReturnType<typeof setTimeout>;
}

/** One subscription of an agent: the requests sent on it, and the ones it has not finished. */
interface AgentConnection {
  nodeName: string;
  requests: Channel<TunnelRequest>;
  pending: Set<string>;
}

/**
 * The API server's end of the node tunnels: each node agent holds a subscription
 * (`attach`) over which requests for its pods' logs, exec and port forwarding are
 * pushed, and answers them with `reply`. Keyed by node name; when an agent holds
 * several subscriptions (a reconnect racing the old connection's teardown) the latest
 * takes new requests. A request fails with UNAVAILABLE when no agent is connected, when
 * none takes it up within `pickupTimeoutMs`, or when the subscription it went out on
 * ends; the user's side going away (`cancel`) sends CANCEL to the agent. State is in
 * this process only: a user and an agent reach each other when they are connected to
 * the same API server.
 */
export class NodeTunnels {
  /** How long an agent has to answer a request at all (its first reply), before the user is told. */
  pickupTimeoutMs = 10_000;
  private readonly agents = new Map<string, AgentConnection[]>();
  private readonly pending = new Map<string, Pending>();
  private closed = false;

  /** An agent's subscription: the requests for `nodeName` from now on, until `return()`. */
  attach(nodeName: string): AsyncIterableIterator<TunnelRequest> {
    if (this.closed) throw shuttingDown();
    const connection: AgentConnection = {
      nodeName,
      requests: new Channel<TunnelRequest>(() => this.detach(connection)),
      pending: new Set(),
    };
    const connections = this.agents.get(nodeName) ?? [];
    connections.push(connection);
    this.agents.set(nodeName, connections);
    return connection.requests;
  }

  /** Whether an agent of the node holds a subscription here. */
  connected(nodeName: string): boolean {
    return (this.agents.get(nodeName)?.length ?? 0) > 0;
  }

  /**
   * Sends a request to the node's agent; its answers go to `sink` until it is done or
   * failed. Throws UNAVAILABLE when no agent of the node is connected. Returns the
   * cancel function: the user no longer wants the answer.
   */
  open(
    nodeName: string,
    request: Omit<TunnelRequest, 'id'>,
    sink: TunnelSink,
    id: string = crypto.randomUUID(),
  ) {
    const connection = this.agents.get(nodeName)?.at(-1);
    if (!connection) throw noAgent(nodeName);
    const entry: Pending = { id, nodeName, connection, sink };
    entry.pickupTimer = setTimeout(() => {
      const seconds = this.pickupTimeoutMs / 1000;
      this.finish(id, { cancel: true })?.sink.fail(
        new ApiError(
          'UNAVAILABLE',
          `the agent of node "${nodeName}" did not take up the request within ${seconds}s`,
        ),
      );
    }, this.pickupTimeoutMs);
    this.pending.set(id, entry);
    connection.pending.add(id);
    connection.requests.push({ ...request, id });
    return () => void this.finish(id, { cancel: true });
  }

  /**
   * An agent's answer. Resolves once the user's side has room for more, with whether
   * it still wants the rest (false: the request is over or unknown, stop serving it).
   */
  async reply(reply: TunnelReply): Promise<boolean> {
    const entry = this.pending.get(reply.requestId);
    if (!entry || entry.nodeName !== reply.nodeName) return false;
    if (entry.pickupTimer) {
      clearTimeout(entry.pickupTimer);
      entry.pickupTimer = undefined;
      // A first answer that is an error: the request failed, it never started.
      if (!reply.error) entry.sink.started?.();
    }
    if (reply.lines?.length) await entry.sink.lines(reply.lines);
    if (reply.output?.length) await entry.sink.output?.(reply.output);
    if (reply.base64) await entry.sink.bytes?.(Buffer.from(reply.base64, 'base64'));
    if (reply.error) {
      this.finish(entry.id)?.sink.fail(agentError(entry.nodeName, reply.error));
      return false;
    }
    if (reply.exec || reply.done) {
      this.finish(entry.id)?.sink.done(reply.exec);
      return false;
    }
    return this.pending.has(entry.id);
  }

  /**
   * Passes input to the agent serving the open request `id` (an EXEC_STREAM), behind
   * what was sent before it; false when the request is over or unknown.
   */
  input(id: string, input: TunnelExecInput): boolean {
    const entry = this.pending.get(id);
    if (!entry) return false;
    entry.connection.requests.push({ id, kind: 'INPUT', input });
    return true;
  }

  /** Fails every open request and ends every agent subscription (the server is shutting down). */
  close(): void {
    this.closed = true;
    for (const connections of [...this.agents.values()]) {
      for (const connection of [...connections]) connection.requests.end();
    }
    for (const id of [...this.pending.keys()]) {
      this.finish(id)?.sink.fail(shuttingDown());
    }
  }

  /** Forgets a request; with `cancel`, tells the agent to stop serving it. */
  private finish(id: string, { cancel = false } = {}): Pending | undefined {
    const entry = this.pending.get(id);
    if (!entry) return undefined;
    this.pending.delete(id);
    clearTimeout(entry.pickupTimer);
    entry.connection.pending.delete(id);
    if (cancel) entry.connection.requests.push({ id, kind: 'CANCEL' });
    return entry;
  }

  /** The agent's subscription ended: what it had not finished fails, new requests go to another one. */
  private detach(connection: AgentConnection): void {
    const connections = this.agents.get(connection.nodeName) ?? [];
    const rest = connections.filter((c) => c !== connection);
    if (rest.length > 0) this.agents.set(connection.nodeName, rest);
    else this.agents.delete(connection.nodeName);
    for (const id of [...connection.pending]) {
      this.finish(id)?.sink.fail(
        new ApiError('UNAVAILABLE', `the agent of node "${connection.nodeName}" disconnected`),
      );
    }
  }
}

const shuttingDown = () => new ApiError('UNAVAILABLE', 'the API server is shutting down');

export function noAgent(nodeName: string): ApiError {
  return new ApiError('UNAVAILABLE', `no agent of node "${nodeName}" is connected to the API server`);
}

function agentError(nodeName: string, error: { code: string; message: string }): ApiError {
  const code = (AGENT_ERROR_CODES as readonly string[]).includes(error.code)
    ? (error.code as (typeof AGENT_ERROR_CODES)[number])
    : undefined;
  return code
    ? new ApiError(code, error.message)
    : new ApiError('UNAVAILABLE', `node "${nodeName}": ${error.message}`);
}
