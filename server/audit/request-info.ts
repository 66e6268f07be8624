import crypto from 'node:crypto';
import type http from 'node:http';
import { clientOf } from '../limits/clients.ts';
import { microTime, type AuditEvent, type ObjectReference, type ResponseStatus } from './event.ts';
import type { PolicyAttributes, PolicyDecision } from './policy.ts';

/** What every event of one HTTP request (or WebSocket connection's operation) shares. */
export interface RequestInfo {
  auditID: string;
  /** Milliseconds since the epoch, with the sub-millisecond fraction MicroTime keeps. */
  receivedAt: number;
  requestURI: string;
  sourceIPs: string[];
  userAgent?: string;
  /** Set once an operation's own events (GraphQL's, per root field) replace the request's. */
  claimed?: boolean;
}

/** Who did what, as an event states it. */
export interface Action {
  user: { username: string; groups: string[] };
  verb: string;
  objectRef?: ObjectReference;
}

const tracked = new WeakMap<http.IncomingMessage, RequestInfo>();

/** The request's info, made when it arrived (HttpAudit) or now (a WebSocket upgrade). */
export function requestInfoOf(req: http.IncomingMessage, trustedProxies: readonly string[]): RequestInfo {
  let info = tracked.get(req);
  if (!info) {
    info = newRequestInfo(req, trustedProxies);
    tracked.set(req, info);
  }
  return info;
}

/** The info of a request HttpAudit tracks, if it does (a WebSocket upgrade is not tracked). */
export function trackedRequestInfo(req: http.IncomingMessage): RequestInfo | undefined {
  return tracked.get(req);
}

export function newRequestInfo(req: http.IncomingMessage, trustedProxies: readonly string[]): RequestInfo {
  const client = clientOf(req, trustedProxies);
  const remote = req.socket.remoteAddress;
  return {
    auditID: crypto.randomUUID(),
    receivedAt: now(),
    requestURI: req.url ?? '/',
    sourceIPs: remote && remote !== client ? [client, remote] : [client],
    userAgent: req.headers['user-agent'],
  };
}

/** Now, in milliseconds with a microsecond fraction. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/** The attributes an audit policy matches an action by. */
export function policyAttributes(action: Action, path: string): PolicyAttributes {
  const ref = action.objectRef;
  return {
    user: action.user.username,
    groups: action.user.groups,
    verb: action.verb,
    path,
    resource: ref && {
      apiGroup: ref.apiGroup ?? '',
      resource: ref.resource ?? '',
      subresource: ref.subresource,
      namespace: ref.namespace,
      name: ref.name,
    },
  };
}

/** An event of `info`'s request at `stage`, its bodies kept as far as the level says. */
export function auditEvent(
  info: RequestInfo,
  decision: PolicyDecision,
  stage: AuditEvent['stage'],
  action: Action,
  outcome: {
    status?: ResponseStatus;
    annotations?: Record<string, string>;
    requestObject?: () => unknown;
    responseObject?: () => unknown;
    auditID?: string;
  },
): AuditEvent {
  const level = decision.level as AuditEvent['level'];
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level,
    auditID: outcome.auditID ?? info.auditID,
    stage,
    requestURI: info.requestURI,
    verb: action.verb,
    user: action.user,
    sourceIPs: info.sourceIPs,
    ...(info.userAgent ? { userAgent: info.userAgent } : {}),
    ...(action.objectRef ? { objectRef: action.objectRef } : {}),
    ...(outcome.status ? { responseStatus: outcome.status } : {}),
    ...(level !== 'Metadata' && outcome.requestObject ? { requestObject: outcome.requestObject() } : {}),
    ...(level === 'RequestResponse' && outcome.responseObject
      ? { responseObject: outcome.responseObject() }
      : {}),
    requestReceivedTimestamp: microTime(info.receivedAt),
    stageTimestamp: microTime(now()),
    ...(outcome.annotations && Object.keys(outcome.annotations).length
      ? { annotations: outcome.annotations }
      : {}),
  };
}
