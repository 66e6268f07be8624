/**
 * What travels through a node's tunnel. The API server cannot open a connection to a
 * node agent (it may sit behind NAT), so the agent holds a subscription over which the
 * server pushes requests, and answers each with mutations carrying the request's id.
 */

export type LogStreamName = 'STDOUT' | 'STDERR';

export interface TunnelLogLine {
  stream: LogStreamName;
  /** RFC 3339 with nanoseconds, as the runtime recorded it. */
  time: string;
  text: string;
}

export interface TunnelLogOptions {
  follow: boolean;
  previous: boolean;
  tailLines?: number;
  sinceSeconds?: number;
}

export interface TunnelExecOptions {
  command: string[];
  stdin?: string;
  timeoutSeconds: number;
}

export interface TunnelExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** An interactive command (`execPodSession`): its output streams back, its stdin comes as INPUT requests. */
export interface TunnelExecStreamOptions {
  command: string[];
  tty: boolean;
}

/** What an INPUT request writes to the stdin of the EXEC_STREAM (or the connection of the PORT_FORWARD) with the same id. */
export interface TunnelExecInput {
  data?: string;
  /** Bytes, base64-encoded: what a PORT_FORWARD's connection carries is binary. */
  base64?: string;
  /** Closes stdin after `data` (end of file); of a PORT_FORWARD, the connection's sending side. */
  close?: boolean;
}

/** A TCP connection from the node to a port of the pod (`kubectl port-forward`); its bytes travel base64-encoded. */
export interface TunnelPortForwardOptions {
  port: number;
}

/** A piece of an interactive command's output (text; with a TTY, everything is STDOUT). */
export interface TunnelExecOutput {
  stream: LogStreamName;
  data: string;
}

export type TunnelRequestKind = 'LOGS' | 'EXEC' | 'EXEC_STREAM' | 'PORT_FORWARD' | 'INPUT' | 'CANCEL';

/** One request to a node agent; CANCEL and INPUT carry the id of the request they are about. */
export interface TunnelRequest {
  id: string;
  kind: TunnelRequestKind;
  namespace?: string;
  podName?: string;
  podUid?: string;
  container?: string;
  /** Whether `container` is an init container of the pod. */
  init?: boolean;
  logs?: TunnelLogOptions;
  exec?: TunnelExecOptions;
  execStream?: TunnelExecStreamOptions;
  portForward?: TunnelPortForwardOptions;
  input?: TunnelExecInput;
}

/** The codes an agent may answer a request with; anything else reaches the user as UNAVAILABLE. */
export const AGENT_ERROR_CODES = ['BAD_REQUEST', 'NOT_FOUND', 'TIMEOUT', 'UNAVAILABLE'] as const;

/** One answer of an agent. Every answer counts as the agent having taken the request up. */
export interface TunnelReply {
  nodeName: string;
  requestId: string;
  lines?: TunnelLogLine[];
  /** The next output of an EXEC_STREAM, in order. */
  output?: TunnelExecOutput[];
  /** The next bytes a PORT_FORWARD's connection received from the pod, base64-encoded. */
  base64?: string;
  /** The request is answered in full (logs: no more lines; a PORT_FORWARD: the pod closed the connection). */
  done?: boolean;
  /** The request failed; it ends it. */
  error?: { code: string; message: string };
  /** The outcome of an EXEC (of an EXEC_STREAM: only the exit code counts); it ends it. */
  exec?: TunnelExecResult;
}
