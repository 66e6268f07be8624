import type { Level, Stage } from './policy.ts';

export interface ObjectReference {
  resource?: string;
  namespace?: string;
  name?: string;
  apiGroup?: string;
  apiVersion?: string;
  subresource?: string;
}

export interface ResponseStatus {
  code: number;
  status?: 'Failure';
  reason?: string;
  message?: string;
}

/** An audit.k8s.io/v1 Event, one JSON line of the audit log. */
export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: Exclude<Level, 'None'>;
  auditID: string;
  stage: Stage;
  requestURI: string;
  verb: string;
  user: { username: string; groups: string[] };
  sourceIPs: string[];
  userAgent?: string;
  objectRef?: ObjectReference;
  responseStatus?: ResponseStatus;
  requestObject?: unknown;
  responseObject?: unknown;
  requestReceivedTimestamp: string;
  stageTimestamp: string;
  annotations?: Record<string, string>;
}

export const DECISION = 'authorization.k8s.io/decision';
export const REASON = 'authorization.k8s.io/reason';

/** Who an unauthenticated request is, as Kubernetes names them. */
export const ANONYMOUS = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

/** Kubernetes' MicroTime: an RFC 3339 timestamp with microseconds. */
export function microTime(ms: number): string {
  const iso = new Date(Math.floor(ms)).toISOString();
  const micros = Math.floor((ms % 1) * 1000)
    .toString()
    .padStart(3, '0');
  return `${iso.slice(0, -1)}${micros}Z`;
}

/** The annotations of an authorization decision: allow or forbid, and why. */
export function decisionAnnotations(allowed: boolean, reason?: string): Record<string, string> {
  return { [DECISION]: allowed ? 'allow' : 'forbid', ...(reason ? { [REASON]: reason } : {}) };
}
